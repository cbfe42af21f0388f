"""A profile's public change log in a real browser: reached from the profile,
readable at a laptop's and a phone's width, and clean for axe-core."""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from offices import editorial
from offices.models import Office
from offices.reviews import mark_reviewed
from tests.browser.support import PHONE, SCREENSHOTS_DIR, WIDE, audit, describe
from tests.factories import FieldOfficeFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def office(db):
    """An office published, changed in English and in French, reviewed."""
    editor = UserFactory()
    office = OfficeFactory(
        name="UN Human Rights in Iraq", slug="iraq", status=Office.Status.DRAFT
    )
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    office = editorial.publish(office, by=editor)
    for changes in ({"profile": "New words."}, {"profile_fr": "Nouveaux mots."}):
        draft = editorial.start_draft(office, by=editor)
        for name, value in changes.items():
            setattr(draft, name, value)
        draft.save()
        draft.field_offices.update(note="Head office")
        editorial.publish(draft, by=editor)
    mark_reviewed([office], by=editor)
    return office


def test_the_change_log_is_reached_from_the_profile_and_passes_axe(page, office):
    page.goto(office.get_absolute_url())
    page.get_by_role("link", name="What changed in this profile").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Changes to UN Human Rights in Iraq"
    )
    expect(page.get_by_role("heading", level=2)).to_have_count(4)
    expect(page.get_by_role("main")).to_contain_text("(translation: French)")
    assert page.url.endswith(reverse("offices:changes", args=["iraq"]))
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    found = {}
    for viewport in (WIDE, PHONE):
        page.set_viewport_size(viewport)
        found[viewport["width"]] = audit(page)
        # No sideways scrolling on a phone.
        assert page.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"
        )
        page.screenshot(
            path=SCREENSHOTS_DIR / f"changelog-{viewport['width']}px.png",
            full_page=True,
        )

    assert found == {WIDE["width"]: [], PHONE["width"]: []}, "\n".join(
        describe(violations) for violations in found.values()
    )


def test_the_arabic_change_log_passes_axe_on_a_phone(page, office):
    page.set_viewport_size(PHONE)
    with translation.override("ar"):
        page.goto(reverse("offices:changes", args=["iraq"]))

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    violations = audit(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=SCREENSHOTS_DIR / "changelog-ar-390px.png", full_page=True)

    assert violations == [], describe(violations)

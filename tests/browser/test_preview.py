"""Preview what you are editing: "Save and preview" from the draft's form, the
preview at a phone's, a tablet's and a laptop's width, audited with axe."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from offices import editorial
from offices.models import Office
from tests.browser.support import DESKTOP, MOBILE, audit, describe, log_in
from tests.factories import FieldOfficeFactory, OfficeFactory, UserFactory
from tests.support import editorial_group

pytestmark = pytest.mark.browser

NEW_TEXT = "The office now also supports the national human rights institution."


@pytest.fixture
def editor(transactional_db):
    user = UserFactory(username="eda", first_name="Eda", last_name="Editor")
    user.groups.add(editorial_group("Office editors"))
    return user


@pytest.fixture
def draft(editor):
    manager = UserFactory(username="manon")
    manager.groups.add(editorial_group("Content managers"))
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        profile="The office monitors the human rights situation.",
        status=Office.Status.DRAFT,
        reviewers=[editor],
    )
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    FieldOfficeFactory(office=office, name="Erbil", position=1)
    live = editorial.publish(office, by=manager)
    return editorial.start_draft(live, by=editor)


def no_sideways_scrolling(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth"
        " <= document.documentElement.clientWidth"
    )


def test_save_and_preview_then_the_preview_at_each_width(new_context, editor, draft):
    page = new_context().new_page()
    log_in(page, editor)
    page.goto(reverse("admin:offices_office_change", args=[draft.pk]))
    # The section is folded to its summary line: its button opens it.
    page.get_by_role("button", name="Edit Profile").click()
    page.locator("#id_profile_en").fill(NEW_TEXT)
    page.get_by_role("button", name="Save and preview").click()

    expect(page).to_have_url(reverse("offices:draft", args=["iraq"]))
    expect(page.get_by_text("Pending changes – not public")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(
        "The draft of “UN Human Rights in Iraq” is saved."
    )
    expect(page.locator(".profile").get_by_text(NEW_TEXT)).to_be_visible()
    widths = page.get_by_role("navigation", name="Preview width")
    expect(widths.get_by_role("link", name="Full width")).to_have_attribute(
        "aria-current", "true"
    )
    for viewport in (DESKTOP, MOBILE):
        page.set_viewport_size(viewport)
        violations = audit(page)
        assert not violations, describe(violations)

    # The keyboard reaches the width buttons, and shows where it is.
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="View the published version").focus()
    page.keyboard.press("Tab")
    phone = widths.get_by_role("link", name="375 px")
    expect(phone).to_be_focused()
    assert phone.evaluate("a => getComputedStyle(a).outlineStyle") == "solid"
    page.keyboard.press("Enter")

    expect(page).to_have_url(reverse("offices:draft", args=["iraq"]) + "?width=375")
    expect(phone).to_have_attribute("aria-current", "true")
    article = page.locator(".profile")
    assert article.bounding_box()["width"] <= 375
    violations = audit(page)
    assert not violations, describe(violations)

    # A window narrower than the width chosen never scrolls sideways.
    page.set_viewport_size(MOBILE)
    widths.get_by_role("link", name="768 px").click()
    expect(widths.get_by_role("link", name="768 px")).to_have_attribute(
        "aria-current", "true"
    )
    assert no_sideways_scrolling(page)


def test_the_change_pages_on_a_phone_pass_axe(new_context, editor, draft):
    """The field offices' section opened on a phone: its rows stack, and the
    table's wrapper stays a named region the keyboard reaches, should a row
    still be wider, even where the table is read-only (on the published
    office's page, axe's scrollable-region-focusable)."""
    page = new_context().new_page()
    page.set_viewport_size(MOBILE)
    log_in(page, editor)
    for office in (draft, draft.draft_of):
        page.goto(reverse("admin:offices_office_change", args=[office.pk]))
        page.locator("#section-field-offices .section-toggle").click()

        table = page.locator(
            'fieldset[aria-labelledby="field_offices-heading"] > .wrapper'
        )
        expect(table).to_have_attribute("tabindex", "0")
        expect(page.get_by_role("region", name="Field offices table")).to_be_visible()
        violations = audit(page)
        assert not violations, describe(violations)

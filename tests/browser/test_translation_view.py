"""The translation view in the browser: the translator's round (what changed
in English is marked, the French updated in the draft, marked checked), the
two-column layout that stacks on a phone, axe at both widths."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from offices import editorial, freshness
from offices.models import Office, TranslationCheck
from tests.browser.support import SCREENSHOTS_DIR, audit, describe, log_in
from tests.factories import FieldOfficeFactory, MandateFactory, OfficeFactory
from tests.support import member

pytestmark = pytest.mark.browser

WIDTHS = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}


@pytest.fixture
def editor(transactional_db):
    return member("Office editors", "amina", first_name="Amina", last_name="Diallo")


def office_checked_then_changed(editor):
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        name_fr="ONU Droits de l'homme en Irak",
        profile="The office monitors detention in the north of the country.",
        profile_fr="Le Bureau surveille la détention dans le nord du pays.",
        reviewers=[editor],
    )
    FieldOfficeFactory(
        office=office, name="Baghdad", name_fr="Bagdad", is_head_office=True
    )
    FieldOfficeFactory(office=office, name="Erbil", note="Regional office")
    MandateFactory(
        office=office,
        title="Security Council resolution 2107",
        summary="Missing Kuwaiti and third-country nationals.",
    )
    freshness.mark_translation_checked(office, "fr", by=editor)
    draft = editorial.start_draft(office, by=editor)
    Office.objects.filter(pk=draft.pk).update(
        profile_en="The office monitors prisons in the north of the country."
    )
    return office, draft


def measure(page, name):
    """axe's violations, the page's height and whether it scrolls sideways,
    at each width; a full-page screenshot of each."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    found = {}
    for label, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        violations = audit(page)
        assert violations == [], describe(violations)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{width}px wide at {label}"
        found[label] = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(path=SCREENSHOTS_DIR / f"{name}-{label}px.png", full_page=True)
    print(f"{name} heights: {found}")
    return found


def test_the_translators_round(page, editor):
    office, draft = office_checked_then_changed(editor)
    log_in(page, editor)

    # Opened from the live office: the draft's translation.
    page.goto(reverse("admin:offices_office_translate", args=[office.pk, "fr"]))
    expect(page).to_have_url(
        reverse("admin:offices_office_translate", args=[draft.pk, "fr"])
    )
    expect(page.locator(".translate-state")).to_contain_text("Out of date")
    english = page.locator("#id_profile_fr-english")
    expect(english.locator("del")).to_have_text("detention")
    expect(english.locator("ins")).to_have_text("prisons")
    french = page.get_by_label("Profile in French")
    expect(french).to_have_attribute("lang", "fr")
    measure(page, "translate-fr")

    french.fill("Le Bureau surveille les prisons dans le nord du pays.")
    # The button at the top saves the form below it.
    page.get_by_role("button", name="Save draft").first.click()
    expect(page.locator(".messagelist .success")).to_contain_text("saved in the draft")
    page.get_by_role("button", name="Mark French checked").click()
    expect(page.locator(".messagelist .success")).to_contain_text("marked as checked")
    expect(page.locator(".translate-state")).to_contain_text("Up to date")
    assert TranslationCheck.objects.get(office=draft).checked_by == editor

    # Arabic runs right to left.
    page.get_by_role("link", name="Translate into Arabic").click()
    expect(page.get_by_label("Name in Arabic")).to_have_attribute("dir", "rtl")
    measure(page, "translate-ar")

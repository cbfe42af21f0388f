"""Translators in the browser: their desk, their office (read-only), and the
assignments content managers keep, with axe at a desktop and a phone width."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from offices.models import TranslationAssignment
from tests.browser.support import audit, describe, log_in, screenshot
from tests.factories import OfficeFactory, TranslationAssignmentFactory
from tests.support import member

pytestmark = pytest.mark.browser

WIDTHS = [{"width": 1366, "height": 768}, {"width": 390, "height": 844}]


@pytest.fixture
def translator(transactional_db):
    return member("Translators", "tariq", first_name="Tariq", last_name="Aziz")


@pytest.fixture
def manager(transactional_db):
    return member("Content managers", "pat", first_name="Pat", last_name="Lee")


def audit_at_both_widths(page):
    found = []
    for viewport in WIDTHS:
        page.set_viewport_size(viewport)
        found += audit(page)
    return found


def test_a_translators_desk_leads_to_the_translation_view(page, translator):
    office = OfficeFactory(name="UN Human Rights in Iraq", name_fr="Irak")
    TranslationAssignmentFactory(translator=translator, office=office, language="fr")

    log_in(page, translator)
    translations = page.get_by_role("region", name="Translations of your offices")
    link = translations.get_by_role("link", name="UN Human Rights in Iraq: French")
    expect(link).to_have_attribute(
        "href", reverse("admin:offices_office_translate", args=[office.pk, "fr"])
    )
    expect(page.get_by_role("region", name="Your reviews")).to_have_count(0)
    expect(page.get_by_role("region", name="Your translations")).to_contain_text(
        "UN Human Rights in Iraq: French"
    )
    screenshot(page, "translator-desk")

    violations = audit_at_both_widths(page)

    assert violations == [], describe(violations)


def test_a_translator_sees_their_office_read_only(page, translator):
    office = OfficeFactory(name="UN Human Rights in Iraq")
    TranslationAssignmentFactory(translator=translator, office=office, language="fr")

    log_in(page, translator)
    page.goto(reverse("admin:offices_office_changelist"))
    page.get_by_role("link", name="UN Human Rights in Iraq").click()

    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)
    expect(page.get_by_role("button", name="Edit", exact=True)).to_have_count(0)


def test_a_content_manager_assigns_a_translator(page, manager, translator):
    OfficeFactory(name="UN Human Rights in Iraq")

    log_in(page, manager)
    page.goto(reverse("admin:offices_translationassignment_add"))
    page.get_by_label("Translator").select_option(label="Tariq Aziz")
    page.get_by_label("Language").select_option(label="French")
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("Iraq")
    page.get_by_role("option", name="UN Human Rights in Iraq").click()
    violations = audit_at_both_widths(page)
    page.set_viewport_size(WIDTHS[0])
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist .success")).to_be_visible()
    assert TranslationAssignment.objects.get().translator == translator
    assert violations == [], describe(violations)

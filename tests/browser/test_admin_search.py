"""The admin's search in the browser: the header's box, its results page."""

import pytest
from playwright.sync_api import expect

from tests.browser.support import DESKTOP, MOBILE, audit, describe, log_in
from tests.factories import FieldOfficeFactory, MandateFactory, OfficeFactory
from tests.support import member

pytestmark = pytest.mark.browser


@pytest.fixture
def editor(transactional_db):
    return member("Office editors", "amina", first_name="Amina", last_name="Diallo")


def page_width(page):
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_search_from_the_header_to_an_offices_section(page, editor):
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        name_ar="مفوضية حقوق الإنسان في العراق",
        reviewers=[editor],
    )
    FieldOfficeFactory(office=office, name="Erbil", name_fr="Erbil (Kurdistan)")
    MandateFactory(office=office, title="Résolution sur l'Irak")
    # Results one above the other: their links must be large enough targets.
    MandateFactory.create_batch(2, office=office, title="Resolution 2107")
    log_in(page, editor)

    for viewport in (DESKTOP, MOBILE):
        page.set_viewport_size(viewport)
        search = page.get_by_role("search")
        expect(search.get_by_label("Search the admin")).to_be_visible()
        assert page_width(page) <= viewport["width"]
        violations = audit(page)
        assert violations == [], describe(violations)

    page.set_viewport_size(DESKTOP)
    page.get_by_role("search").get_by_label("Search the admin").fill("العراق")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    results = page.get_by_role("region", name="Offices (1)")
    expect(results.get_by_role("link", name="UN Human Rights in Iraq")).to_be_visible()

    page.get_by_label("Search the admin").fill("resolution")
    page.keyboard.press("Enter")
    for viewport in (DESKTOP, MOBILE):
        page.set_viewport_size(viewport)
        expect(page.get_by_role("region", name="Mandates (3)")).to_be_visible()
        assert page_width(page) <= viewport["width"]
        violations = audit(page)
        assert violations == [], describe(violations)

    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="Résolution sur l'Irak").click()
    expect(page).to_have_url(f"{page.url.split('#')[0]}#section-mandates")
    expect(page.locator("#section-mandates")).to_be_in_viewport()

"""What a reader of the public site does: find a profile and read it."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from offices.models import Office
from tests.browser.support import log_in

pytestmark = pytest.mark.browser

IRAQ = "UN Human Rights in Iraq"


def test_reader_filters_searches_and_reads_the_iraq_profile(page, demo):
    page.goto(reverse("offices:index"))
    filters = page.get_by_role("search")
    # The list's links (the map above it links the same offices).
    offices = page.locator(".office-list").get_by_role(
        "link", name="UN Human Rights in"
    )

    filters.get_by_label("Thematic pillar").select_option(label="Accountability")
    filters.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"[?&]pillar=accountability"))
    expect(offices).to_have_text([IRAQ, "UN Human Rights in Tunisia"])

    filters.get_by_label("Search").fill("Erbil")
    filters.get_by_label("Search").press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=Erbil"))
    expect(offices).to_have_text([IRAQ])
    offices.first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(IRAQ)
    for heading in (
        "Profile",
        "Type of engagement",
        "Year established",
        "Field offices",
        "Mandates",
        "UN Human Rights Focus Areas",
        "Thematic pillars",
        "Shifts",
        "Spotlight populations",
    ):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    main = page.get_by_role("main")
    for fact in (
        "Human Rights Every Day for All Iraqis",
        "Human rights office within a political mission",
        "2003",
        "Baghdad",
        "Mosul",
        "Security Council resolution 2522 (2020)",
        "Strengthening rule of law and accountability for human rights violations",
        "Inequalities",
        "Women",
        "Last reviewed: May 2021",
    ):
        expect(main).to_contain_text(fact)
    expect(
        page.get_by_role(
            "link", name="More information on the work carried out by the UNAMI office."
        )
    ).to_be_visible()


@pytest.fixture
def iraq_draft(demo):
    iraq = Office.objects.get(slug="iraq")
    iraq.status = Office.Status.DRAFT
    iraq.save()
    return iraq


def test_draft_is_hidden_from_readers(page, iraq_draft):
    assert page.goto(iraq_draft.get_absolute_url()).status == 404

    page.goto(reverse("offices:index"))
    listed = page.locator(".office-list")
    expect(
        listed.get_by_role("link", name="UN Human Rights in Tunisia")
    ).to_be_visible()
    expect(page.get_by_role("link", name=IRAQ)).to_have_count(0)


def test_draft_is_shown_to_staff_with_a_banner(page, iraq_draft, staff_user):
    log_in(page, staff_user)

    assert page.goto(iraq_draft.get_absolute_url()).status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(IRAQ)
    expect(page.get_by_text("Draft – not public")).to_be_visible()
    expect(page.get_by_role("link", name="Edit in admin")).to_be_visible()

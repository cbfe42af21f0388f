"""The three daily walks of the editor's workspace, end to end in Chromium,
with axe-core and the width checked on every page at 1366 and 390 px:

- the editor's morning: the desk → a due review → edit → save → preview →
  submit for publication;
- the publisher's: the draft awaiting publication → what it changes →
  publish; then a version from History loaded into a draft;
- the translator's: the desk's "French out of date" → the translation view
  showing the English words that changed → the French updated → marked
  checked → submitted.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from offices import editorial, freshness
from offices.models import Office, PublicationRequest, ReviewRecord, TranslationCheck
from tests.browser.support import PHONE, WIDE, audit, describe, log_in
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    TranslationAssignmentFactory,
)
from tests.support import member

pytestmark = pytest.mark.browser

WIDTHS = [WIDE, PHONE]
OLD_TEXT = "The office monitors detention in the north of the country."
NEW_TEXT = "The office monitors prisons in the north of the country."


def check_page(page, name):
    """axe finds nothing and nothing scrolls sideways, at both widths; the
    page is left at the desktop width."""
    for viewport in WIDTHS:
        page.set_viewport_size(viewport)
        violations = audit(page)
        assert violations == [], f"{name} at {viewport['width']}px:\n" + describe(
            violations
        )
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= viewport["width"], f"{name}: {width}px wide"
    page.set_viewport_size(WIDTHS[0])


def in_view(locator):
    """Whether the element is inside the window (not only on the page)."""
    return locator.evaluate(
        "(el) => { const r = el.getBoundingClientRect();"
        " return r.bottom > 0 && r.top < window.innerHeight; }"
    )


@pytest.fixture
def people(transactional_db):
    return {
        "editor": member(
            "Office editors", "amina", first_name="Amina", last_name="Diallo"
        ),
        "publisher": member(
            "Content managers", "pat", first_name="Pat", last_name="Lee"
        ),
        "translator": member(
            "Translators", "claire", first_name="Claire", last_name="Dubois"
        ),
    }


@pytest.fixture
def iraq(people):
    """Iraq, published, its review overdue, translated into French and that
    translation checked against the English of the day."""
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        name_fr="ONU Droits de l'homme en Irak",
        profile=OLD_TEXT,
        profile_fr="Le Bureau surveille la détention dans le nord du pays.",
        status=Office.Status.DRAFT,
        last_reviewed=timezone.localdate() - datetime.timedelta(days=400),
        reviewers=[people["editor"]],
    )
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    FieldOfficeFactory(office=office, name="Erbil")
    MandateFactory(office=office, title="Security Council resolution 2107")
    office = editorial.publish(office, by=people["publisher"])
    freshness.mark_translation_checked(office, "fr", by=people["editor"])
    return office


def expect_public_text(new_context, office, shown, hidden):
    reader = new_context().new_page()
    reader.goto(office.get_absolute_url())
    expect(reader.get_by_text(shown).first).to_be_visible()
    expect(reader.get_by_text(hidden)).to_have_count(0)


def test_the_editors_morning(new_context, people, iraq):
    page = new_context().new_page()
    log_in(page, people["editor"])

    # The desk: the overdue review, linked to the review panel.
    check_page(page, "desk")
    reviews = page.get_by_role("region", name="Your reviews")
    expect(reviews).to_contain_text("Overdue since")
    reviews.get_by_role("link", name="UN Human Rights in Iraq").click()
    # The link leads to the review panel itself.
    assert page.url.endswith("#review-actions")
    review = page.locator("#review-actions")
    expect(review).to_contain_text("Next review due")
    check_page(page, "live office")
    review.get_by_role("button", name="Mark as reviewed today").click()
    expect(page.locator(".messagelist .success")).to_contain_text("reviewed today")
    assert ReviewRecord.objects.filter(office=iraq, reviewed_by=people["editor"])

    # Edit in a draft: a Save button is in view at the top and halfway down.
    page.get_by_role("button", name="Edit", exact=True).click()
    save = page.get_by_role("button", name="Save draft")
    assert in_view(save)
    page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight / 2)")
    assert in_view(save)
    check_page(page, "draft")
    page.get_by_role("button", name="Edit Profile").click()
    page.locator("#id_profile_en").fill(NEW_TEXT)
    save.click()
    # The page opens at the top, the confirmation in view.
    message = page.locator(".messagelist .success")
    expect(message).to_contain_text("is saved")
    assert in_view(message)
    assert page.evaluate("window.scrollY") == 0
    expect(page.locator("#action-state")).to_contain_text("Draft, saved")

    # The preview shows the saved draft; the public still the old text.
    page.get_by_role("link", name="Preview", exact=True).click()
    expect(page.get_by_text(NEW_TEXT).first).to_be_visible()
    check_page(page, "preview")
    expect_public_text(new_context, iraq, shown=OLD_TEXT, hidden=NEW_TEXT)
    page.go_back()

    # Submitted for publication, with a word for the publishers.
    page.get_by_role("link", name="Submit for publication…").click()
    check_page(page, "submit")
    page.get_by_label("Message to the publishers").fill("The new wording.")
    page.get_by_role("button", name="Submit for publication").click()
    expect(page.locator("#action-state")).to_have_text("Awaiting publication")
    request = PublicationRequest.objects.get()
    assert request.requested_by == people["editor"]
    assert request.is_pending


def test_the_publishers_round(new_context, people, iraq):
    draft = editorial.start_draft(iraq, by=people["editor"])
    Office.objects.filter(pk=draft.pk).update(profile_en=NEW_TEXT)
    editorial.submit_for_publication(
        draft, by=people["editor"], message="The new wording."
    )

    page = new_context().new_page()
    log_in(page, people["publisher"])

    # What awaits publication, and what it changes, word by word.
    awaiting = page.get_by_role("region", name="Drafts awaiting publication")
    check_page(page, "publisher's desk")
    awaiting.get_by_role("link", name="UN Human Rights in Iraq").click()
    changes = page.locator("#draft-banner table")
    expect(changes.locator("del")).to_have_text("detention")
    expect(changes.locator("ins")).to_have_text("prisons")
    expect(page.locator("#publication")).to_contain_text("The new wording.")
    check_page(page, "draft awaiting publication")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messagelist .success")).to_have_text(
        "“UN Human Rights in Iraq” is published."
    )
    expect_public_text(new_context, iraq, shown=NEW_TEXT, hidden=OLD_TEXT)

    # The version before, loaded into a draft: nothing public changes.
    page.get_by_role("link", name="History").click()
    check_page(page, "history")
    page.get_by_role("link", name="Load this version into the draft…").first.click()
    check_page(page, "revert confirmation")
    page.get_by_role("button", name="Yes, load it into the draft").click()
    expect(page.locator(".messagelist .success")).to_contain_text(
        "loaded into the draft"
    )
    expect(page.locator("#draft-banner table")).to_contain_text(OLD_TEXT)
    expect_public_text(new_context, iraq, shown=NEW_TEXT, hidden=OLD_TEXT)


def test_the_translators_round(new_context, people, iraq):
    TranslationAssignmentFactory(
        translator=people["translator"], office=iraq, language="fr"
    )
    # The English changes after the French was checked.
    draft = editorial.start_draft(iraq, by=people["editor"])
    Office.objects.filter(pk=draft.pk).update(profile_en=NEW_TEXT)
    editorial.publish(Office.objects.get(pk=draft.pk), by=people["publisher"])

    page = new_context().new_page()
    log_in(page, people["translator"])

    # The desk says which translation is out of date, and leads to it.
    check_page(page, "translator's desk")
    page.get_by_role("link", name="UN Human Rights in Iraq: French").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("French")
    expect(page.locator(".translate-state")).to_contain_text("Out of date")
    english = page.locator("#id_profile_fr-english")
    expect(english.locator("del")).to_have_text("detention")
    expect(english.locator("ins")).to_have_text("prisons")
    check_page(page, "translation view")

    # The French updated, saved in a draft, checked and submitted.
    french = page.get_by_label("Profile in French")
    expect(french).to_have_attribute("lang", "fr")
    french.fill("Le Bureau surveille les prisons dans le nord du pays.")
    page.get_by_role("button", name="Save draft").first.click()
    expect(page.locator(".messagelist .success")).to_contain_text("saved in the draft")
    page.get_by_role("button", name="Mark French checked").click()
    expect(page.locator(".translate-state")).to_contain_text("Up to date")
    check_page(page, "translation view, checked")
    draft = Office.objects.get(draft_of=iraq)
    assert TranslationCheck.objects.get(office=draft).checked_by == people["translator"]
    page.get_by_role("link", name="Submit for publication…").click()
    check_page(page, "submit")
    page.get_by_label("Message to the publishers").fill("French updated.")
    page.get_by_role("button", name="Submit for publication").click()
    expect(page.locator("#action-state")).to_have_text("Awaiting publication")
    assert (
        PublicationRequest.objects.get(office=draft).requested_by
        == (people["translator"])
    )


def test_every_action_of_the_draft_page_is_reached_by_the_keyboard(
    new_context, people, iraq
):
    """Tab reaches each button and link of the action bar and the side panel,
    in turn, and each shows where the focus is."""
    draft = editorial.start_draft(iraq, by=people["editor"])
    page = new_context().new_page()
    log_in(page, people["editor"])
    page.goto(reverse("admin:offices_office_change", args=[draft.pk]))
    actions = page.locator(
        "#office_form .submit-row :is(a, input, button):visible,"
        " .office-panel :is(a, input:not([type=hidden]), button, textarea):visible"
    )
    wanted = {
        actions.nth(i).evaluate("el => el.outerHTML") for i in range(actions.count())
    }
    assert len(wanted) >= 8

    reached = set()
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate_handle("document.activeElement")
        html = focused.evaluate("el => el.outerHTML")
        if html in wanted:
            reached.add(html)
            style = focused.evaluate(
                "el => { const s = getComputedStyle(el);"
                " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"
            )
            assert style[0] != "none" or style[2] != "none", html
        if reached == wanted:
            break

    assert reached == wanted, wanted - reached

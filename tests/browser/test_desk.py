"""The editor's desk in the browser: the morning round, the sectioned form."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from offices import editorial
from offices.models import Office, PublicationRequest, ReviewRecord
from tests.browser.support import audit, describe, log_in
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
)
from tests.support import member

pytestmark = pytest.mark.browser


@pytest.fixture
def editor(transactional_db):
    return member("Office editors", "amina", first_name="Amina", last_name="Diallo")


@pytest.fixture
def publisher(transactional_db):
    return member("Content managers", "pat", first_name="Pat", last_name="Lee")


def test_the_editors_morning(page, editor, publisher):
    overdue = OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        last_reviewed=timezone.localdate() - datetime.timedelta(days=400),
        reviewers=[editor],
    )
    FieldOfficeFactory(office=overdue, name="Baghdad", is_head_office=True)

    # The desk: what is due, linked to where it is done.
    log_in(page, editor)
    reviews = page.get_by_role("region", name="Your reviews")
    expect(reviews).to_contain_text("Overdue since")
    reviews.get_by_role("link", name="UN Human Rights in Iraq").click()

    # Review it.
    expect(page.get_by_role("heading", name="UN Human Rights in Iraq")).to_be_visible()
    page.get_by_role("button", name="Mark as reviewed today").click()
    expect(page.locator(".messagelist .success")).to_contain_text("reviewed today")
    assert ReviewRecord.objects.filter(office=overdue, reviewed_by=editor).exists()

    # Change it in a draft, and ask for it to be published.
    page.get_by_role("button", name="Edit", exact=True).click()
    page.get_by_role("link", name="Profile", exact=True).click()
    page.locator("#id_profile_en").fill("New profile.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messagelist .success")).to_contain_text("draft")
    page.get_by_role("link", name="Submit for publication…").click()
    page.get_by_label("Message to the publishers").fill("New profile text.")
    page.get_by_role("button", name="Submit for publication").click()

    expect(page.locator("#awaiting-publication")).to_contain_text(
        "Awaiting publication"
    )
    expect(page.locator("#publication")).to_contain_text("New profile text.")
    assert PublicationRequest.objects.get().requested_by == editor
    assert [m.to for m in mail.outbox] == [[publisher.email]]

    # Back on the desk, the request is listed as the editor's own.
    page.goto(reverse("admin:index"))
    expect(
        page.get_by_role("region", name="Your drafts awaiting publication")
    ).to_contain_text("UN Human Rights in Iraq")
    expect(page.get_by_role("region", name="Your recent activity")).to_contain_text(
        "Submit for publication"
    )


def test_a_sent_back_draft_stays_on_the_editors_desk(page, editor, publisher):
    office = OfficeFactory(
        name="UN Human Rights in Iraq", slug="iraq", reviewers=[editor]
    )
    draft = editorial.start_draft(office, by=editor)
    editorial.submit_for_publication(draft, by=editor, message="New figures.")
    editorial.send_back(draft, by=publisher, comment="The figures need a source.")

    log_in(page, editor)
    sent_back = page.get_by_role("region", name="Your drafts sent back")
    expect(sent_back).to_contain_text("sent back by Pat Lee")
    expect(sent_back).to_contain_text("The figures need a source.")
    expect(
        page.get_by_role("region", name="Your drafts awaiting publication")
    ).not_to_contain_text("UN Human Rights in Iraq")

    # The link opens the draft itself, where the comment is too.
    sent_back.get_by_role("link", name="UN Human Rights in Iraq").click()
    expect(page).to_have_url(
        page.url.split("/admin/")[0]
        + reverse("admin:offices_office_change", args=[draft.pk])
    )
    expect(page.locator("#sent-back")).to_contain_text("Sent back")
    expect(page.locator("#publication")).to_contain_text("The figures need a source.")


def test_a_due_review_links_to_the_review_panel(page, editor):
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        last_reviewed=timezone.localdate() - datetime.timedelta(days=400),
        reviewers=[editor],
    )

    log_in(page, editor)
    page.get_by_role("region", name="Your reviews").get_by_role(
        "link", name="UN Human Rights in Iraq"
    ).click()

    expect(page).to_have_url(
        page.url.split("/admin/")[0]
        + reverse("admin:offices_office_change", args=[office.pk])
        + "#review-actions"
    )
    expect(
        page.get_by_role("button", name="Mark as reviewed today")
    ).to_be_in_viewport()


@pytest.fixture
def draft(publisher):
    office = OfficeFactory(name="UN Human Rights in Iraq", slug="iraq")
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    MandateFactory(office=office, title="Resolution 2522")
    return editorial.start_draft(office, by=publisher)


def test_the_change_page_has_no_wcag_violations(page, publisher, draft):
    log_in(page, publisher)

    page.goto(reverse("admin:offices_office_change", args=[draft.pk]))
    violations = audit(page)

    assert violations == [], describe(violations)


def test_the_change_page_with_errors_has_no_wcag_violations(page, publisher, draft):
    log_in(page, publisher)
    page.goto(reverse("admin:offices_office_change", args=[draft.pk]))
    page.locator("#id_name_en").fill("")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".errornote")).to_be_visible()

    violations = audit(page)

    assert violations == [], describe(violations)


def test_a_section_with_an_error_is_marked_and_its_field_focused(
    page, publisher, draft
):
    log_in(page, publisher)
    page.goto(reverse("admin:offices_office_change", args=[draft.pk]))
    page.locator("#id_name_en").fill("")
    page.get_by_role("button", name="Save draft").click()

    menu = page.get_by_role("navigation", name="Sections of the form")
    expect(menu.get_by_role("link", name="Identity (has errors)")).to_be_visible()
    expect(menu.get_by_role("link", name="Profile", exact=True)).to_be_visible()
    expect(page.locator("#id_name_en")).to_be_focused()


def test_the_section_menu_stays_in_view_and_jumps_to_a_section(page, publisher, draft):
    log_in(page, publisher)
    page.goto(reverse("admin:offices_office_change", args=[draft.pk]))

    menu = page.get_by_role("navigation", name="Sections of the form")
    menu.get_by_role("link", name="Closure").click()

    expect(page).to_have_url(page.url.split("#")[0] + "#section-closure")
    expect(page.get_by_label("Closed on")).to_be_in_viewport()
    expect(menu).to_be_in_viewport()


def test_unsaved_changes_warn_before_leaving_but_not_on_save(page, publisher, draft):
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", on_dialog)
    log_in(page, publisher)
    change = reverse("admin:offices_office_change", args=[draft.pk])
    page.goto(change)
    page.get_by_label("Host mission").fill("UNAMI")

    page.get_by_role("link", name="Preview", exact=True).click()
    page.wait_for_timeout(300)

    assert dialogs == ["beforeunload"]
    assert page.url.endswith(change)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messagelist .success")).to_contain_text("draft")
    assert dialogs == ["beforeunload"]
    assert Office.objects.get(pk=draft.pk).host_mission == "UNAMI"

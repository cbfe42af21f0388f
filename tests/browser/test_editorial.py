"""The editor's day: a published profile changed in a draft, previewed,
published by a content manager, and reverted from its history into a draft
that is published in turn; and the pages that ask before the public site
changes, audited with axe at both widths."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from reversion.models import Version

from offices import editorial
from offices.models import Office
from tests.browser.support import DESKTOP, MOBILE, audit, describe, log_in
from tests.factories import OfficeFactory, UserFactory
from tests.support import editorial_group

pytestmark = pytest.mark.browser

OLD_TEXT = "The office monitors the human rights situation across the country."
NEW_TEXT = "The office now also supports the national human rights institution."


@pytest.fixture
def people(transactional_db):
    editor = UserFactory(username="eda", first_name="Eda", last_name="Editor")
    editor.groups.add(editorial_group("Office editors"))
    manager = UserFactory(username="manon", first_name="Manon", last_name="Manager")
    manager.groups.add(editorial_group("Content managers"))
    return editor, manager


@pytest.fixture
def iraq(people):
    """A published profile with one version in its history: its text today."""
    editor, manager = people
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        profile=OLD_TEXT,
        status=Office.Status.DRAFT,
        reviewers=[editor],
    )
    return editorial.publish(office, by=manager)


def expect_public_text(new_context, office, shown, hidden):
    """What a reader sees now (a new reader: public pages may be cached)."""
    reader = new_context().new_page()
    reader.goto(office.get_absolute_url())
    expect(reader.get_by_text(shown)).to_be_visible()
    expect(reader.get_by_text(hidden)).to_have_count(0)


def test_the_editors_day(new_context, people, iraq):
    editor, manager = people

    # The office editor changes the live profile in a draft.
    page = new_context().new_page()
    log_in(page, editor)
    page.goto(reverse("admin:offices_office_changelist"))
    page.get_by_role("link", name="UN Human Rights in Iraq").click()
    page.get_by_role("button", name="Edit", exact=True).click()
    expect(page.locator("#draft-banner h2")).to_have_text(
        "Draft of UN Human Rights in Iraq — not public"
    )
    # The section is folded to its summary line: its button opens it.
    page.get_by_role("button", name="Edit Profile").click()
    page.locator("#id_profile_en").fill(NEW_TEXT)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messagelist .success")).to_contain_text(
        "The draft of “UN Human Rights in Iraq” is saved."
    )
    expect(page.locator("#draft-banner table")).to_contain_text(NEW_TEXT)
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)

    # The preview shows the new text with the banner; the public the old one.
    page.get_by_role("link", name="Preview", exact=True).click()
    expect(page.get_by_text("Pending changes – not public")).to_be_visible()
    expect(page.get_by_text(NEW_TEXT).first).to_be_visible()
    expect_public_text(new_context, iraq, shown=OLD_TEXT, hidden=NEW_TEXT)

    # A content manager publishes it.
    page = new_context().new_page()
    log_in(page, manager)
    page.goto(reverse("admin:offices_office_change", args=[iraq.pk]))
    expect(page.locator("#editorial-state")).to_contain_text(
        "changes that are not published yet"
    )
    page.get_by_role("link", name="Open the draft").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messagelist .success")).to_have_text(
        "“UN Human Rights in Iraq” is published."
    )
    expect_public_text(new_context, iraq, shown=NEW_TEXT, hidden=OLD_TEXT)

    # The manager reverts it to the version before, from its history.
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "History of “UN Human Rights in Iraq”"
    )
    expect(page.locator(".editorial-changes")).to_contain_text(NEW_TEXT)
    page.get_by_role("link", name="Load this version into the draft…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("into the draft?")
    expect(page.locator("#content-main")).to_contain_text(
        "The public keeps seeing the published version"
    )
    page.get_by_role("button", name="Yes, load it into the draft").click()
    expect(page.locator(".messagelist .success")).to_contain_text(
        "loaded into the draft. Publish it to make it public."
    )
    # Nothing public changed: publishing the draft is its own step.
    expect_public_text(new_context, iraq, shown=NEW_TEXT, hidden=OLD_TEXT)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messagelist .success")).to_have_text(
        "“UN Human Rights in Iraq” is published."
    )
    expect_public_text(new_context, iraq, shown=OLD_TEXT, hidden=NEW_TEXT)


def confirmation_pages(page, manager, iraq):
    """(name, how to open it) of each page that asks before the public site
    changes: unpublish, revert into a draft, discard, the list's actions."""
    draft = editorial.start_draft(iraq, by=manager)
    Office.objects.filter(pk=draft.pk).update(profile=NEW_TEXT)
    version = Version.objects.get_for_object(iraq).first()
    chad = OfficeFactory(name="UN Human Rights in Chad", slug="chad")

    def run_action(action):
        def open_page():
            page.goto(reverse("admin:offices_office_changelist"))
            page.locator(f'input[name="_selected_action"][value="{chad.pk}"]').check()
            page.locator('select[name="action"]').select_option(action)
            page.locator('button[name="index"]').first.click()
            expect(page.locator("#public-outcome")).to_be_visible()

        return open_page

    return [
        ("unpublish", lambda: page.goto(url("unpublish", iraq))),
        ("revert", lambda: page.goto(url("revert", iraq, version.pk))),
        ("discard", lambda: page.goto(url("discard_draft", draft))),
        ("publish-action", run_action("publish")),
        ("move-to-draft-action", run_action("move_to_draft")),
    ]


def url(name, office, *args):
    return reverse(f"admin:offices_office_{name}", args=[office.pk, *args])


def test_the_confirmation_pages_have_no_wcag_violations(new_context, people, iraq):
    _editor, manager = people
    page = new_context().new_page()
    log_in(page, manager)

    found = {}
    for name, open_page in confirmation_pages(page, manager, iraq):
        for viewport in (DESKTOP, MOBILE):
            page.set_viewport_size(viewport)
            open_page()
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            violations = audit(page)
            if violations:
                found[f"{name} at {viewport['width']}px"] = describe(violations)

    assert found == {}, "\n".join(f"{k}:\n{v}" for k, v in found.items())
    # Opening them changed nothing.
    iraq.refresh_from_db()
    assert iraq.is_published
    assert Office.objects.filter(draft_of=iraq, profile=NEW_TEXT).exists()
    assert Office.objects.get(slug="chad").is_published

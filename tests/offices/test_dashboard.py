"""The editor's desk on the admin index: per role, linked, constant queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from audit.models import AuditEntry
from offices import dashboard, editorial, freshness, reviews
from tests.factories import OfficeFactory, UserFactory
from tests.support import (
    SIGNED_IN_QUERIES,
    change_url,
    member,
    signed_in,
)

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")


def months_ago(months, days=0):
    today = timezone.localdate()
    return today - datetime.timedelta(days=round(months * 30.44) + days)


@pytest.fixture
def editor(db):
    return member("Office editors", "amina")


@pytest.fixture
def publisher(db):
    return member("Content managers", "pat")


def section(response, name):
    text = response.text
    start = text.index(f'id="desk-{name}"')
    return text[start : text.index("</section>", start)]


def test_my_overdue_and_due_soon_offices_link_to_their_pages(editor):
    overdue = OfficeFactory(
        name="Overdue office", last_reviewed=months_ago(13), reviewers=[editor]
    )
    never = OfficeFactory(name="Never reviewed office", reviewers=[editor])
    soon = OfficeFactory(
        name="Soon office", last_reviewed=months_ago(11.5), reviewers=[editor]
    )
    OfficeFactory(name="Fresh office", last_reviewed=months_ago(2), reviewers=[editor])
    OfficeFactory(name="Someone else's", last_reviewed=months_ago(13))
    OfficeFactory(
        name="Closed office",
        last_reviewed=months_ago(30),
        closed_on=datetime.date(2024, 1, 1),
        reviewers=[editor],
    )

    reviews_panel = section(signed_in(editor).get(INDEX), "reviews")

    # Each links to its review panel.
    for office in (overdue, never, soon):
        assert f'href="{change_url(office)}#review-actions"' in reviews_panel
    assert reviews_panel.index("Never reviewed office") < reviews_panel.index(
        "Overdue office"
    )
    assert reviews_panel.index("Overdue office") < reviews_panel.index("Soon office")
    assert "Overdue since" in reviews_panel
    for absent in ("Fresh office", "Someone else", "Closed office"):
        assert absent not in reviews_panel


def test_nothing_due_says_so(editor):
    response = signed_in(editor).get(INDEX)

    assert "None of your offices is overdue" in section(response, "reviews")


@pytest.fixture
def requests(editor, publisher):
    """Two drafts awaiting publication: one by the editor, one by someone else."""
    mine = OfficeFactory(name="Iraq", reviewers=[editor])
    other_editor = member("Office editors", "bob")
    theirs = OfficeFactory(name="Syria", reviewers=[other_editor])
    mine_draft = editorial.start_draft(mine, by=editor)
    theirs_draft = editorial.start_draft(theirs, by=other_editor)
    editorial.submit_for_publication(mine_draft, by=editor, message="Mine.")
    editorial.submit_for_publication(theirs_draft, by=other_editor, message="Theirs.")
    return mine_draft, theirs_draft


def test_publishers_see_every_draft_awaiting_publication(publisher, requests):
    panel = section(signed_in(publisher).get(INDEX), "drafts")

    assert "Drafts awaiting publication" in panel
    for draft in requests:
        assert f'href="{change_url(draft)}"' in panel


def test_editors_see_their_own_drafts_awaiting_publication(editor, requests):
    mine, _theirs = requests

    panel = section(signed_in(editor).get(INDEX), "drafts")

    assert "Your drafts awaiting publication" in panel
    assert f'href="{change_url(mine)}"' in panel
    assert "Syria" not in panel


def test_a_sent_back_draft_no_longer_awaits(publisher, requests):
    mine, _theirs = requests
    editorial.send_back(mine, by=publisher, comment="No.")

    panel = section(signed_in(publisher).get(INDEX), "drafts")

    assert "Iraq" not in panel


def test_my_sent_back_drafts_show_who_sent_them_back_when_and_why(
    editor, publisher, requests
):
    mine, _theirs = requests
    editorial.send_back(mine, by=publisher, comment="The figures need a source.")
    mine.publication_request.refresh_from_db()
    answered_at = mine.publication_request.answered_at

    response = signed_in(editor).get(INDEX)
    panel = section(response, "sent-back")

    assert "Your drafts sent back" in panel
    assert f'href="{change_url(mine)}"' in panel
    assert "Iraq" in panel
    assert "sent back by pat" in panel
    assert (
        formats.date_format(timezone.localtime(answered_at), "DATETIME_FORMAT") in panel
    )
    assert "The figures need a source." in panel
    assert "Iraq" not in section(response, "drafts")


def test_only_the_editor_who_submitted_sees_their_sent_back_draft(
    editor, publisher, requests
):
    _mine, theirs = requests
    editorial.send_back(theirs, by=publisher, comment="No.")

    assert 'id="desk-sent-back"' not in signed_in(editor).get(INDEX).text
    assert 'id="desk-sent-back"' not in signed_in(publisher).get(INDEX).text


def test_a_resubmitted_or_discarded_draft_leaves_the_sent_back_panel(
    editor, publisher, requests
):
    mine, _theirs = requests
    editorial.send_back(mine, by=publisher, comment="No.")
    editorial.submit_for_publication(mine, by=editor, message="Fixed.")

    response = signed_in(editor).get(INDEX)

    assert 'id="desk-sent-back"' not in response.text
    assert f'href="{change_url(mine)}"' in section(response, "drafts")

    editorial.send_back(mine, by=publisher, comment="Still no.")
    editorial.discard_draft(mine, by=editor)

    assert not dashboard.sent_back(editor).exists()
    assert 'id="desk-sent-back"' not in signed_in(editor).get(INDEX).text


def test_sent_back_drafts_list_the_latest_answer_first(editor, publisher):
    for name in ("Iraq", "Syria"):
        draft = editorial.start_draft(OfficeFactory(name=name), by=editor)
        editorial.submit_for_publication(draft, by=editor, message="Please.")
        editorial.send_back(draft, by=publisher, comment=f"{name}: no.")

    panel = section(signed_in(editor).get(INDEX), "sent-back")

    assert panel.index("Syria: no.") < panel.index("Iraq: no.")


@pytest.mark.parametrize("size", [1, 15])
def test_each_panel_is_one_query_at_any_size(
    editor, publisher, size, django_assert_max_num_queries, monkeypatch
):
    _limit, window = editorial.SUBMISSIONS_PER_EDITOR
    monkeypatch.setattr(editorial.moderation, "SUBMISSIONS_PER_EDITOR", (size, window))
    for index in range(size):
        office = OfficeFactory(
            last_reviewed=months_ago(13 if index % 2 else 11.5),
            reviewers=[editor],
            name_fr=f"Bureau {index}",
        )
        draft = editorial.start_draft(office, by=editor)
        editorial.submit_for_publication(draft, by=editor, message="Please.")
        if index % 2:
            editorial.send_back(draft, by=publisher, comment=f"No {index}.")
    today = timezone.localdate()
    overdue, due_soon = dashboard.my_reviews(editor, today)
    awaiting, _for_publisher = dashboard.awaiting_publication(editor)
    # Each panel, and what the desk shows of its rows.
    panels = {
        "overdue": (overdue, lambda office: office.name),
        "due soon": (due_soon, lambda office: office.name),
        "awaiting": (
            awaiting,
            lambda request: (request.office.draft_of.name, request.requested_by),
        ),
        "sent back": (
            dashboard.sent_back(editor),
            lambda request: (request.office.draft_of.name, request.answered_by),
        ),
    }

    for name, (queryset, shown) in panels.items():
        with django_assert_max_num_queries(1):
            panel = dashboard.Panel.of(queryset)
            for row in panel.rows:
                shown(row)
        assert panel.rows or size == 1, name
    with django_assert_max_num_queries(1):
        translations = dashboard.outdated_translations(editor)
    assert translations


def test_my_recent_activity_links_to_the_office(editor):
    office = OfficeFactory(name="Iraq", reviewers=[editor])
    reviews.mark_reviewed([office], by=editor)
    AuditEntry.objects.record(
        AuditEntry.Action.PUBLISH, OfficeFactory(name="Not mine"), actor=UserFactory()
    )

    panel = section(signed_in(editor).get(INDEX), "activity")

    assert "Mark reviewed" in panel
    assert f'href="{change_url(office)}"' in panel
    assert "Not mine" not in panel


def test_the_translation_panel_is_empty_until_translations_exist(editor):
    OfficeFactory(reviewers=[editor])

    assert dashboard.outdated_translations(editor) == []
    assert 'id="desk-translations"' not in signed_in(editor).get(INDEX).text


def test_the_translation_panel_lists_my_out_of_date_translations(editor):
    office = OfficeFactory(name="Iraq", reviewers=[editor])
    office.name_fr = "Irak"
    office.save()
    OfficeFactory(name="Syria", reviewers=[editor])  # English only: nothing to check

    panel = section(signed_in(editor).get(INDEX), "translations")

    # Linked to the translation view of that office and language.
    url = reverse("admin:offices_office_translate", args=[office.pk, "fr"])
    assert f'href="{url}"' in panel
    assert "Iraq: French never checked" in panel
    assert "Syria" not in panel


def test_a_checked_translation_leaves_the_panel(editor):
    office = OfficeFactory(name="Iraq", reviewers=[editor])
    office.name_fr = "Irak"
    office.save()
    freshness.mark_translation_checked(office, "fr", by=editor)

    assert 'id="desk-translations"' not in signed_in(editor).get(INDEX).text


def test_staff_without_office_permissions_get_no_desk(client):
    client.force_login(UserFactory(username="nobody"))

    assert 'id="desk"' not in client.get(INDEX).text


@pytest.mark.parametrize("size", [1, 15])
def test_the_desk_costs_the_same_queries_at_any_size(
    publisher, editor, size, django_assert_max_num_queries, monkeypatch
):
    # One editor submits every draft: more than editorial's hourly limit.
    _limit, window = editorial.SUBMISSIONS_PER_EDITOR
    monkeypatch.setattr(editorial.moderation, "SUBMISSIONS_PER_EDITOR", (size, window))
    for index in range(size):
        office = OfficeFactory(
            last_reviewed=months_ago(13 if index % 2 else 11.5),
            reviewers=[editor, publisher],
            name_fr=f"Bureau {index}",  # a translation never checked
        )
        draft = editorial.start_draft(office, by=editor)
        # Every other draft the publisher's own, sent back by the editor.
        by = publisher if index % 2 else editor
        editorial.submit_for_publication(draft, by=by, message="Please.")
        if index % 2:
            editorial.send_back(draft, by=editor, comment="No.")
        reviews.mark_reviewed([office], by=publisher)
    client = signed_in(publisher)

    # The index's own (session, user, device, permissions, the app list) and
    # one per panel (the sent-back drafts' too), plus the names of the
    # activity's offices.
    with django_assert_max_num_queries(SIGNED_IN_QUERIES + 12):
        response = client.get(INDEX)

    assert response.status_code == 200
    assert 'id="desk-translations"' in response.text
    if size > 1:
        assert 'id="desk-sent-back"' in response.text

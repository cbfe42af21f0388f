"""Limits on "please publish" emails: 3 submissions per draft per day, 10 per
editor per hour, counted from the audit trail, refused past that with the
time when it is possible again."""

import contextlib
import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone, translation
from django.utils.formats import date_format

from audit.models import AuditEntry
from offices import editorial
from offices.models import Office, PublicationRequest
from tests.factories import OfficeFactory
from tests.support import editorial_group, member, signed_in
from tests.support import office_admin_url as url

pytestmark = pytest.mark.django_db


def new_editor(username):
    return member("Office editors", username)


def new_draft(editor, **kwargs):
    return OfficeFactory(status=Office.Status.DRAFT, reviewers=[editor], **kwargs)


@pytest.fixture
def draft(editor):
    return new_draft(editor, name="UN Human Rights in Iraq")


def submit(client, draft, message="Please publish."):
    return client.post(url("submit", draft), {"message": message})


def submissions(**filters):
    return AuditEntry.objects.filter(action=AuditEntry.Action.SUBMIT, **filters)


def age(entries, delta):
    """Date the entries delta ago (as if they were made then)."""
    entries.update(timestamp=timezone.now() - delta)


# Per draft: 3 a day


def test_three_submissions_of_a_draft_in_a_day_are_accepted(draft, editor, publisher):
    client = signed_in(editor)

    responses = [submit(client, draft) for _ in range(3)]

    assert [r.status_code for r in responses] == [302, 302, 302]
    assert len(mail.outbox) == 3


def test_the_fourth_is_refused_with_when_it_is_possible_again(
    draft, editor, publisher, settings
):
    settings.TIME_ZONE = "Asia/Baghdad"
    client = signed_in(editor)
    for _ in range(3):
        submit(client, draft)
    first = submissions().order_by("timestamp").first().timestamp
    mail.outbox.clear()

    response = submit(client, draft, "A fourth time.")

    assert response.status_code == 429
    again = first.replace(second=0, microsecond=0) + datetime.timedelta(
        days=1, minutes=1
    )
    when = date_format(timezone.localtime(again), "DATETIME_FORMAT")
    assert "This draft was already submitted 3 times in the last 24 hours." in (
        response.text
    )
    assert f"You can submit it again from {when} (Asia/Baghdad)." in response.text
    assert 0 < int(response["Retry-After"]) <= 24 * 3600 + 60
    # What was typed is kept; nothing is sent or recorded.
    assert "A fourth time." in response.text
    assert not mail.outbox
    assert submissions().count() == 3
    assert PublicationRequest.objects.get().message == "Please publish."


def test_the_time_is_said_in_the_editors_language(draft, editor, publisher):
    client = signed_in(editor)
    for _ in range(3):
        submit(client, draft)

    response = client.post(
        url("submit", draft), {"message": "Encore."}, HTTP_ACCEPT_LANGUAGE="fr"
    )

    first = submissions().order_by("timestamp").first().timestamp
    again = first.replace(second=0, microsecond=0) + datetime.timedelta(
        days=1, minutes=1
    )
    with translation.override("fr"):
        when = date_format(timezone.localtime(again), "DATETIME_FORMAT")
    assert response.status_code == 429
    assert when in response.text


def test_a_submission_just_older_than_a_day_no_longer_counts(draft, editor):
    client = signed_in(editor)
    for _ in range(3):
        submit(client, draft)
    oldest = submissions().order_by("timestamp").values("pk")[:1]
    age(submissions(pk__in=oldest), datetime.timedelta(days=1, seconds=1))

    assert submit(client, draft).status_code == 302


def test_a_submission_just_younger_than_a_day_still_counts(draft, editor):
    client = signed_in(editor)
    for _ in range(3):
        submit(client, draft)
    oldest = submissions().order_by("timestamp").values("pk")[:1]
    age(submissions(pk__in=oldest), datetime.timedelta(days=1, seconds=-30))

    assert submit(client, draft).status_code == 429


def test_the_limit_is_the_drafts_whoever_submits(draft, editor):
    for index in range(3):
        other = new_editor(f"other{index}")
        draft.reviewers.add(other)
        assert submit(signed_in(other), draft).status_code == 302

    assert submit(signed_in(editor), draft).status_code == 429


def test_discarding_and_restarting_a_draft_does_not_reset_it(editor, publisher):
    live = OfficeFactory(reviewers=[editor])
    client = signed_in(editor)
    draft = editorial.start_draft(live, by=editor)
    for _ in range(3):
        submit(client, draft)
    editorial.discard_draft(draft, by=editor)

    again = editorial.start_draft(live, by=editor)

    assert submit(client, again).status_code == 429


# Per editor: 10 an hour


def test_ten_submissions_an_hour_then_the_editor_is_refused(editor):
    client = signed_in(editor)
    drafts = [new_draft(editor) for _ in range(11)]

    statuses = [submit(client, draft).status_code for draft in drafts]

    assert statuses == [302] * 10 + [429]
    response = submit(client, drafts[-1])
    assert "You have made 10 submissions in the last hour." in response.text
    # Another editor is not held back.
    other = new_editor("other")
    drafts[-1].reviewers.add(other)
    assert submit(signed_in(other), drafts[-1]).status_code == 302


def test_an_editors_submission_older_than_an_hour_no_longer_counts(editor):
    client = signed_in(editor)
    drafts = [new_draft(editor) for _ in range(11)]
    for draft in drafts[:10]:
        submit(client, draft)
    oldest = submissions().order_by("timestamp").values("pk")[:1]
    age(submissions(pk__in=oldest), datetime.timedelta(hours=1, seconds=1))

    assert submit(client, drafts[-1]).status_code == 302


def test_an_editors_submission_younger_than_an_hour_still_counts(editor):
    client = signed_in(editor)
    drafts = [new_draft(editor) for _ in range(11)]
    for draft in drafts[:10]:
        submit(client, draft)
    oldest = submissions().order_by("timestamp").values("pk")[:1]
    age(submissions(pk__in=oldest), datetime.timedelta(hours=1, seconds=-30))

    assert submit(client, drafts[-1]).status_code == 429


# Two at once


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("limit", ["draft", "editor"])
def test_two_submissions_at_once_cannot_both_take_the_last_place(monkeypatch, limit):
    editorial_group("Office editors")
    editor = new_editor("amina")
    if limit == "draft":
        # Two editors, one draft with one place left.
        draft = new_draft(editor)
        submitters = [(editor, draft), (new_editor("other"), draft)]
        draft.reviewers.add(submitters[1][0])
        for _ in range(2):
            editorial.submit_for_publication(draft, by=editor, message="Early.")
    else:
        # One editor with one place left, two drafts.
        for _ in range(9):
            editorial.submit_for_publication(
                new_draft(editor), by=editor, message="Early."
            )
        submitters = [(editor, new_draft(editor)), (editor, new_draft(editor))]
    # Each waits, after counting, for the other to count too (or 2 s).
    both_counted = threading.Barrier(2, timeout=2)
    original = editorial.moderation._check_submission_limits

    def check_then_wait(*args):
        original(*args)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_counted.wait()

    monkeypatch.setattr(
        editorial.moderation, "_check_submission_limits", check_then_wait
    )
    outcomes = []

    def run(user, office):
        try:
            editorial.submit_for_publication(office, by=user, message="At once.")
            outcomes.append("sent")
        except editorial.TooManySubmissions:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in submitters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "sent"]

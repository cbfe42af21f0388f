"""Scheduled publishing: publish_at on drafts, unpublish_at on published
profiles, entered in TIME_ZONE, done by `manage.py publish_scheduled` once."""

import datetime
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from audit.models import AuditEntry
from offices import editorial
from offices.models import Office
from tests.factories import OfficeFactory, UserFactory
from tests.support import VerifiedClient
from tests.support import office_admin_url as url

pytestmark = pytest.mark.django_db

BAGHDAD = datetime.timezone(datetime.timedelta(hours=3))


def later(minutes):
    return timezone.now() + datetime.timedelta(minutes=minutes)


def entries(action, office):
    return AuditEntry.objects.filter(action=action, office_id=office.pk)


@pytest.fixture
def live(db):
    return OfficeFactory(name="UN Human Rights in Iraq", slug="iraq", profile="Old.")


@pytest.fixture
def draft(live, publisher):
    draft = editorial.start_draft(live, by=publisher)
    Office.objects.filter(pk=draft.pk).update(profile="New.")
    return Office.objects.get(pk=draft.pk)


# Entering a time


def test_a_time_is_entered_and_shown_in_time_zone(settings, draft, publisher):
    settings.TIME_ZONE = "Asia/Baghdad"
    client = VerifiedClient()
    client.force_login(publisher)
    year = timezone.now().year + 1

    response = client.post(
        url("schedule", draft), {"at_0": f"{year}-01-15", "at_1": "09:30"}
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.publish_at == datetime.datetime(
        year, 1, 15, 6, 30, tzinfo=datetime.UTC
    )
    assert draft.scheduled_by == publisher
    page = client.get(url("change", draft))
    assert "Scheduled to be published at" in page.text
    assert "9:30" in page.text
    assert "Asia/Baghdad" in page.text
    entry = entries(AuditEntry.Action.SCHEDULE, draft.draft_of).get()
    assert "9:30" in entry.changes_text


def test_a_published_office_gets_an_unpublish_time(live, publisher):
    client = VerifiedClient()
    client.force_login(publisher)
    year = timezone.now().year + 1

    client.post(url("schedule", live), {"at_0": f"{year}-03-01", "at_1": "00:00"})

    live.refresh_from_db()
    assert live.unpublish_at is not None
    assert live.publish_at is None
    assert (
        "Scheduled to leave the public site at" in client.get(url("change", live)).text
    )


def test_a_past_time_is_refused(draft, publisher):
    client = VerifiedClient()
    client.force_login(publisher)

    response = client.post(
        url("schedule", draft), {"at_0": "2020-01-01", "at_1": "09:00"}
    )

    assert response.status_code == 200
    assert "Choose a time in the future." in response.text
    draft.refresh_from_db()
    assert draft.publish_at is None


def test_an_empty_time_cancels(draft, publisher):
    editorial.schedule(draft, by=publisher, at=later(60))
    client = VerifiedClient()
    client.force_login(publisher)

    client.post(url("schedule", draft), {"at_0": "", "at_1": ""})

    draft.refresh_from_db()
    assert draft.publish_at is None


def test_editors_who_cannot_publish_cannot_schedule(client, limited_editor, live):
    live.reviewers.add(limited_editor)
    limited_editor.user_permissions.remove(
        *limited_editor.user_permissions.filter(codename="publish_office")
    )
    client.force_login(limited_editor)

    assert client.get(url("schedule", live)).status_code == 403


# Doing what has come due


def test_due_drafts_are_published_and_future_ones_wait(live, draft, publisher):
    editorial.schedule(draft, by=publisher, at=later(5))
    new = OfficeFactory(status=Office.Status.DRAFT, slug="new")
    editorial.schedule(new, by=publisher, at=later(5))
    waiting = OfficeFactory(status=Office.Status.DRAFT, slug="waiting")
    editorial.schedule(waiting, by=publisher, at=later(60))

    run = editorial.publish_scheduled(now=later(10))

    assert sorted(o.slug for o in run.published) == ["iraq", "new"]
    live.refresh_from_db()
    assert live.profile == "New."
    assert not Office.objects.filter(draft_of=live).exists()
    new.refresh_from_db()
    assert (new.status, new.publish_at) == (Office.Status.PUBLISHED, None)
    waiting.refresh_from_db()
    assert waiting.status == Office.Status.DRAFT
    entry = entries(AuditEntry.Action.PUBLISH, live).get()
    assert entry.actor is None
    assert "as scheduled by Pat Lee" in entry.changes_text


def test_due_profiles_are_unpublished(live, publisher):
    editorial.schedule(live, by=publisher, at=later(5))

    run = editorial.publish_scheduled(now=later(10))

    assert run.unpublished == [live]
    live.refresh_from_db()
    assert (live.status, live.unpublish_at) == (Office.Status.DRAFT, None)
    assert entries(AuditEntry.Action.UNPUBLISH, live).exists()


def test_a_rerun_does_nothing(live, draft, publisher):
    editorial.schedule(draft, by=publisher, at=later(5))
    editorial.publish_scheduled(now=later(10))

    run = editorial.publish_scheduled(now=later(10))

    assert (run.published, run.unpublished, run.failed) == ([], [], [])
    assert entries(AuditEntry.Action.PUBLISH, live).count() == 1


def clashing_draft(by):
    """A scheduled draft copy whose new slug another office took meanwhile."""
    OfficeFactory(slug="taken")
    office = OfficeFactory(slug="clash")
    draft = editorial.start_draft(office, by=by)
    Office.objects.filter(pk=draft.pk).update(slug="taken")
    return editorial.schedule(Office.objects.get(pk=draft.pk), by=by, at=later(5))


def test_a_refused_step_is_recorded_and_the_others_go_on(publisher):
    clash = clashing_draft(publisher)
    other = OfficeFactory(status=Office.Status.DRAFT, slug="other")
    editorial.schedule(other, by=publisher, at=later(5))

    run = editorial.publish_scheduled(now=later(10))

    assert [o.slug for o in run.published] == ["other"]
    assert [o.pk for o, _reason in run.failed] == [clash.pk]
    clash.refresh_from_db()
    assert clash.publish_at is None
    assert (
        entries(AuditEntry.Action.SCHEDULE, clash.draft_of)
        .filter(changes_text__startswith="Scheduled step not done")
        .exists()
    )
    assert Office.objects.get(slug="clash").profile == clash.profile


def test_the_command_reports_and_fails_on_refusals(live, draft, publisher, capsys):
    editorial.schedule(draft, by=publisher, at=later(5))

    call_command("publish_scheduled", "--now", later(10).isoformat(), verbosity=2)

    out = capsys.readouterr().out
    assert "Published UN Human Rights in Iraq" in out
    assert "1 published, 0 unpublished, 0 refused" in out


def test_the_command_refuses_a_bad_time():
    with pytest.raises(CommandError):
        call_command("publish_scheduled", "--now", "tomorrow")


def test_the_command_exits_non_zero_when_a_step_is_refused(publisher):
    clashing_draft(publisher)

    with pytest.raises(CommandError, match="1 scheduled step was refused"):
        call_command("publish_scheduled", "--now", later(10).isoformat())


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_act_once(monkeypatch):
    publisher = UserFactory(username="publisher")
    offices = [
        OfficeFactory(status=Office.Status.DRAFT, slug=f"office-{i}") for i in range(6)
    ]
    Office.objects.update(publish_at=later(-1), scheduled_by=publisher)
    for office in offices:  # as editorial.schedule() approves them
        Office.objects.filter(pk=office.pk).update(
            scheduled_fingerprint=editorial.fingerprint(office)
        )
    # Both runs are inside a claim at the same time before either publishes.
    both_claimed = threading.Barrier(2, timeout=10)
    first = threading.local()
    original = editorial.publish

    def publish(office, **kwargs):
        if not getattr(first, "done", False):
            first.done = True
            both_claimed.wait()
        return original(office, **kwargs)

    monkeypatch.setattr(editorial.scheduling, "publish", publish)
    runs = [None, None]

    def run(index):
        try:
            runs[index] = editorial.publish_scheduled()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    published = [o.pk for r in runs for o in r.published]
    assert sorted(published) == sorted(o.pk for o in offices)
    assert all(r.published for r in runs)
    assert all(
        entries(AuditEntry.Action.PUBLISH, office).count() == 1 for office in offices
    )

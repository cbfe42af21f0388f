"""A scheduled publication publishes exactly what the publisher scheduled.

Scheduling records a fingerprint of the draft's content; publish_scheduled
publishes a draft only while it still matches, and otherwise cancels the
schedule, emails the publisher and the editor, and writes an audit entry.
However the draft changed: the admin, a bulk update(), the shell, another
admin page.
"""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit.models import AuditEntry
from offices import editorial
from offices.models import FieldOffice, Office
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ShiftFactory,
    UserFactory,
)
from tests.support import form_data, signed_in
from tests.support import office_admin_url as url

pytestmark = pytest.mark.django_db

EDITORS_TEXT = "Text the publisher never saw."


def later(minutes):
    return timezone.now() + datetime.timedelta(minutes=minutes)


@pytest.fixture
def live(editor):
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        profile="Approved text.",
        reviewers=[editor],
    )
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    MandateFactory(office=office, title="UNSCR 2522")
    return office


@pytest.fixture
def draft(live, publisher):
    return editorial.start_draft(live, by=publisher)


def schedule_in_admin(publisher, draft, *, minutes=30):
    """The publisher schedules the draft on the admin's Schedule page."""
    at = timezone.localtime(later(minutes))
    response = signed_in(publisher).post(
        url("schedule", draft),
        {"at_0": at.strftime("%Y-%m-%d"), "at_1": at.strftime("%H:%M")},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.publish_at is not None


def save_in_admin(user, draft, **changes):
    client = signed_in(user)
    data = form_data(client.get(url("change", draft)))
    data.update(changes)
    data["_continue"] = "Save draft"
    response = client.post(url("change", draft), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return client


def publish_entries(office):
    return AuditEntry.objects.filter(
        action=AuditEntry.Action.PUBLISH, office_id=office.pk
    )


def cancel_entries(office):
    return AuditEntry.objects.filter(
        action=AuditEntry.Action.SCHEDULE,
        office_id=office.pk,
        changes_text__startswith="Scheduled publication cancelled: the draft changed",
    )


# The attack, through the admin


def test_an_editors_text_saved_after_scheduling_is_not_published(
    live, draft, publisher, editor
):
    schedule_in_admin(publisher, draft)
    save_in_admin(editor, draft, profile=EDITORS_TEXT)

    run = editorial.publish_scheduled(now=later(60))

    assert run.published == []
    live.refresh_from_db()
    assert live.profile == "Approved text."
    assert not publish_entries(live).exists()


def test_saving_a_scheduled_draft_in_the_admin_cancels_the_schedule(
    live, draft, publisher, editor, django_capture_on_commit_callbacks
):
    schedule_in_admin(publisher, draft)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client = save_in_admin(editor, draft, profile=EDITORS_TEXT)

    draft.refresh_from_db()
    assert (draft.publish_at, draft.scheduled_by, draft.scheduled_fingerprint) == (
        None,
        None,
        "",
    )
    entry = cancel_entries(live).get()
    assert entry.actor == editor
    assert sorted(address for m in mail.outbox for address in m.to) == sorted(
        [publisher.email, editor.email]
    )
    page = client.get(url("change", draft))
    assert "Your change cancelled the scheduled publication" in page.text
    assert "Scheduled to be published at" not in page.text


def test_the_change_form_of_a_scheduled_draft_says_saving_cancels_it(
    draft, publisher, editor
):
    schedule_in_admin(publisher, draft)

    page = signed_in(editor).get(url("change", draft))

    assert 'id="schedule-cancelled-by-saving"' in page.text
    assert "Saving a change to this draft cancels its scheduled publication" in (
        page.text
    )
    # Read with the save button by screen readers, not only seen above it.
    assert 'aria-describedby="schedule-cancelled-by-saving"' in page.text


def test_a_draft_that_is_not_scheduled_has_no_such_notice(draft, editor):
    page = signed_in(editor).get(url("change", draft))

    assert "schedule-cancelled-by-saving" not in page.text


def test_a_save_that_changes_nothing_keeps_the_schedule(live, draft, publisher, editor):
    schedule_in_admin(publisher, draft)

    save_in_admin(editor, draft)

    draft.refresh_from_db()
    assert draft.publish_at is not None
    assert not cancel_entries(live).exists()
    assert editorial.publish_scheduled(now=later(60)).published == [live]


# On time, when nothing changed


def test_an_unchanged_draft_is_published_on_time_as_scheduled(live, draft, publisher):
    Office.objects.filter(pk=draft.pk).update(profile="Approved new text.")
    schedule_in_admin(publisher, draft)

    run = editorial.publish_scheduled(now=later(60))

    assert run.published == [live]
    live.refresh_from_db()
    assert live.profile == "Approved new text."
    assert "as scheduled by Pat Lee" in publish_entries(live).get().changes_text
    assert run.cancelled == []


def test_a_new_office_is_published_on_time_when_unchanged(publisher):
    office = OfficeFactory(status=Office.Status.DRAFT, slug="new")
    editorial.schedule(office, by=publisher, at=later(5))

    assert editorial.publish_scheduled(now=later(10)).published == [office]
    office.refresh_from_db()
    assert (office.status, office.scheduled_fingerprint) == (
        Office.Status.PUBLISHED,
        "",
    )


def test_the_fingerprint_does_not_depend_on_the_language_or_the_query(draft, publisher):
    from django.utils import translation

    with translation.override("fr"):
        in_french = editorial.fingerprint(Office.objects.get(pk=draft.pk))
    prefetched = Office.objects.prefetch_related(
        "field_offices", "mandates", "shifts"
    ).get(pk=draft.pk)

    assert in_french == editorial.fingerprint(prefetched)
    assert len(in_french) == 64


# However the draft changed


def _shift(draft):
    draft.shifts.add(ShiftFactory(name="Civic space"))


def _translation(draft):
    Office.objects.filter(pk=draft.pk).update(profile_fr="Texte non approuvé.")


def _bulk_update(draft):
    Office.objects.filter(pk=draft.pk).update(profile=EDITORS_TEXT)


def _shell_save(draft):
    office = Office.objects.get(pk=draft.pk)
    office.profile = EDITORS_TEXT
    office.save()


def _field_office(draft):
    FieldOffice.objects.filter(office=draft).update(note="Moved.")


def _new_field_office(draft):
    FieldOfficeFactory(office=draft, name="Erbil")


def _removed_mandate(draft):
    draft.mandates.all().delete()


@pytest.mark.parametrize(
    "change",
    [
        _bulk_update,
        _shell_save,
        _translation,
        _shift,
        _field_office,
        _new_field_office,
        _removed_mandate,
    ],
)
def test_any_change_to_the_draft_cancels_at_publication_time(
    live, draft, publisher, editor, change, django_capture_on_commit_callbacks
):
    schedule_in_admin(publisher, draft)
    change(Office.objects.get(pk=draft.pk))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        run = editorial.publish_scheduled(now=later(60))

    assert run.published == []
    assert [office.pk for office in run.cancelled] == [draft.pk]
    draft.refresh_from_db()
    assert (draft.publish_at, draft.scheduled_by) == (None, None)
    live.refresh_from_db()
    assert live.profile == "Approved text."
    assert not publish_entries(live).exists()
    entry = cancel_entries(live).get()
    assert entry.actor is None
    assert entry.additional_data["scheduled_by"] == publisher.pk
    assert publisher.email in [address for m in mail.outbox for address in m.to]
    # A rerun finds nothing due.
    assert editorial.publish_scheduled(now=later(60)).cancelled == []


def test_a_change_in_another_admin_page_cancels(publisher, editor, admin_client):
    # A new office's mandates are edited on the Mandates list too.
    office = OfficeFactory(status=Office.Status.DRAFT, slug="new", reviewers=[editor])
    mandate = MandateFactory(office=office, title="Agreement")
    editorial.schedule(office, by=publisher, at=later(5))
    change_url = reverse("admin:mandates_mandate_change", args=[mandate.pk])
    data = form_data(admin_client.get(change_url))
    data["title"] = "Another agreement"
    assert admin_client.post(change_url, data).status_code == 302

    run = editorial.publish_scheduled(now=later(10))

    assert [o.pk for o in run.cancelled] == [office.pk]
    office.refresh_from_db()
    assert office.status == Office.Status.DRAFT


def test_the_emails_say_what_happened_to_the_publisher_and_the_editor(
    live, draft, publisher, editor, django_capture_on_commit_callbacks
):
    schedule_in_admin(publisher, draft)
    save_in_admin(editor, draft, profile="First change.")
    # The publisher schedules the new text; then a change from the shell.
    schedule_in_admin(publisher, draft)
    _bulk_update(draft)
    draft.refresh_from_db()
    when = date_format(timezone.localtime(draft.publish_at), "DATETIME_FORMAT")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        editorial.publish_scheduled(now=later(60))

    # The editor is the draft's last editor in the admin.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [publisher.email, editor.email]
    )
    message = mail.outbox[0]
    assert message.subject == (
        "Scheduled publication cancelled: UN Human Rights in Iraq"
    )
    assert "changed after it was scheduled" in message.body
    assert (
        f"scheduled to be published at {when} ({timezone.get_current_timezone_name()})"
        in message.body
    )
    assert "Scheduled by: Pat Lee" in message.body
    assert url("change", draft) in message.body
    assert message.alternatives[0].mimetype == "text/html"


def test_a_schedule_set_before_fingerprints_existed_is_cancelled(live, draft):
    publisher = UserFactory(username="old-publisher")
    Office.objects.filter(pk=draft.pk).update(
        publish_at=later(-1), scheduled_by=publisher
    )

    run = editorial.publish_scheduled(now=later(1))

    assert [o.pk for o in run.cancelled] == [draft.pk]
    assert not publish_entries(live).exists()


def test_the_command_reports_a_cancelled_schedule(live, draft, publisher, capsys):
    from django.core.management import call_command

    schedule_in_admin(publisher, draft)
    _bulk_update(draft)

    call_command("publish_scheduled", "--now", later(60).isoformat(), verbosity=2)

    out = capsys.readouterr().out
    assert "Cancelled for UN Human Rights in Iraq" in out
    assert "0 published, 0 unpublished, 0 refused, 1 cancelled" in out


def test_scheduling_moves_no_stamp(draft, publisher):
    before = Office.objects.values_list("updated_at", flat=True).get(pk=draft.pk)

    editorial.schedule(draft, by=publisher, at=later(30))

    assert (
        Office.objects.values_list("updated_at", flat=True).get(pk=draft.pk) == before
    )


def test_a_revert_into_a_scheduled_draft_cancels_the_schedule(
    live, publisher, admin_user, django_capture_on_commit_callbacks
):
    from django.contrib.messages import get_messages
    from reversion.models import Version

    editorial.publish(editorial.start_draft(live, by=publisher), by=publisher)
    version = Version.objects.get_for_object(live).get()
    newer = editorial.start_draft(live, by=publisher)
    Office.objects.filter(pk=newer.pk).update(profile="Newer text.")
    editorial.publish(Office.objects.get(pk=newer.pk), by=publisher)
    draft = editorial.start_draft(live, by=publisher)
    schedule_in_admin(publisher, draft)
    client = signed_in(admin_user)
    page = client.get(url("revert", live, version.pk))
    assert "The publication of the draft, scheduled for" in page.text
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("revert", live, version.pk))

    draft.refresh_from_db()
    assert draft.profile == "Approved text."
    assert (draft.publish_at, draft.scheduled_by, draft.scheduled_fingerprint) == (
        None,
        None,
        "",
    )
    assert cancel_entries(live).get().actor == admin_user
    assert sorted(address for m in mail.outbox for address in m.to) == sorted(
        [publisher.email, admin_user.email]
    )
    assert any(
        str(m).startswith("The revert cancelled the scheduled publication")
        for m in get_messages(response.wsgi_request)
    )
    assert editorial.publish_scheduled(now=later(60)).published == []
    live.refresh_from_db()
    assert live.profile == "Newer text."

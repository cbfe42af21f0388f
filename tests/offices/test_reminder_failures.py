"""Reminders when things go wrong: refused addresses, dead runs, a failing
database, and runs that overlap while one of them holds a claim."""

import datetime
import os
import smtplib
import subprocess
import sys
import threading
import time
import uuid
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.formats import date_format

from offices import reviews
from offices.models import ReviewReminder
from offices.reviews import RunInterrupted, permanent_failure, send_reminders
from tests.factories import OfficeFactory, UserFactory

AS_OF = datetime.date(2025, 6, 16)
DAY = datetime.timedelta(days=1)
THIS_MODULE = "tests.offices.test_reminder_failures"

pytestmark = pytest.mark.django_db


class RefusingBackend(EmailBackend):
    """The locmem backend, except that the server refuses some addresses
    with `code` (550: for good; 4xx: for now)."""

    def __init__(self, *, refuse=(), code=550, **kwargs):
        super().__init__(**kwargs)
        self.refuse, self.code = set(refuse), code

    def send_messages(self, messages):
        for message in messages:
            if refused := self.refuse.intersection(message.to):
                raise smtplib.SMTPRecipientsRefused(
                    dict.fromkeys(refused, (self.code, b"5.1.1 No such user"))
                )
        return super().send_messages(messages)


def refusing(*addresses, code=550):
    return {
        "default": {
            "BACKEND": f"{THIS_MODULE}.RefusingBackend",
            "OPTIONS": {"refuse": list(addresses), "code": code},
        }
    }


def due(slug, *reviewers, days_overdue=0):
    due_on = AS_OF - days_overdue * DAY
    return OfficeFactory(
        slug=slug,
        name=f"UN Human Rights in {slug.title()}",
        last_reviewed=due_on.replace(year=due_on.year - 1),
        reviewers=list(reviewers),
    )


def run_command(*args):
    """Run the command as of AS_OF: (stdout, stderr, the CommandError or None)."""
    out, err = StringIO(), StringIO()
    try:
        call_command(
            "send_review_reminders",
            f"--as-of={AS_OF}",
            *args,
            stdout=out,
            stderr=err,
        )
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def sent_to(address):
    return [m for m in mail.outbox if m.to == [address]]


@pytest.fixture
def alice_and_bob(reminder_settings):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    due("iraq", alice, bob)
    return alice, bob


@pytest.fixture
def bob_refused(alice_and_bob, reminder_settings):
    """A run in which the mail server refused bob for good."""
    reminder_settings.MAILERS = refusing("bob@example.org")
    send_reminders(as_of=AS_OF)
    reminder_settings.MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    }
    mail.outbox.clear()
    return ReviewReminder.objects.get(email="bob@example.org")


# Which failures are permanent


@pytest.mark.parametrize(
    ("error", "reply"),
    [
        (
            smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user")}),
            "550 No such user",
        ),
        (
            smtplib.SMTPRecipientsRefused(
                {"a@example.org": (553, b"5.1.3 Bad\r\n  address")}
            ),
            "553 5.1.3 Bad address",
        ),
        (
            smtplib.SMTPDataError(554, b"5.7.1 Rejected as spam"),
            "554 5.7.1 Rejected as spam",
        ),
    ],
    ids=["recipient 550", "multi-line reply", "data 554"],
)
def test_5xx_about_the_recipient_or_message_is_permanent(error, reply):
    assert permanent_failure(error) == reply


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"Mailbox busy")}),
        smtplib.SMTPDataError(451, b"Try again later"),
        # The sender, login or TLS refused: every email would fail alike.
        smtplib.SMTPSenderRefused(550, b"Sender rejected", "noreply@localhost"),
        smtplib.SMTPAuthenticationError(535, b"Bad credentials"),
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        TimeoutError("timed out"),
        ConnectionRefusedError(111, "Connection refused"),
    ],
    ids=[
        "recipient 450",
        "data 451",
        "sender",
        "login",
        "disconnect",
        "timeout",
        "refused",
    ],
)
def test_4xx_network_errors_and_configuration_errors_are_temporary(error):
    assert permanent_failure(error) == ""


# A permanent refusal is recorded, not retried, and reported once


def test_permanent_refusal_is_recorded_with_the_servers_reply(
    alice_and_bob, reminder_settings
):
    reminder_settings.MAILERS = refusing("bob@example.org")

    run = send_reminders(as_of=AS_OF)

    [refused] = run.refused
    assert (refused.to, refused.error) == ("bob@example.org", "550 5.1.1 No such user")
    reminder = ReviewReminder.objects.get(email="bob@example.org")
    assert reminder.failed_at is not None
    assert reminder.failure == "550 5.1.1 No such user"
    assert (reminder.sent_at, reminder.failure_reported_at) == (None, None)
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]


def test_permanently_refused_address_is_not_tried_again_that_cycle(bob_refused):
    send_reminders(as_of=AS_OF + DAY)
    send_reminders(as_of=AS_OF + 7 * DAY)  # when a repeat would be due

    assert sent_to("bob@example.org") == []
    assert len(sent_to("alice@example.org")) == 1  # alice's repeat
    assert ReviewReminder.objects.filter(email="bob@example.org").count() == 1


def test_temporary_refusal_is_released_and_retried_by_the_next_run(
    alice_and_bob, reminder_settings
):
    reminder_settings.MAILERS = refusing("bob@example.org", code=451)
    run = send_reminders(as_of=AS_OF)
    assert (len(run.failed), run.refused) == (1, [])
    assert not ReviewReminder.objects.filter(email="bob@example.org").exists()
    reminder_settings.MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    }

    send_reminders(as_of=AS_OF + DAY)

    assert len(sent_to("bob@example.org")) == 1


def test_new_address_of_a_refused_reviewer_is_reminded(bob_refused, alice_and_bob):
    _, bob = alice_and_bob
    bob.email = "bob.new@example.org"
    bob.save()

    send_reminders(as_of=AS_OF + DAY)

    assert len(sent_to("bob.new@example.org")) == 1
    assert sent_to("bob@example.org") == []


def test_next_run_reports_the_refusal_to_the_fallback(bob_refused):
    run = send_reminders(as_of=AS_OF + DAY)

    [report] = sent_to("fallback@example.org")
    assert report.subject == "1 review reminder could not be delivered"
    date = date_format(timezone.localtime(bob_refused.failed_at), "j F Y")
    [(html, _)] = report.alternatives
    for part in (report.body, html):
        assert "Reminders that could not be delivered" in part
        assert "UN Human Rights in Iraq" in part
        assert f"To bob@example.org on {date}: 550 5.1.1 No such user" in part
        assert (
            f"https://profiles.example.org/admin/offices/office/"
            f"{bob_refused.office_id}/change/" in part
        )
    assert "overdue for review" not in report.body
    [digest] = [d for d in run.delivered if d.to == "fallback@example.org"]
    assert (digest.kind, digest.items) == ("escalation", ())
    bob_refused.refresh_from_db()
    assert bob_refused.failure_reported_at is not None


def test_refusal_is_reported_once(bob_refused):
    send_reminders(as_of=AS_OF + DAY)
    mail.outbox.clear()

    run = send_reminders(as_of=AS_OF + 2 * DAY)

    assert mail.outbox == []
    assert run.digests == []


def test_refusal_joins_the_escalation_digest_when_one_is_due(
    bob_refused, reminder_settings
):
    due("syria", UserFactory(username="carol"), days_overdue=31)

    send_reminders(as_of=AS_OF + DAY)

    [escalation] = sent_to("fallback@example.org")
    assert escalation.subject == (
        "1 profile overdue for review by more than 30 days; 1 reminder not delivered"
    )
    assert "UN Human Rights in Syria" in escalation.body
    assert "Reminders that could not be delivered" in escalation.body
    assert "bob@example.org" in escalation.body


def test_every_fallback_address_is_told_and_the_refusal_reported_once(
    bob_refused, reminder_settings
):
    reminder_settings.REVIEW_FALLBACK_EMAIL = ["a@example.org", "b@example.org"]

    send_reminders(as_of=AS_OF + DAY)
    send_reminders(as_of=AS_OF + 2 * DAY)

    assert [m.to for m in mail.outbox] == [["a@example.org"], ["b@example.org"]]
    assert all("bob@example.org" in m.body for m in mail.outbox)


def test_refusal_is_kept_until_there_is_a_fallback_address(
    bob_refused, reminder_settings
):
    reminder_settings.REVIEW_FALLBACK_EMAIL = []
    send_reminders(as_of=AS_OF + DAY)
    assert mail.outbox == []
    reminder_settings.REVIEW_FALLBACK_EMAIL = ["fallback@example.org"]

    send_reminders(as_of=AS_OF + 2 * DAY)

    assert len(sent_to("fallback@example.org")) == 1


def test_dry_run_shows_the_report_and_marks_nothing(bob_refused):
    out, _, error = run_command("--dry-run")

    assert error is None
    assert "would send escalation to fallback@example.org: 1 undelivered reminder" in (
        out.splitlines()
    )
    bob_refused.refresh_from_db()
    assert bob_refused.failure_reported_at is None


def test_command_reports_a_refusal_once_then_the_report(
    alice_and_bob, reminder_settings
):
    reminder_settings.MAILERS = refusing("bob@example.org")

    out, err, error = run_command()

    assert out.splitlines() == [
        "sent reminder to alice@example.org: 1 office (iraq)",
        "reminded 1 person about 1 office; 1 failed",
    ]
    assert err.splitlines() == [
        "mail server refused reminder to bob@example.org for good: "
        "550 5.1.1 No such user (recorded, not retried)"
    ]
    assert str(error) == (
        "1 email was refused for good; it is not retried, and the next run "
        "reports it to REVIEW_FALLBACK_EMAIL."
    )

    # The next run tells the fallback address, and all is well again.
    out, err, error = run_command()

    assert out.splitlines() == [
        "sent escalation to fallback@example.org: 1 undelivered reminder",
        "reminded 0 people about 0 offices; 0 failed",
    ]
    assert (err, error) == ("", None)


# Claims left by dead runs


def claim_columns(office, email):
    return {
        "office_id": office.pk,
        "email": email,
        "kind": "reminder",
        "cycle_on": AS_OF,
        "sequence": 0,
        "reminded_on": AS_OF,
        "claimed_by": uuid.uuid4(),
        "claimed_at": timezone.now(),
        "failure": "",
    }


def insert_claim(cursor, office, email):
    columns = claim_columns(office, email)
    cursor.execute(
        f"INSERT INTO {ReviewReminder._meta.db_table} ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})",
        list(columns.values()),
    )


@pytest.mark.django_db(transaction=True)
def test_claim_committed_by_a_run_that_died_is_taken_over_at_once(reminder_settings):
    office = due("iraq", UserFactory(username="alice"))
    # Another run's connection commits a claim (as runs before this design
    # did) and goes away without sending.
    dead = connection.copy()
    with dead.cursor() as cursor:
        insert_claim(cursor, office, "alice@example.org")
    dead.close()

    send_reminders(as_of=AS_OF)

    assert len(sent_to("alice@example.org")) == 1
    assert ReviewReminder.objects.get().sent_at is not None


def waiting_on(pid):
    """How many sessions wait for a lock that session `pid` holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks "
            "WHERE NOT granted AND %s = ANY(pg_blocking_pids(pid))",
            [pid],
        )
        return cursor.fetchone()[0]


def wait_until(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def in_thread(target):
    """Start target() in a thread with its own connection; return the thread
    and a list that receives its result or exception."""
    outcome = []

    def run():
        try:
            outcome.append(target())
        except Exception as error:
            outcome.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.django_db(transaction=True)
def test_claim_of_a_run_that_dies_mid_send_goes_with_its_connection(
    reminder_settings,
):
    office = due("iraq", UserFactory(username="alice"))
    # A run that claimed the reminder (uncommitted: it is still sending)...
    dying = connection.copy()
    dying.set_autocommit(False)
    with dying.cursor() as cursor:
        insert_claim(cursor, office, "alice@example.org")
    pid = dying.connection.info.backend_pid
    # ...makes the next run wait rather than send a duplicate...
    thread, outcome = in_thread(lambda: send_reminders(as_of=AS_OF))
    wait_until(lambda: waiting_on(pid) == 1)
    assert mail.outbox == []

    # ...until it dies: its claim vanishes and the waiting run sends at once.
    dying.connection.close()
    thread.join()

    [run] = outcome
    assert [d.to for d in run.delivered] == ["alice@example.org"]
    assert len(mail.outbox) == 1
    assert ReviewReminder.objects.get().sent_at is not None


# Overlapping runs


class HoldingBackend(EmailBackend):
    """The locmem backend; the first email waits until another run is blocked
    on this run's claim, then is sent or, with fail=True, fails for now."""

    first = threading.Lock()
    overlapped = threading.Event()

    def __init__(self, *, fail=False, **kwargs):
        super().__init__(**kwargs)
        self.fail = fail

    def send_messages(self, messages):
        if HoldingBackend.first.acquire(blocking=False):
            pid = connection.connection.info.backend_pid  # this run's session
            wait_until(lambda: waiting_on(pid) > 0)
            HoldingBackend.overlapped.set()
            if self.fail:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def holding_backend(reminder_settings):
    HoldingBackend.first = threading.Lock()
    HoldingBackend.overlapped = threading.Event()

    def use(**options):
        reminder_settings.MAILERS = {
            "default": {"BACKEND": f"{THIS_MODULE}.HoldingBackend", "OPTIONS": options}
        }

    return use


def two_runs():
    """Run the command twice at once; return each one's output or error."""

    def command():
        out = StringIO()
        try:
            call_command(
                "send_review_reminders",
                f"--as-of={AS_OF}",
                stdout=out,
                stderr=StringIO(),
            )
        except CommandError as error:
            return error
        return out.getvalue()

    runs = [in_thread(command) for _ in range(2)]
    for thread, _ in runs:
        thread.join()
    return [outcome for _, [outcome] in runs]


@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_send_each_reminder_exactly_once(holding_backend):
    holding_backend()
    reviewers = [UserFactory(username=f"reviewer{i}") for i in range(3)]
    offices = [due(f"office-{i}", reviewers[i % 3], days_overdue=40) for i in range(9)]

    outputs = two_runs()

    assert HoldingBackend.overlapped.is_set()  # one run waited on the other's claim
    assert not any(isinstance(o, Exception) for o in outputs), outputs
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [u.email for u in reviewers] + ["fallback@example.org"]
    )
    for office in offices:
        mentions = [m for m in mail.outbox if f"/offices/{office.slug}/" in m.body]
        assert len(mentions) == 2  # its reviewer's reminder and the escalation
    assert ReviewReminder.objects.filter(sent_at__isnull=True).count() == 0
    assert ReviewReminder.objects.count() == 2 * len(offices)


@pytest.mark.django_db(transaction=True)
def test_run_waiting_on_a_claim_sends_it_when_the_holder_fails(holding_backend):
    holding_backend(fail=True)
    due("iraq", UserFactory(username="alice"))

    outputs = two_runs()

    assert HoldingBackend.overlapped.is_set()
    # The holder failed and released its claim; the waiting run sent it.
    assert sum(isinstance(o, CommandError) for o in outputs) == 1
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert ReviewReminder.objects.get().sent_at is not None


# The database failing


@pytest.mark.process
def test_database_down_is_one_line_and_a_non_zero_exit():
    env = os.environ | {
        "DATABASE_URL": "postgres://x@127.0.0.1:9/x",
        "DEBUG": "true",
        "HRPROFILE_ENV": "local",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "send_review_reminders"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("CommandError: database error, nothing sent: ")
    assert done.stdout == ""


def failing_after(calls):
    """A mark_sent that records `calls` digests, then finds the database gone."""
    real = reviews.mark_sent
    count = iter(range(calls + 1))

    def mark_sent(*args, **kwargs):
        if next(count) == calls:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    return mark_sent


def test_database_failure_between_send_and_record_is_retried_by_the_next_run(
    reminder_settings, monkeypatch
):
    due("iraq", UserFactory(username="alice"))
    monkeypatch.setattr(reviews, "mark_sent", failing_after(0))

    out, err, error = run_command()

    assert str(error) == (
        "database error, run stopped after recording 0 emails: server closed "
        "the connection unexpectedly. The next run sends the rest."
    )
    assert (out, err) == ("", "")
    assert len(mail.outbox) == 1  # sent, but not recorded
    assert not ReviewReminder.objects.exists()

    # At least once: the next run sends it again.
    monkeypatch.undo()
    run_command()

    assert len(mail.outbox) == 2
    assert ReviewReminder.objects.get().sent_at is not None


def test_database_failure_mid_run_reports_what_was_sent(alice_and_bob, monkeypatch):
    due("syria", alice_and_bob[1])
    monkeypatch.setattr(reviews, "mark_sent", failing_after(1))

    out, _, error = run_command()

    assert out.splitlines() == [
        "sent reminder to alice@example.org: 1 office (iraq)",
    ]
    assert str(error).startswith(
        "database error, run stopped after recording 1 email: "
    )
    assert len(str(error).splitlines()) == 1


def test_send_reminders_raises_the_interruption_with_the_database_error(
    alice_and_bob, monkeypatch
):
    monkeypatch.setattr(reviews, "mark_sent", failing_after(1))

    with pytest.raises(RunInterrupted) as interrupted:
        send_reminders(as_of=AS_OF)

    assert [d.to for d in interrupted.value.run.delivered] == ["alice@example.org"]
    assert isinstance(interrupted.value.__cause__, OperationalError)


class HangingBackend(EmailBackend):
    """The locmem backend behind a mail server that takes a second to answer."""

    def send_messages(self, messages):
        time.sleep(1)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_claim_held_past_the_idle_timeout_is_ended_by_postgresql(
    reminder_settings, monkeypatch
):
    # A run stuck in the send must not hold its claim for ever (a host that
    # vanished leaves its connection open): PostgreSQL ends the session.
    monkeypatch.setattr(reviews, "CLAIM_IDLE_TIMEOUT", datetime.timedelta(seconds=0.2))
    reminder_settings.MAILERS = {
        "default": {"BACKEND": f"{THIS_MODULE}.HangingBackend"}
    }
    due("iraq", UserFactory(username="alice"))

    _, _, error = run_command()
    connection.close()

    assert str(error).startswith(
        "database error, run stopped after recording 0 emails: "
    )
    assert not ReviewReminder.objects.exists()


def test_report_the_fallback_refuses_is_kept_for_the_next_run(
    bob_refused, reminder_settings
):
    reminder_settings.MAILERS = refusing("fallback@example.org")

    run = send_reminders(as_of=AS_OF + DAY)

    # Nothing to record the refusal on: the report is retried, not dropped.
    [failed] = run.failed
    assert (failed.to, failed.refused) == ("fallback@example.org", False)
    bob_refused.refresh_from_db()
    assert bob_refused.failure_reported_at is None


def test_only_a_failed_reminder_can_have_a_failure_or_be_reported(bob_refused):
    reminder = ReviewReminder.objects.get(email="alice@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewReminder.objects.filter(pk=reminder.pk).update(
            failure_reported_at=timezone.now()
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewReminder.objects.filter(pk=bob_refused.pk).update(failure="")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewReminder.objects.filter(pk=bob_refused.pk).update(sent_at=timezone.now())


def test_office_option_reports_only_those_offices_refusals(bob_refused):
    due("syria", UserFactory(username="carol"))

    send_reminders(as_of=AS_OF + DAY, office_slugs=["syria"])

    assert sent_to("fallback@example.org") == []
    bob_refused.refresh_from_db()
    assert bob_refused.failure_reported_at is None

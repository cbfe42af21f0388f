import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from offices.models import Office, ReviewReminder
from tests.factories import OfficeFactory, UserFactory

AS_OF = "2025-06-16"
DUE = datetime.date(2025, 6, 16)
# The mail server refuses bob for now (4xx): the next run retries.
REFUSE_BOB = {
    "default": {
        "BACKEND": "tests.offices.test_reviews.RefusingBackend",
        "OPTIONS": {"refuse": ["bob@example.org"], "code": 451},
    }
}

pytestmark = pytest.mark.django_db


def due(slug, *reviewers, days_overdue=0):
    due_on = DUE - datetime.timedelta(days=days_overdue)
    return OfficeFactory(
        slug=slug,
        # Digests list offices due the same day by name: make it follow the slug.
        name=f"UN Human Rights in {slug.title()}",
        last_reviewed=due_on.replace(year=due_on.year - 1),
        reviewers=list(reviewers),
    )


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("send_review_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def alice_and_bob(reminder_settings):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    due("iraq", alice)
    due("syria", alice, bob)
    due("tunisia", bob)
    return alice, bob


def test_prints_one_line_per_email_and_a_summary(alice_and_bob):
    out, err = run(f"--as-of={AS_OF}")

    assert out.splitlines() == [
        "sent reminder to alice@example.org: 2 offices (iraq, syria)",
        "sent reminder to bob@example.org: 2 offices (syria, tunisia)",
        "reminded 2 people about 3 offices; 0 failed",
    ]
    assert err == ""
    assert len(mail.outbox) == 2


def test_summary_uses_the_singular_for_one(reminder_settings):
    due("iraq", UserFactory(username="alice"))

    out, _ = run(f"--as-of={AS_OF}")

    assert out.splitlines()[-1] == "reminded 1 person about 1 office; 0 failed"


def test_reports_fallback_offices_skipped_reviewers_and_escalations(
    reminder_settings,
):
    due("iraq", UserFactory(username="gone", is_active=False), days_overdue=31)

    out, _ = run(f"--as-of={AS_OF}")

    assert out.splitlines() == [
        "skipped reviewer gone: inactive account",
        "no reviewer for iraq: reminding REVIEW_FALLBACK_EMAIL",
        "sent reminder to fallback@example.org: 1 office (iraq)",
        "sent escalation to fallback@example.org: 1 office (iraq)",
        "reminded 1 person about 1 office; 0 failed",
    ]


def test_second_run_the_same_day_sends_nothing(alice_and_bob):
    run(f"--as-of={AS_OF}")
    mail.outbox.clear()

    out, _ = run(f"--as-of={AS_OF}")

    assert out.splitlines() == ["reminded 0 people about 0 offices; 0 failed"]
    assert mail.outbox == []


def test_verbosity_0_prints_nothing_on_success(alice_and_bob):
    out, err = run(f"--as-of={AS_OF}", "--verbosity=0")

    assert (out, err) == ("", "")
    assert len(mail.outbox) == 2


def test_failure_is_reported_on_stderr_and_exits_non_zero(alice_and_bob, settings):
    settings.MAILERS = REFUSE_BOB
    err = StringIO()

    with pytest.raises(CommandError, match="1 email failed"):
        call_command(
            "send_review_reminders",
            f"--as-of={AS_OF}",
            "--verbosity=0",
            stdout=StringIO(),
            stderr=err,
        )

    assert err.getvalue().startswith("failed to send reminder to bob@example.org: ")
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert set(ReviewReminder.objects.values_list("email", flat=True)) == {
        "alice@example.org"
    }


def test_summary_counts_the_failures(alice_and_bob, settings):
    settings.MAILERS = REFUSE_BOB
    out = StringIO()

    with pytest.raises(CommandError):
        call_command(
            "send_review_reminders", f"--as-of={AS_OF}", stdout=out, stderr=StringIO()
        )

    assert out.getvalue().splitlines() == [
        "sent reminder to alice@example.org: 2 offices (iraq, syria)",
        "reminded 1 person about 2 offices; 1 failed",
    ]


def test_office_nobody_can_be_reminded_about_exits_non_zero(reminder_settings):
    reminder_settings.REVIEW_FALLBACK_EMAIL = []
    due("iraq")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("send_review_reminders", f"--as-of={AS_OF}", stderr=err)

    assert "nobody to remind about iraq" in err.getvalue()
    assert "REVIEW_FALLBACK_EMAIL" in err.getvalue()


def test_escalation_nobody_can_receive_is_reported_and_exits_non_zero(
    reminder_settings,
):
    reminder_settings.REVIEW_FALLBACK_EMAIL = []
    due("iraq", UserFactory(username="alice"), days_overdue=31)
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError) as error:
        call_command(
            "send_review_reminders", f"--as-of={AS_OF}", stdout=out, stderr=err
        )

    assert "sent reminder to alice@example.org: 1 office (iraq)" in out.getvalue()
    assert err.getvalue().splitlines() == [
        "cannot escalate iraq, overdue by more than 30 days: "
        "set REVIEW_FALLBACK_EMAIL or ADMINS"
    ]
    assert "failed" not in str(error.value)
    assert "REVIEW_FALLBACK_EMAIL" in str(error.value)


def test_dry_run_prints_what_would_be_sent_and_sends_nothing(alice_and_bob):
    out, _ = run(f"--as-of={AS_OF}", "--dry-run")

    assert out.splitlines() == [
        "would send reminder to alice@example.org: 2 offices (iraq, syria)",
        "would send reminder to bob@example.org: 2 offices (syria, tunisia)",
        "dry run: would remind 2 people about 3 offices",
    ]
    assert mail.outbox == []
    assert not ReviewReminder.objects.exists()


def test_office_option_limits_the_run_to_those_offices(alice_and_bob):
    out, _ = run(f"--as-of={AS_OF}", "--office", "iraq", "tunisia")

    assert out.splitlines() == [
        "sent reminder to alice@example.org: 1 office (iraq)",
        "sent reminder to bob@example.org: 1 office (tunisia)",
        "reminded 2 people about 2 offices; 0 failed",
    ]


def test_lead_days_widen_the_window(reminder_settings):
    alice = UserFactory(username="alice")
    later = OfficeFactory(
        slug="later", last_reviewed=datetime.date(2024, 7, 16), reviewers=[alice]
    )
    assert later not in Office.objects.due_for_review(DUE, within_days=14)

    out, _ = run(f"--as-of={AS_OF}", "--lead-days=30")

    assert "sent reminder to alice@example.org: 1 office (later)" in out


def test_default_as_of_is_today_in_the_time_zone(reminder_settings, monkeypatch):
    reminder_settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14
    # The clock is the world outside: 20:00 UTC on the 16th is the 17th there.
    instant = datetime.datetime(2025, 6, 16, 20, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    OfficeFactory(slug="iraq", last_reviewed=None, reviewers=[UserFactory()])

    run()

    assert ReviewReminder.objects.get().reminded_on == datetime.date(2025, 6, 17)


@pytest.mark.parametrize("value", ["2025-02-30", "16/06/2025", "20250616", "today"])
def test_bad_as_of_is_a_clear_error_and_sends_nothing(alice_and_bob, value):
    with pytest.raises(CommandError, match="use YYYY-MM-DD"):
        run(f"--as-of={value}")

    assert mail.outbox == []
    assert not ReviewReminder.objects.exists()


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_bad_lead_days_are_a_clear_error(alice_and_bob, value):
    with pytest.raises(CommandError, match="not a number of days"):
        run(f"--as-of={AS_OF}", f"--lead-days={value}")

    assert mail.outbox == []


@pytest.mark.parametrize(
    "args",
    [("--as-of=9999-12-31",), (f"--as-of={AS_OF}", "--lead-days=99999999999")],
    ids=["as-of", "lead-days"],
)
def test_window_past_the_last_date_is_a_clear_error(alice_and_bob, args):
    with pytest.raises(CommandError, match="past the year 9999"):
        run(*args)

    assert mail.outbox == []


def test_unknown_office_is_a_clear_error_and_sends_nothing(alice_and_bob):
    with pytest.raises(CommandError, match="No office with the slug irak"):
        run(f"--as-of={AS_OF}", "--office", "iraq", "irak")

    assert mail.outbox == []
    assert not ReviewReminder.objects.exists()

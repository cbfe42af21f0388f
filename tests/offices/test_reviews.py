import datetime
import smtplib
import threading
import time
import uuid
from dataclasses import replace
from io import StringIO
from unittest.mock import ANY

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django.db.models import Prefetch
from django.test.signals import template_rendered
from django.utils import timezone

from offices.forms import DeferReviewForm
from offices.models import Office, ReviewRecord, ReviewReminder
from offices.reviews import (
    Digest,
    ReminderInputError,
    Route,
    UnknownOffices,
    choose_next_sequence,
    defer_review,
    due_office,
    handle_one_digest,
    mark_reviewed,
    plan_digests,
    route_office,
    send_reminders,
)
from tests.factories import OfficeFactory, ReviewReminderFactory, UserFactory

AS_OF = datetime.date(2025, 6, 16)
DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.django_db


class RefusingBackend(EmailBackend):
    """The locmem backend, except that the server refuses some addresses:
    for good with the default 550, for now with a 4xx code."""

    def __init__(self, *, refuse=(), code=550, **kwargs):
        super().__init__(**kwargs)
        self.refuse = set(refuse)
        self.code = code

    def send_messages(self, messages):
        for message in messages:
            if refused := self.refuse.intersection(message.to):
                reply = b"No such user" if self.code >= 500 else b"Try again later"
                raise smtplib.SMTPRecipientsRefused(
                    dict.fromkeys(refused, (self.code, reply))
                )
        return super().send_messages(messages)


def refusing(*addresses, code=550):
    """MAILERS whose server refuses these addresses with this code."""
    return {
        "default": {
            "BACKEND": "tests.offices.test_reviews.RefusingBackend",
            "OPTIONS": {"refuse": list(addresses), "code": code},
        }
    }


class SlowBackend(EmailBackend):
    """The locmem backend with a mail server's latency, so runs overlap."""

    def send_messages(self, messages):
        time.sleep(0.05)
        return super().send_messages(messages)


def due_on(date, **fields):
    """An office whose review falls due on `date` (reviewed a year before)."""
    return OfficeFactory(
        last_reviewed=date.replace(year=date.year - 1),
        review_interval_months=12,
        **fields,
    )


def never_reviewed(created_on, **fields):
    office = OfficeFactory(**fields)
    created_at = datetime.datetime.combine(
        created_on, datetime.time(12), tzinfo=datetime.UTC
    )
    Office.objects.filter(pk=office.pk).update(created_at=created_at)
    return office


def next_review_on(office):
    return Office.objects.with_next_review().get(pk=office.pk).next_review_on


def sent_to(address):
    return [m for m in mail.outbox if m.to == [address]]


# Due dates, in SQL


def test_next_review_is_a_date_interval_months_after_the_last_review():
    office = OfficeFactory(
        last_reviewed=datetime.date(2021, 5, 1), review_interval_months=12
    )

    assert next_review_on(office) == datetime.date(2022, 5, 1)
    assert type(next_review_on(office)) is datetime.date


@pytest.mark.parametrize(
    ("last_reviewed", "months", "expected"),
    [
        (datetime.date(2023, 1, 31), 1, datetime.date(2023, 2, 28)),
        (datetime.date(2025, 8, 31), 6, datetime.date(2026, 2, 28)),
        (datetime.date(2023, 8, 31), 6, datetime.date(2024, 2, 29)),
        (datetime.date(2025, 3, 31), 1, datetime.date(2025, 4, 30)),
        (datetime.date(2024, 12, 31), 2, datetime.date(2025, 2, 28)),
    ],
)
def test_month_end_plus_months_is_the_last_day_of_the_shorter_month(
    last_reviewed, months, expected
):
    office = OfficeFactory(last_reviewed=last_reviewed, review_interval_months=months)

    assert next_review_on(office) == expected


def test_leap_day_plus_twelve_months_is_28_february():
    office = OfficeFactory(
        last_reviewed=datetime.date(2024, 2, 29), review_interval_months=12
    )

    assert next_review_on(office) == datetime.date(2025, 2, 28)


def test_leap_day_plus_48_months_is_the_next_leap_day():
    office = OfficeFactory(
        last_reviewed=datetime.date(2024, 2, 29), review_interval_months=48
    )

    assert next_review_on(office) == datetime.date(2028, 2, 29)


def test_review_is_due_on_its_due_day_and_not_the_day_before():
    office = due_on(AS_OF)

    assert office not in Office.objects.due_for_review(AS_OF - DAY)
    assert office in Office.objects.due_for_review(AS_OF)
    assert office in Office.objects.due_for_review(AS_OF + 100 * DAY)


def test_review_is_overdue_only_from_the_day_after_its_due_day():
    office = due_on(AS_OF)

    assert office not in Office.objects.overdue(AS_OF)
    assert office in Office.objects.overdue(AS_OF + DAY)


def test_within_days_includes_reviews_due_up_to_that_many_days_ahead():
    on_the_edge = due_on(AS_OF + 14 * DAY)
    beyond = due_on(AS_OF + 15 * DAY)

    due = Office.objects.due_for_review(AS_OF, within_days=14)

    assert on_the_edge in due
    assert beyond not in due


def test_never_reviewed_office_is_due_and_overdue_now():
    office = OfficeFactory(last_reviewed=None)

    assert next_review_on(office) is None
    assert office in Office.objects.due_for_review(AS_OF)
    assert office in Office.objects.overdue(AS_OF)


def test_changing_the_interval_moves_the_due_date():
    office = OfficeFactory(
        last_reviewed=datetime.date(2025, 1, 15), review_interval_months=12
    )
    assert office not in Office.objects.due_for_review(AS_OF)

    Office.objects.filter(pk=office.pk).update(review_interval_months=3)

    assert next_review_on(office) == datetime.date(2025, 4, 15)
    assert office in Office.objects.overdue(AS_OF)


def test_deferral_later_than_the_due_date_postpones_the_review():
    office = due_on(AS_OF - 10 * DAY, deferred_until=AS_OF + 5 * DAY)

    assert next_review_on(office) == AS_OF + 5 * DAY
    assert office not in Office.objects.due_for_review(AS_OF)
    assert office in Office.objects.due_for_review(AS_OF + 5 * DAY)


def test_deferral_earlier_than_the_due_date_changes_nothing():
    office = due_on(AS_OF, deferred_until=AS_OF - 30 * DAY)

    assert next_review_on(office) == AS_OF
    assert office not in Office.objects.due_for_review(AS_OF - DAY)


def test_deferred_office_never_reviewed_is_due_on_the_deferral_date():
    office = OfficeFactory(last_reviewed=None, deferred_until=AS_OF)

    assert office not in Office.objects.due_for_review(AS_OF - DAY)
    assert office in Office.objects.due_for_review(AS_OF)


# Reminders: who gets what


def test_each_reviewer_gets_one_digest_listing_all_their_due_offices(
    reminder_settings,
):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    iraq = due_on(AS_OF - 3 * DAY, name="UN Human Rights in Iraq", reviewers=[alice])
    syria = due_on(AS_OF + 5 * DAY, name="UN Human Rights in Syria", reviewers=[alice])
    tunisia = due_on(AS_OF, name="UN Human Rights in Tunisia", reviewers=[alice, bob])

    send_reminders(as_of=AS_OF)

    assert len(mail.outbox) == 2
    [to_alice] = sent_to("alice@example.org")
    for office in (iraq, syria, tunisia):
        assert office.name in to_alice.body
    [to_bob] = sent_to("bob@example.org")
    assert tunisia.name in to_bob.body
    assert iraq.name not in to_bob.body


def test_offices_not_due_within_the_lead_days_are_not_reminded(reminder_settings):
    alice = UserFactory(username="alice")
    due_on(AS_OF + 15 * DAY, reviewers=[alice])
    soon = due_on(AS_OF + 14 * DAY, reviewers=[alice])

    send_reminders(as_of=AS_OF, lead_days=14)

    [email] = mail.outbox
    assert soon.name in email.body
    assert email.subject == "1 profile due for review"


def test_closed_and_reviewed_offices_are_not_reminded(reminder_settings):
    alice = UserFactory(username="alice")
    OfficeFactory(last_reviewed=None, closed_on=AS_OF - DAY, reviewers=[alice])
    OfficeFactory(last_reviewed=AS_OF - DAY, reviewers=[alice])

    run = send_reminders(as_of=AS_OF)

    assert mail.outbox == []
    assert run.digests == []


def test_office_without_reviewers_goes_to_the_fallback_and_is_reported(
    reminder_settings,
):
    reminder_settings.REVIEW_FALLBACK_EMAIL = ["a@example.org", "b@example.org"]
    orphan = due_on(AS_OF)

    run = send_reminders(as_of=AS_OF)

    assert run.fallback_offices == [orphan]
    assert [m.to for m in mail.outbox] == [["a@example.org"], ["b@example.org"]]
    assert orphan.name in mail.outbox[0].body


def test_reviewers_inactive_or_without_email_are_skipped_and_reported(
    reminder_settings,
):
    inactive = UserFactory(username="gone", is_active=False)
    no_email = UserFactory(username="noemail", email="")
    office = due_on(AS_OF, reviewers=[inactive, no_email])

    run = send_reminders(as_of=AS_OF)

    assert sorted((u.username, reason) for u, reason in run.skipped_reviewers) == [
        ("gone", "inactive account"),
        ("noemail", "no email address"),
    ]
    # Nobody reachable reviews it, so the fallback address is reminded.
    assert run.fallback_offices == [office]
    assert [m.to for m in mail.outbox] == [["fallback@example.org"]]


def test_office_nobody_can_be_reminded_about_is_reported(reminder_settings):
    reminder_settings.REVIEW_FALLBACK_EMAIL = []
    orphan = due_on(AS_OF)

    run = send_reminders(as_of=AS_OF)

    assert run.unrouted_offices == [orphan]
    assert mail.outbox == []


def test_escalation_without_a_fallback_address_is_reported(reminder_settings):
    reminder_settings.REVIEW_FALLBACK_EMAIL = []
    alice = UserFactory(username="alice")
    office = due_on(AS_OF - 31 * DAY, reviewers=[alice])

    run = send_reminders(as_of=AS_OF)

    # The reviewer is still reminded; only the escalation has nowhere to go.
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert run.unescalated_offices == [office]
    assert run.unrouted_offices == []


def test_office_slugs_limit_the_run(reminder_settings):
    alice = UserFactory(username="alice")
    iraq = due_on(AS_OF, slug="iraq", reviewers=[alice])
    syria = due_on(AS_OF, slug="syria", reviewers=[alice])

    send_reminders(as_of=AS_OF, office_slugs=["iraq"])

    [email] = mail.outbox
    assert iraq.name in email.body
    assert syria.name not in email.body


def test_unknown_office_slug_raises_and_sends_nothing(reminder_settings):
    due_on(AS_OF, slug="iraq", reviewers=[UserFactory()])

    with pytest.raises(UnknownOffices, match="irak"):
        send_reminders(as_of=AS_OF, office_slugs=["iraq", "irak"])

    assert mail.outbox == []
    assert not ReviewReminder.objects.exists()


def test_negative_lead_days_raise_and_send_nothing(reminder_settings):
    due_on(AS_OF, reviewers=[UserFactory()])

    with pytest.raises(ReminderInputError, match="negative"):
        send_reminders(as_of=AS_OF, lead_days=-1)

    assert mail.outbox == []


# Escalation


def test_office_overdue_by_more_than_the_limit_is_escalated_to_the_fallback(
    reminder_settings,
):
    alice = UserFactory(username="alice", first_name="Alice", last_name="Ndiaye")
    late = due_on(AS_OF - 31 * DAY, name="Late office", reviewers=[alice])
    due_on(AS_OF - 30 * DAY, name="Not late enough", reviewers=[alice])

    send_reminders(as_of=AS_OF)

    [escalation] = sent_to("fallback@example.org")
    assert escalation.subject == ("1 profile overdue for review by more than 30 days")
    assert late.name in escalation.body
    assert "Not late enough" not in escalation.body
    assert "Alice Ndiaye" in escalation.body
    assert ReviewReminder.objects.get(kind="escalation").office == late


def test_escalation_is_sent_once_per_cycle(reminder_settings):
    alice = UserFactory(username="alice")
    due_on(AS_OF - 31 * DAY, reviewers=[alice])
    send_reminders(as_of=AS_OF)
    mail.outbox.clear()

    send_reminders(as_of=AS_OF + 7 * DAY)

    # The reviewer is reminded again; the fallback is not told twice.
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]


def test_never_reviewed_office_escalates_counting_from_its_creation(
    reminder_settings,
):
    young = never_reviewed(AS_OF - 30 * DAY, name="Young office")
    old = never_reviewed(AS_OF - 31 * DAY, name="Old office")

    send_reminders(as_of=AS_OF)

    reminder, escalation = sent_to("fallback@example.org")
    assert young.name in reminder.body
    assert old.name in reminder.body
    assert old.name in escalation.body
    assert young.name not in escalation.body


# Idempotence, repeats, review cycles


def test_rerun_the_same_day_sends_nothing(reminder_settings):
    due_on(AS_OF - 40 * DAY, reviewers=[UserFactory()])
    send_reminders(as_of=AS_OF)
    assert len(mail.outbox) == 2  # the reminder and the escalation
    mail.outbox.clear()

    run = send_reminders(as_of=AS_OF)

    assert mail.outbox == []
    assert run.digests == []


def test_reminders_are_recorded_as_sent(reminder_settings):
    alice = UserFactory(username="alice")
    office = due_on(AS_OF, reviewers=[alice])

    send_reminders(as_of=AS_OF)

    reminder = ReviewReminder.objects.get()
    assert (reminder.office, reminder.email, reminder.kind) == (
        office,
        "alice@example.org",
        "reminder",
    )
    assert (reminder.cycle_on, reminder.sequence, reminder.reminded_on) == (
        AS_OF,
        0,
        AS_OF,
    )
    assert reminder.sent_at is not None


def test_overdue_reminder_is_repeated_after_the_repeat_days(reminder_settings):
    due_on(AS_OF - DAY, reviewers=[UserFactory(username="alice")])
    send_reminders(as_of=AS_OF)
    mail.outbox.clear()

    send_reminders(as_of=AS_OF + 7 * DAY)

    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert list(ReviewReminder.objects.values_list("sequence", flat=True)) == [1, 0]


def test_overdue_reminder_is_not_repeated_before_the_repeat_days(reminder_settings):
    due_on(AS_OF - DAY, reviewers=[UserFactory()])
    send_reminders(as_of=AS_OF)
    mail.outbox.clear()

    send_reminders(as_of=AS_OF + 6 * DAY)

    assert mail.outbox == []


def test_reminder_is_not_repeated_while_the_review_is_not_yet_overdue(
    reminder_settings,
):
    due_on(AS_OF + 10 * DAY, reviewers=[UserFactory()])
    send_reminders(as_of=AS_OF)
    mail.outbox.clear()

    send_reminders(as_of=AS_OF + 7 * DAY)
    assert mail.outbox == []

    send_reminders(as_of=AS_OF + 11 * DAY)
    assert len(mail.outbox) == 1


def test_review_ends_the_reminders_and_starts_a_new_cycle(reminder_settings):
    office = due_on(AS_OF - DAY, reviewers=[UserFactory()])
    send_reminders(as_of=AS_OF)
    mark_reviewed([office], by=None, on=AS_OF + DAY)
    mail.outbox.clear()

    send_reminders(as_of=AS_OF + 8 * DAY)
    assert mail.outbox == []

    next_due = (AS_OF + DAY).replace(year=AS_OF.year + 1)
    send_reminders(as_of=next_due)
    assert len(mail.outbox) == 1
    assert set(ReviewReminder.objects.values_list("cycle_on", flat=True)) == {
        AS_OF - DAY,
        next_due,
    }


def test_first_review_of_a_never_reviewed_office_starts_a_new_cycle(
    reminder_settings,
):
    office = never_reviewed(AS_OF - 5 * DAY, reviewers=[UserFactory()])
    send_reminders(as_of=AS_OF)
    mark_reviewed([office], by=None, on=AS_OF)
    mail.outbox.clear()

    send_reminders(as_of=AS_OF + 8 * DAY)

    assert mail.outbox == []


def test_dry_run_sends_and_records_nothing_but_reports_the_plan(reminder_settings):
    alice = UserFactory(username="alice")
    office = due_on(AS_OF, reviewers=[alice])

    run = send_reminders(as_of=AS_OF, dry_run=True)

    assert mail.outbox == []
    assert not ReviewReminder.objects.exists()
    [digest] = run.delivered
    assert (digest.to, [item.office for item in digest.items]) == (
        "alice@example.org",
        [office],
    )


# The planner's steps, as values

NOW = datetime.datetime(2025, 6, 16, 9, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)
PLAN_INPUTS = {
    "as_of": AS_OF,
    "fallback": ["fallback@example.org"],
    "escalate_after_days": 30,
    "repeat_days": 7,
}


def route(reviewers, *, days_overdue=0, fallback=("fallback@example.org",)):
    return route_office(
        reviewers,
        days_overdue=days_overdue,
        fallback=list(fallback),
        escalate_after_days=30,
    )


def test_route_reminds_each_reachable_reviewer_address_once():
    alice = UserFactory.build(username="alice")
    alice_again = UserFactory.build(username="alice2", email="alice@example.org")
    bob = UserFactory.build(username="bob")

    assert route([alice, alice_again, bob]) == Route(
        reminder_to=("alice@example.org", "bob@example.org")
    )


def test_route_skips_unreachable_reviewers_and_falls_back():
    gone = UserFactory.build(username="gone", is_active=False)
    no_email = UserFactory.build(username="noemail", email="")

    assert route([gone, no_email]) == Route(
        reminder_to=("fallback@example.org",),
        skipped=((gone, "inactive account"), (no_email, "no email address")),
        via_fallback=True,
    )


def test_route_without_reviewers_or_fallback_reaches_nobody():
    result = route([], fallback=())

    assert result == Route(reminder_to=())
    assert result.unrouted


def test_route_escalates_to_the_fallback_only_when_overdue_past_the_limit():
    alice = UserFactory.build(username="alice")

    assert route([alice], days_overdue=30).targets == [
        ("reminder", "alice@example.org")
    ]
    assert route([alice], days_overdue=31).targets == [
        ("reminder", "alice@example.org"),
        ("escalation", "fallback@example.org"),
    ]


def test_route_past_the_limit_without_a_fallback_is_unescalated():
    alice = UserFactory.build(username="alice")

    assert route([alice], days_overdue=31, fallback=()) == Route(
        reminder_to=("alice@example.org",), unescalated=True
    )
    # With nobody to remind either, the office is reported as unrouted instead.
    assert not route([], days_overdue=31, fallback=()).unescalated


def next_sequence(last, *, kind=ReviewReminder.Kind.REMINDER, is_overdue=True):
    return choose_next_sequence(
        last, kind=kind, is_overdue=is_overdue, as_of=AS_OF, repeat_days=7
    )


def sent_reminder(sequence, *, reminded_on):
    return ReviewReminderFactory.build(
        sequence=sequence, reminded_on=reminded_on, sent_at=NOW - 30 * DAY
    )


def test_first_reminder_of_a_cycle_is_sequence_0():
    assert next_sequence(None) == 0
    assert next_sequence(None, is_overdue=False) == 0
    assert next_sequence(None, kind=ReviewReminder.Kind.ESCALATION) == 0


def test_overdue_reminder_repeats_with_the_next_sequence_after_the_repeat_days():
    assert next_sequence(sent_reminder(2, reminded_on=AS_OF - 7 * DAY)) == 3
    assert next_sequence(sent_reminder(2, reminded_on=AS_OF - 6 * DAY)) is None


def test_reminder_not_yet_overdue_is_not_repeated():
    last = sent_reminder(0, reminded_on=AS_OF - 30 * DAY)

    assert next_sequence(last, is_overdue=False) is None


def test_escalation_is_not_repeated():
    last = sent_reminder(0, reminded_on=AS_OF - 30 * DAY)

    assert next_sequence(last, kind=ReviewReminder.Kind.ESCALATION) is None


def test_unsent_claim_is_owed_again_at_once():
    # Claims are committed with their outcome: one without is a dead run's.
    abandoned = ReviewReminderFactory.build(sequence=1, claimed_at=NOW - MINUTE)

    assert next_sequence(abandoned) == 1


def test_refused_reminder_is_not_owed_again_in_its_cycle():
    refused = ReviewReminderFactory.build(
        sequence=1,
        reminded_on=AS_OF - 30 * DAY,
        failed_at=NOW - 30 * DAY,
        failure="550 No such user",
    )

    assert next_sequence(refused) is None


def due_offices():
    """The due offices as send_reminders hands them to plan_digests."""
    return list(
        Office.objects.due_for_review(AS_OF, within_days=14)
        .prefetch_related(
            Prefetch("reviewers", queryset=get_user_model().objects.order_by("pk"))
        )
        .order_by("name")
    )


def test_plan_makes_one_digest_per_kind_and_address_in_the_order_needed(
    django_assert_num_queries,
):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    iraq = due_on(AS_OF - 31 * DAY, name="Iraq", reviewers=[alice])
    syria = due_on(AS_OF, name="Syria", reviewers=[alice, bob])
    tunisia = due_on(AS_OF, name="Tunisia")
    offices = due_offices()

    with django_assert_num_queries(0):
        plan = plan_digests(offices, [], **PLAN_INPUTS)

    assert [
        (d.kind, d.to, [item.office for item in d.items], d.sequences, d.takeovers)
        for d in plan.digests
    ] == [
        ("reminder", "alice@example.org", [iraq, syria], {iraq.pk: 0, syria.pk: 0}, ()),
        ("escalation", "fallback@example.org", [iraq], {iraq.pk: 0}, ()),
        ("reminder", "bob@example.org", [syria], {syria.pk: 0}, ()),
        ("reminder", "fallback@example.org", [tunisia], {tunisia.pk: 0}, ()),
    ]
    assert plan.fallback_offices == [tunisia]
    assert (
        plan.skipped_reviewers,
        plan.unrouted_offices,
        plan.unescalated_offices,
    ) == ([], [], [])


def test_plan_reports_skipped_reviewers_once_and_offices_nobody_is_told_about():
    gone = UserFactory(username="gone", is_active=False)
    alice = UserFactory(username="alice")
    late = due_on(AS_OF - 31 * DAY, name="Late", reviewers=[gone, alice])
    orphan = due_on(AS_OF, name="Orphan", reviewers=[gone])

    plan = plan_digests(due_offices(), [], **PLAN_INPUTS | {"fallback": []})

    assert [(d.kind, d.to) for d in plan.digests] == [("reminder", alice.email)]
    assert plan.skipped_reviewers == [(gone, "inactive account")]
    assert plan.unrouted_offices == [orphan]
    assert plan.unescalated_offices == [late]
    assert plan.fallback_offices == []


def test_plan_leaves_out_sent_and_refused_reminders_and_takes_over_abandoned_claims(
    django_assert_num_queries,
):
    alice = UserFactory(username="alice")
    abandoned, new, refused, sent = (
        due_on(AS_OF, name=name, reviewers=[alice])
        for name in ("Abandoned", "New", "Refused", "Sent")
    )
    claims = {
        office: ReviewReminderFactory(
            office=office, email=alice.email, cycle_on=AS_OF, **outcome
        )
        for office, outcome in (
            (abandoned, {}),
            (refused, {"failed_at": NOW, "failure": "550 No such user"}),
            (sent, {"sent_at": NOW}),
        )
    }
    offices = due_offices()

    with django_assert_num_queries(0):
        plan = plan_digests(offices, list(claims.values()), **PLAN_INPUTS)

    reminder, report = plan.digests
    assert [item.office for item in reminder.items] == [abandoned, new]
    assert reminder.sequences == {abandoned.pk: 0, new.pk: 0}
    assert reminder.takeovers == (claims[abandoned].pk,)
    # The refusal is not retried; the fallback address is told about it.
    assert (report.kind, report.to, report.items) == (
        "escalation",
        "fallback@example.org",
        (),
    )
    assert [u.reminder for u in report.undelivered] == [claims[refused]]


def test_plan_repeats_counting_from_the_latest_reminder_of_the_cycle():
    alice = UserFactory(username="alice")
    office = due_on(AS_OF - 20 * DAY, reviewers=[alice])
    previous = [
        ReviewReminderFactory(
            office=office,
            email=alice.email,
            cycle_on=AS_OF - 20 * DAY,
            sequence=sequence,
            reminded_on=reminded_on,
            sent_at=NOW - 30 * DAY,
        )
        for sequence, reminded_on in ((1, AS_OF - 7 * DAY), (0, AS_OF - 20 * DAY))
    ]

    plan = plan_digests(due_offices(), previous, **PLAN_INPUTS)

    [digest] = plan.digests
    assert digest.sequences == {office.pk: 2}


def digest_about(office, to):
    item = due_office(Office.objects.with_next_review().get(pk=office.pk), AS_OF)
    return Digest(
        kind=ReviewReminder.Kind.REMINDER,
        to=to,
        items=(item,),
        sequences={office.pk: 0},
    )


def test_handle_one_digest_returns_it_sent_and_records_it(reminder_settings):
    office = due_on(AS_OF, reviewers=[UserFactory(username="alice")])
    digest = digest_about(office, "alice@example.org")

    result = handle_one_digest(digest, as_of=AS_OF, token=uuid.uuid4())

    assert result == replace(digest, sent=True)
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert ReviewReminder.objects.get().sent_at is not None


def test_handle_one_digest_leaves_out_offices_another_run_sent(reminder_settings):
    office = due_on(AS_OF, reviewers=[UserFactory(username="alice")])
    ReviewReminderFactory(
        office=office, email="alice@example.org", cycle_on=AS_OF, sent_at=NOW
    )
    digest = digest_about(office, "alice@example.org")

    result = handle_one_digest(digest, as_of=AS_OF, token=uuid.uuid4())

    assert result == replace(digest, items=())
    assert mail.outbox == []


def test_handle_one_digest_returns_a_temporary_error_and_releases_its_claims(
    reminder_settings,
):
    reminder_settings.MAILERS = refusing("alice@example.org", code=451)
    office = due_on(AS_OF, reviewers=[UserFactory(username="alice")])
    digest = digest_about(office, "alice@example.org")

    result = handle_one_digest(digest, as_of=AS_OF, token=uuid.uuid4())

    assert (result.items, result.sent, result.refused) == (digest.items, False, False)
    assert "Try again later" in result.error
    assert not ReviewReminder.objects.exists()


# Failures and concurrency


def test_failure_for_one_recipient_leaves_the_others_sent_and_it_unrecorded(
    reminder_settings,
):
    reminder_settings.MAILERS = refusing("bob@example.org", code=451)
    alice, bob, carol = (UserFactory(username=n) for n in ("alice", "bob", "carol"))
    due_on(AS_OF, reviewers=[alice, bob, carol])

    run = send_reminders(as_of=AS_OF)

    assert [e.to for e in run.failed] == ["bob@example.org"]
    assert "Try again later" in run.failed[0].error
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@example.org",
        "carol@example.org",
    ]
    assert sorted(ReviewReminder.objects.values_list("email", flat=True)) == [
        "alice@example.org",
        "carol@example.org",
    ]


def test_next_run_retries_a_failed_recipient(reminder_settings):
    reminder_settings.MAILERS = refusing("bob@example.org", code=451)
    due_on(
        AS_OF, reviewers=[UserFactory(username="alice"), UserFactory(username="bob")]
    )
    send_reminders(as_of=AS_OF)
    reminder_settings.MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    }
    mail.outbox.clear()

    run = send_reminders(as_of=AS_OF)

    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    assert run.failed == []
    assert ReviewReminder.objects.filter(sent_at__isnull=False).count() == 2


def test_claim_left_by_a_dead_run_is_taken_over_at_once(reminder_settings):
    office = due_on(AS_OF, reviewers=[UserFactory(username="alice")])
    dead = ReviewReminder.objects.create(
        office=office,
        email="alice@example.org",
        cycle_on=AS_OF,
        reminded_on=AS_OF,
        claimed_by="00000000-0000-0000-0000-000000000000",
        claimed_at=timezone.now() - MINUTE,
    )

    send_reminders(as_of=AS_OF)

    assert len(mail.outbox) == 1
    dead.refresh_from_db()
    assert dead.sent_at is not None
    assert ReviewReminder.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_each_reminder_once(reminder_settings):
    reminder_settings.MAILERS = {
        "default": {"BACKEND": "tests.offices.test_reviews.SlowBackend"}
    }
    reviewers = [UserFactory(username=f"reviewer{i}") for i in range(5)]
    offices = [
        due_on(AS_OF - 40 * DAY, reviewers=[reviewers[i % 5]]) for i in range(20)
    ]
    start = threading.Barrier(2)
    outputs = []

    def run():
        try:
            start.wait()
            out = StringIO()
            call_command("send_review_reminders", "--as-of=2025-06-16", stdout=out)
            outputs.append(out.getvalue())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outputs) == 2
    # One digest per reviewer and one escalation, however the runs interleaved.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [u.email for u in reviewers] + ["fallback@example.org"]
    )
    reminded = [
        o for m in mail.outbox for o in offices if f"/offices/{o.slug}/" in m.body
    ]
    assert len(reminded) == 2 * len(offices)  # once to a reviewer, once escalated
    assert ReviewReminder.objects.filter(sent_at__isnull=True).count() == 0
    assert ReviewReminder.objects.count() == 2 * len(offices)


# Email content


def test_digest_has_text_and_html_parts_with_absolute_links(reminder_settings):
    office = due_on(AS_OF - 3 * DAY, slug="iraq", reviewers=[UserFactory()])

    send_reminders(as_of=AS_OF)

    [email] = mail.outbox
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    admin_url = f"https://profiles.example.org/admin/offices/office/{office.pk}/change/"
    public_url = "https://profiles.example.org/en/offices/iraq/"
    for part in (email.body, html):
        assert admin_url in part
        assert public_url in part
        assert "Due 13 June 2025: overdue by 3 days." in part
    assert f'<a href="{public_url}">' in html


def test_digest_says_when_a_review_is_due(reminder_settings):
    alice = UserFactory()
    due_on(AS_OF, reviewers=[alice])
    due_on(AS_OF + DAY, reviewers=[alice])
    due_on(AS_OF + 5 * DAY, reviewers=[alice])
    never_reviewed(AS_OF, reviewers=[alice])

    send_reminders(as_of=AS_OF)

    body = mail.outbox[0].body
    assert "Due today, 16 June 2025." in body
    assert "Due 17 June 2025: in 1 day." in body
    assert "Due 21 June 2025: in 5 days." in body
    assert "Never reviewed." in body


def test_subject_names_the_number_of_profiles(reminder_settings):
    alice = UserFactory()
    for _ in range(3):
        due_on(AS_OF, reviewers=[alice])

    send_reminders(as_of=AS_OF)

    assert mail.outbox[0].subject == "3 profiles due for review"


def test_html_part_escapes_office_names(reminder_settings):
    due_on(AS_OF, name="Rights & <Peace>", reviewers=[UserFactory()])

    send_reminders(as_of=AS_OF)

    [email] = mail.outbox
    assert "Rights &amp; &lt;Peace&gt;" in email.alternatives[0].content
    assert "Rights & <Peace>" in email.body


def test_each_office_is_rendered_once_however_many_emails_list_it(
    reminder_settings,
):
    """Two reviewers and the escalation list the office: its item is rendered
    once per form (with and without reviewers), then reused."""
    rendered = []

    def record(sender, template, **kwargs):
        rendered.append(template.name)

    due_on(AS_OF - datetime.timedelta(days=40), reviewers=UserFactory.create_batch(2))
    template_rendered.connect(record)
    try:
        send_reminders(as_of=AS_OF)
    finally:
        template_rendered.disconnect(record)

    assert sorted((email.subject, email.to[0]) for email in mail.outbox) == [
        ("1 profile due for review", ANY),
        ("1 profile due for review", ANY),
        ("1 profile overdue for review by more than 30 days", "fallback@example.org"),
    ]
    assert rendered.count("emails/_review_item.txt") == 2
    assert rendered.count("emails/_review_item.html") == 2
    assert all("Review and edit" in email.body for email in mail.outbox)


def test_planning_queries_do_not_grow_with_the_number_of_offices(
    reminder_settings, django_assert_max_num_queries
):
    reviewers = [UserFactory() for _ in range(3)]
    for size in (2, 20):
        for i in range(size):
            due_on(AS_OF, reviewers=reviewers[: 1 + i % 3])
        with django_assert_max_num_queries(3):
            run = send_reminders(as_of=AS_OF, dry_run=True)
        assert run.office_count == Office.objects.count()


# Marking reviewed and deferring


def test_mark_reviewed_sets_the_date_clears_the_deferral_and_records_it():
    office = OfficeFactory(deferred_until=datetime.date(2025, 3, 1))
    other = OfficeFactory(last_reviewed=None)
    user = UserFactory()
    on = datetime.date(2025, 2, 1)

    count = mark_reviewed([office], by=user, on=on, note="Checked staff numbers")

    office.refresh_from_db()
    other.refresh_from_db()
    record = ReviewRecord.objects.get()
    assert count == 1
    assert (office.last_reviewed, office.deferred_until) == (on, None)
    assert other.last_reviewed is None
    assert (record.office, record.kind, record.reviewed_by) == (
        office,
        ReviewRecord.Kind.REVIEWED,
        user,
    )
    assert (record.reviewed_on, record.note) == (on, "Checked staff numbers")


def test_mark_reviewed_defaults_to_today():
    office = OfficeFactory()

    mark_reviewed(Office.objects.all(), by=UserFactory())

    office.refresh_from_db()
    assert office.last_reviewed == timezone.localdate()
    assert ReviewRecord.objects.get().reviewed_on == timezone.localdate()


def test_defer_review_sets_the_date_and_records_the_reason():
    office = OfficeFactory(last_reviewed=datetime.date(2024, 1, 1))
    user = UserFactory()
    until = datetime.date(2025, 3, 1)

    defer_review(
        office,
        until=until,
        by=user,
        reason="Mission mandate renewal pending",
        on=datetime.date(2025, 1, 15),
    )

    office.refresh_from_db()
    record = ReviewRecord.objects.get()
    assert office.deferred_until == until
    assert office.last_reviewed == datetime.date(2024, 1, 1)
    assert (record.kind, record.reviewed_by, record.deferred_until) == (
        ReviewRecord.Kind.DEFERRED,
        user,
        until,
    )
    assert (record.reviewed_on, record.note) == (
        datetime.date(2025, 1, 15),
        "Mission mandate renewal pending",
    )


# How far a review can be put off: one review interval, two years at most.


@pytest.mark.parametrize(
    ("interval", "today", "latest"),
    [
        (12, datetime.date(2025, 6, 15), datetime.date(2026, 6, 15)),
        (1, datetime.date(2025, 1, 31), datetime.date(2025, 2, 28)),
        (6, datetime.date(2023, 8, 31), datetime.date(2024, 2, 29)),
        (36, datetime.date(2025, 6, 15), datetime.date(2027, 6, 15)),
        (60, datetime.date(2025, 6, 15), datetime.date(2027, 6, 15)),
    ],
)
def test_latest_deferral_is_one_interval_and_never_beyond_two_years(
    interval, today, latest
):
    office = OfficeFactory.build(review_interval_months=interval)

    assert office.latest_deferral(today) == latest


@pytest.mark.parametrize(
    "until", [datetime.date(9999, 12, 31), datetime.date(2026, 6, 16)]
)
def test_defer_review_refuses_a_date_past_the_limit(until):
    office = OfficeFactory(review_interval_months=12)

    with pytest.raises(ValueError, match="no later than 2026-06-15"):
        defer_review(
            office,
            until=until,
            by=None,
            reason="x",
            on=datetime.date(2025, 6, 15),
        )

    office.refresh_from_db()
    assert office.deferred_until is None
    assert not office.review_records.exists()


def test_defer_review_accepts_the_last_allowed_day():
    office = OfficeFactory(review_interval_months=12)

    defer_review(
        office,
        until=datetime.date(2026, 6, 15),
        by=None,
        reason="x",
        on=datetime.date(2025, 6, 15),
    )

    office.refresh_from_db()
    assert office.deferred_until == datetime.date(2026, 6, 15)


@pytest.mark.parametrize(
    ("days", "error"),
    [(0, "after today"), (367, "at most one review interval"), (None, "9999")],
)
def test_defer_form_refuses_today_and_dates_past_the_limit(days, error):
    office = OfficeFactory.build(review_interval_months=12)
    today = timezone.localdate()
    until = "9999-12-31" if days is None else today + datetime.timedelta(days=days)

    form = DeferReviewForm({"until": until, "reason": "Waiting"}, office=office)

    assert not form.is_valid()
    if days is not None:
        assert error in form.errors["until"][0]


def test_defer_form_accepts_a_date_within_the_interval():
    office = OfficeFactory.build(review_interval_months=12)
    until = timezone.localdate() + datetime.timedelta(days=90)

    form = DeferReviewForm({"until": until, "reason": "Waiting"}, office=office)

    assert form.is_valid(), form.errors

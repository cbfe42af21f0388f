"""send_reminders' queries follow the addresses emailed, not the offices.

test_reviews.py checks the planning (a dry run); this checks a real run,
which claims, sends and records one digest per address. bench/review_reminders.py
measures the same at 10,000 offices, with timings (none here).
"""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from offices.models import ReviewReminder
from offices.reviews import send_reminders
from tests.factories import OfficeFactory, UserFactory

AS_OF = datetime.date(2025, 6, 16)

pytestmark = pytest.mark.django_db


def add_offices(count, reviewers):
    """Offices due on AS_OF or overdue past escalation, every third with no
    reviewer (reminded through the fallback address)."""
    for i in range(count):
        due = AS_OF - datetime.timedelta(days=40 if i % 2 else 0)
        OfficeFactory(
            last_reviewed=due.replace(year=due.year - 1),
            review_interval_months=12,
            reviewers=reviewers[: i % 3],
        )


def real_run():
    """(queries, emails as (kind, address), offices) of a run owing everything."""
    ReviewReminder.objects.all().delete()
    mail.outbox = []
    with CaptureQueriesContext(connection) as queries:
        run = send_reminders(as_of=AS_OF)
    emails = sorted((digest.kind, digest.to) for digest in run.delivered)
    assert len(mail.outbox) == len(emails)
    return len(queries), emails, run.office_count


def test_sending_queries_do_not_grow_with_the_number_of_offices(reminder_settings):
    reviewers = [UserFactory() for _ in range(2)]
    add_offices(3, reviewers)
    small_queries, small_emails, small_offices = real_run()

    add_offices(27, reviewers)
    large_queries, large_emails, large_offices = real_run()

    assert (small_offices, large_offices) == (3, 30)
    # The same addresses (two reviewers, the fallback's reminder and
    # escalation) get one email each, whatever the number of offices...
    assert large_emails == small_emails
    assert len(small_emails) == 4
    # ...and the queries are the same too.
    assert large_queries == small_queries

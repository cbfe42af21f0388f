"""Time send_review_reminders on many offices, in a throwaway database.

    DEBUG=true DATABASE_URL=postgres://... .venv/bin/python bench/review_reminders.py \
        [--offices 2000] [--reviewers 200]

Creates the database bench_<name> next to DATABASE_URL's, fills it, times a
dry run, a real run (into the in-memory mailer) and a rerun, then drops it.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrprofile.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from offices.models import Office  # noqa: E402
from offices.reviews import send_reminders  # noqa: E402

AS_OF = datetime.date(2025, 6, 16)


def fill(n_offices, n_reviewers):
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"r{i}", email=f"r{i}@example.org", is_staff=True)
        for i in range(n_reviewers)
    )
    offices = Office.objects.bulk_create(
        Office(
            name=f"Office {i}",
            slug=f"office-{i}",
            region=Office.Region.AFRICA,
            engagement_type=Office.EngagementType.COUNTRY_OFFICE,
            year_established=2000,
            status=Office.Status.PUBLISHED,
            # Spread due dates over 90 days around AS_OF; a tenth never reviewed.
            last_reviewed=None
            if i % 10 == 0
            else AS_OF - datetime.timedelta(days=365 - 45 + i % 90),
        )
        for i in range(n_offices)
    )
    # Two reviewers per office; every twentieth office has none (fallback).
    Through = Office.reviewers.through
    Through.objects.bulk_create(
        Through(office=office, user=users[(i + k) % n_reviewers])
        for i, office in enumerate(offices)
        if i % 20
        for k in (0, 1)
    )


def timed(label, **kwargs):
    mail.outbox = []
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        run = send_reminders(as_of=AS_OF, **kwargs)
        seconds = time.perf_counter() - start
    print(
        f"{label:8} {seconds:6.2f}s {len(queries):5d} queries "
        f"{len(run.delivered):4d} emails about {run.office_count} offices, "
        f"{len(mail.outbox)} in the outbox"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=2000)
    parser.add_argument("--reviewers", type=int, default=200)
    args = parser.parse_args()

    setup_test_environment()  # the in-memory mailer
    settings.REVIEW_FALLBACK_EMAIL = ["fallback@example.org"]
    test_settings = connection.settings_dict.setdefault("TEST", {})
    test_settings["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        fill(args.offices, args.reviewers)
        print(f"{args.offices} offices, {args.reviewers} reviewers")
        timed("dry run", dry_run=True)
        timed("run")
        timed("rerun")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

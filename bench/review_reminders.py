"""Time send_review_reminders on many offices, in a throwaway database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hrprofile \
        .venv/bin/python bench/review_reminders.py \
        [--offices 10000] [--reviewers N] [--profile]

Creates the database bench_<name> next to DATABASE_URL's, fills it with
--offices open, published offices (due dates spread over 90 days around the
run's date, a tenth never reviewed, two reviewers each from --reviewers staff
users, default one per ten offices, every twentieth office with none), then
times a dry run, a real run (into the in-memory mailer) and a rerun, and
counts their queries. Drops the database at the end.

It checks that the query count does not depend on the number of offices: the
same reviewers with a tenth of the offices first, then the full set. The dry
run (and a rerun, which owes nothing) makes the same number of queries at
both sizes; the real run makes that number plus a fixed number per email
sent (one per address), also the same at both sizes. --profile prints where
the full-size real run spends its time (cProfile, top functions).

Production settings (DEBUG off) unless the environment says otherwise; the
target is a real run under 10 s at 10,000 offices (issue #12).
"""

import argparse
import collections
import cProfile
import datetime
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrprofile.settings")
# Enough for settings.py without DEBUG.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
# The in-memory mailer (django.core.mail.outbox): no email leaves the machine.
os.environ["EMAIL_URL"] = "locmem://"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from offices import reviews  # noqa: E402
from offices.models import Office  # noqa: E402
from offices.reviews import send_reminders  # noqa: E402

AS_OF = datetime.date(2025, 6, 16)
TARGET_SECONDS = 10

# Seconds spent in reviews.send_email (rendering the three templates and
# handing the message to the mailer) during the current run.
emailing = [0.0]
_send_email = reviews.send_email


def timed_send_email(*args, **kwargs):
    start = time.perf_counter()
    try:
        return _send_email(*args, **kwargs)
    finally:
        emailing[0] += time.perf_counter() - start


reviews.send_email = timed_send_email


def fill(n_offices, n_reviewers):
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"r{i}", email=f"r{i}@example.org", is_staff=True)
        for i in range(n_reviewers)
    )
    offices = Office.objects.bulk_create(
        (
            Office(
                name=f"Office {i}",
                slug=f"office-{i}",
                region=Office.Region.AFRICA,
                engagement_type=Office.EngagementType.COUNTRY_OFFICE,
                year_established=2000,
                status=Office.Status.PUBLISHED,
                # Due dates over 90 days around AS_OF; a tenth never reviewed.
                last_reviewed=None
                if i % 10 == 0
                else AS_OF - datetime.timedelta(days=365 - 45 + i % 90),
            )
            for i in range(n_offices)
        ),
        batch_size=2000,
    )
    # Two reviewers per office; every twentieth office has none (fallback).
    Through = Office.reviewers.through
    Through.objects.bulk_create(
        (
            Through(office=office, user=users[(i + k) % n_reviewers])
            for i, office in enumerate(offices)
            if i % 20
            for k in (0, 1)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(label, profile=False, **kwargs):
    """Run send_reminders; print and return (seconds, queries, emails)."""
    mail.outbox = []
    emailing[0] = 0.0
    profiler = cProfile.Profile() if profile else None
    # As the tests count them (BEGIN and COMMIT included), with no limit on
    # the log: by default it keeps 9,000, and the count goes wrong past that.
    connection.queries_log = collections.deque()
    with CaptureQueriesContext(connection) as queries:
        start, cpu_start = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        run = send_reminders(as_of=AS_OF, **kwargs)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
    in_database = sum(float(query["time"]) for query in queries.captured_queries)
    print(
        f"  {label:8} {seconds:6.2f} s ({cpu:5.2f} s of CPU here): "
        f"{len(queries):5d} queries ({in_database:5.2f} s), "
        f"emails rendered and sent in {emailing[0]:5.2f} s, "
        f"{len(run.delivered)} emails about {run.office_count} offices "
        f"({len(mail.outbox)} in the outbox)",
        flush=True,
    )
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(15)
        print(out.getvalue())
    return seconds, len(queries), len(run.delivered)


def measure(n_offices, n_reviewers, profile=False):
    """Fill afresh, then time the three runs; returns their figures."""
    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    fill(n_offices, n_reviewers)
    print(
        f"{n_offices} offices, {n_reviewers} reviewers "
        f"(filled in {time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    return {
        "dry run": timed("dry run", dry_run=True),
        "run": timed("run", profile=profile),
        "rerun": timed("rerun"),
    }


def check_constant_queries(small, large):
    """The query count depends on the addresses emailed, not on the offices."""
    problems = []
    for label in ("dry run", "rerun"):
        if small[label][1] != large[label][1]:
            problems.append(
                f"{label}: {small[label][1]} queries, then {large[label][1]} "
                "with ten times the offices"
            )
    per_email = {}
    for size, figures in (("small", small), ("large", large)):
        _, queries, emails = figures["run"]
        extra = queries - figures["dry run"][1]
        if emails == 0 or extra % emails:
            problems.append(
                f"run ({size}): {extra} queries beyond planning for {emails} emails"
            )
        else:
            per_email[size] = extra // emails
    if len(set(per_email.values())) > 1:
        problems.append(
            f"run: {per_email['small']} queries per email, then "
            f"{per_email['large']} with ten times the offices"
        )
    if problems:
        raise AssertionError(
            "Query count grows with the offices: " + "; ".join(problems)
        )
    return small["dry run"][1], per_email["large"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=10000)
    parser.add_argument(
        "--reviewers", type=int, help="staff reviewers (default: offices / 10)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile the full-size real run"
    )
    args = parser.parse_args()
    reviewers = args.reviewers or max(2, args.offices // 10)

    settings.REVIEW_FALLBACK_EMAIL = ["fallback@example.org"]
    test_settings = connection.settings_dict.setdefault("TEST", {})
    test_settings["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        small = measure(max(20, args.offices // 10), reviewers)
        large = measure(args.offices, reviewers, profile=args.profile)
        planning, per_email = check_constant_queries(small, large)
        seconds = large["run"][0]
        print(
            f"Queries: {planning} to plan (any number of offices), "
            f"plus {per_email} per email sent. "
            f"Real run on {args.offices} offices: {seconds:.2f} s "
            f"({'within' if seconds < TARGET_SECONDS else 'OVER'} "
            f"the {TARGET_SECONDS} s target)."
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

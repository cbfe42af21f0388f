"""The review cycle: marking profiles reviewed, deferring, and reminders.

Functions take explicit keyword inputs (as_of, the acting user) so the admin,
the management command and the tests all drive the same code.
"""

from django.db import transaction
from django.utils import timezone

from offices.models import Office, ReviewRecord


def mark_reviewed(offices, *, by, on=None, note=""):
    """Record a review of each office on `on` (default: today) by user `by`.

    Sets last_reviewed, clears any deferral (a review starts a new cycle) and
    adds a ReviewRecord per office, all or nothing. Returns the number marked.
    """
    on = on or timezone.localdate()
    offices = list(offices)
    with transaction.atomic():
        Office.objects.filter(pk__in=[o.pk for o in offices]).update(
            last_reviewed=on, deferred_until=None, updated_at=timezone.now()
        )
        ReviewRecord.objects.bulk_create(
            ReviewRecord(
                office=office,
                kind=ReviewRecord.Kind.REVIEWED,
                reviewed_by=by,
                reviewed_on=on,
                note=note,
            )
            for office in offices
        )
    return len(offices)


def defer_review(office, *, until, by, reason, on=None):
    """Defer an office's review until a date, with the reason in its history."""
    on = on or timezone.localdate()
    with transaction.atomic():
        Office.objects.filter(pk=office.pk).update(
            deferred_until=until, updated_at=timezone.now()
        )
        ReviewRecord.objects.create(
            office=office,
            kind=ReviewRecord.Kind.DEFERRED,
            reviewed_by=by,
            reviewed_on=on,
            deferred_until=until,
            note=reason,
        )
    office.deferred_until = until

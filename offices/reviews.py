"""The review cycle: marking profiles reviewed, deferring, and reminders.

Functions take explicit keyword inputs (as_of, the acting user) so the admin,
the management command and the tests all drive the same code.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from offices.models import Office, ReviewRecord, ReviewReminder


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


# Reminders
#
# Each (office, address, kind, cycle, sequence) is one ReviewReminder row.
# A run claims rows before sending (INSERT ... ON CONFLICT DO NOTHING, then
# re-selects the rows carrying its own run id), records sent_at after the mail
# backend returns, and deletes its claims when sending fails so the next run
# retries. Delivery is at least once: see docs/review-reminders.md.

# A claim this old without sent_at belongs to a run that died mid-send: the
# next run takes it over (and may send a duplicate, never nothing).
CLAIM_EXPIRES_AFTER = datetime.timedelta(minutes=30)

logger = logging.getLogger(__name__)


class ReminderInputError(ValueError):
    """Bad input to send_reminders: reported to the user, nothing sent."""


class UnknownOffices(ReminderInputError):
    def __init__(self, slugs):
        self.slugs = sorted(slugs)
        super().__init__(
            ngettext(
                "No office with the slug %(slugs)s.",
                "No offices with the slugs %(slugs)s.",
                len(self.slugs),
            )
            % {"slugs": ", ".join(self.slugs)}
        )


@dataclass
class DueOffice:
    """An office as a reminder shows it, computed before any template runs."""

    office: Office
    due_on: datetime.date | None  # None: never reviewed
    cycle_on: datetime.date
    days_overdue: int  # negative: due in that many days
    reviewers: list[str]
    admin_url: str
    public_url: str

    @property
    def days_left(self):
        return -self.days_overdue

    @property
    def is_overdue(self):
        return self.due_on is None or self.days_overdue > 0


@dataclass
class Email:
    kind: str  # ReviewReminder.Kind
    to: str
    items: list[DueOffice]
    sent: bool = False
    error: str = ""
    # Per office: the sequence to claim, and an expired claim to take over.
    sequences: dict = field(default_factory=dict, repr=False)
    stale_claims: list = field(default_factory=list, repr=False)


@dataclass
class ReminderRun:
    """What send_reminders did (or, in a dry run, would do)."""

    as_of: datetime.date
    dry_run: bool
    emails: list[Email] = field(default_factory=list)
    # (user, reason) for reviewers who cannot be emailed.
    skipped_reviewers: list = field(default_factory=list)
    # Offices with no reachable reviewer, reminded through the fallback address.
    fallback_offices: list[Office] = field(default_factory=list)
    # Offices nobody can be reminded about: no reviewer and no fallback address.
    unrouted_offices: list[Office] = field(default_factory=list)
    # Offices overdue enough to escalate, with no fallback address to tell.
    unescalated_offices: list[Office] = field(default_factory=list)

    @property
    def delivered(self):
        """Emails sent, or in a dry run the emails that would be sent."""
        return [e for e in self.emails if e.sent or (self.dry_run and not e.error)]

    @property
    def failed(self):
        return [e for e in self.emails if e.error]

    @property
    def people_count(self):
        return len({e.to for e in self.delivered})

    @property
    def office_count(self):
        return len({item.office.pk for e in self.delivered for item in e.items})


def send_reminders(
    *, as_of, lead_days=14, dry_run=False, office_slugs=None, using="default"
):
    """Send the review reminders and escalations due on `as_of`.

    Offices due within `lead_days` of `as_of` are reminded to each reviewer in
    one digest per address; offices with no reachable reviewer go to
    REVIEW_FALLBACK_EMAIL, which also gets an escalation once per cycle for an
    office overdue by more than REVIEW_ESCALATE_AFTER_DAYS. `using` names the
    mailer (settings.MAILERS). Returns a ReminderRun; raises
    ReminderInputError for bad input before anything is sent.
    """
    if lead_days < 0:
        raise ReminderInputError(gettext("The lead time cannot be negative."))
    try:
        as_of + datetime.timedelta(days=lead_days)
    except OverflowError as error:
        raise ReminderInputError(
            gettext("The date plus the lead time is past the year 9999.")
        ) from error
    offices = Office.objects.due_for_review(as_of, within_days=lead_days)
    if office_slugs:
        office_slugs = set(office_slugs)
        offices = offices.filter(slug__in=office_slugs)
    offices = list(
        offices.prefetch_related(
            Prefetch("reviewers", queryset=get_user_model().objects.order_by("pk"))
        ).order_by(F("next_review_on").asc(nulls_first=True), "name", "pk")
    )
    if office_slugs and (missing := office_slugs - {o.slug for o in offices}):
        # Known offices that are simply not due are fine; typos are not.
        missing -= set(
            Office.objects.filter(slug__in=missing).values_list("slug", flat=True)
        )
        if missing:
            raise UnknownOffices(missing)

    run = ReminderRun(as_of=as_of, dry_run=dry_run)
    with translation.override(settings.LANGUAGE_CODE):  # links in the email's language
        run.emails = _plan(run, offices)
    if not dry_run:
        token = uuid.uuid4()
        for email in run.emails:
            _claim_and_send(email, run, token, using)
    # Emails another run is already sending are not this run's to report.
    run.emails = [e for e in run.emails if e.items]
    return run


def _plan(run, offices):
    """Group due offices into emails, dropping reminders already sent."""
    as_of = run.as_of
    fallback = list(settings.REVIEW_FALLBACK_EMAIL)
    escalate_after = settings.REVIEW_ESCALATE_AFTER_DAYS
    emails = {}  # (kind, address) -> Email, in the order first needed
    skipped = {}

    for office in offices:
        addresses = []
        for user in office.reviewers.all():
            if not user.is_active:
                skipped.setdefault(user.pk, (user, gettext("inactive account")))
            elif not user.email:
                skipped.setdefault(user.pk, (user, gettext("no email address")))
            elif user.email not in addresses:
                addresses.append(user.email)
        item = _due_office(office, as_of)
        if not addresses:
            if fallback:
                run.fallback_offices.append(office)
            else:
                run.unrouted_offices.append(office)
            addresses = fallback
        targets = [(ReviewReminder.Kind.REMINDER, a) for a in addresses]
        if item.days_overdue > escalate_after:
            targets += [(ReviewReminder.Kind.ESCALATION, a) for a in fallback]
            if not fallback and office not in run.unrouted_offices:
                run.unescalated_offices.append(office)
        for kind, address in targets:
            email = emails.setdefault(
                (kind, address), Email(kind=kind, to=address, items=[])
            )
            email.items.append(item)
    run.skipped_reviewers = list(skipped.values())

    # The latest reminder of the current cycle, per office, address and kind.
    latest = {}
    previous = ReviewReminder.objects.filter(
        office__in=offices, cycle_on__in={_cycle_on(o) for o in offices}
    ).order_by("sequence")
    for reminder in previous:
        latest[reminder.office_id, reminder.email, reminder.kind, reminder.cycle_on] = (
            reminder
        )

    expired = timezone.now() - CLAIM_EXPIRES_AFTER
    repeat_after = datetime.timedelta(days=settings.REVIEW_REMINDER_REPEAT_DAYS)
    for email in emails.values():
        due = []
        for item in email.items:
            last = latest.get((item.office.pk, email.to, email.kind, item.cycle_on))
            if last is None:
                email.sequences[item.office.pk] = 0
            elif last.sent_at is None:
                if last.claimed_at >= expired:
                    continue  # another run is sending it right now
                email.sequences[item.office.pk] = last.sequence
                email.stale_claims.append(last.pk)
            elif (
                email.kind == ReviewReminder.Kind.REMINDER
                and item.is_overdue
                and last.reminded_on + repeat_after <= as_of
            ):
                email.sequences[item.office.pk] = last.sequence + 1
            else:
                continue
            due.append(item)
        email.items = due
    return [e for e in emails.values() if e.items]


def _cycle_on(office):
    # Never reviewed and not deferred: the creation date marks the cycle, so it
    # stays the same from run to run until a review or deferral changes it.
    return office.next_review_on or timezone.localdate(office.created_at)


def _due_office(office, as_of):
    cycle_on = _cycle_on(office)
    days_overdue = (as_of - cycle_on).days
    if office.next_review_on is None:
        # Never reviewed: due now; overdue counts from the day it was created.
        days_overdue = max(days_overdue, 0)
    site = settings.SITE_URL
    return DueOffice(
        office=office,
        due_on=office.next_review_on,
        cycle_on=cycle_on,
        days_overdue=days_overdue,
        reviewers=[
            u.get_full_name() or u.get_username() for u in office.reviewers.all()
        ],
        admin_url=site + reverse("admin:offices_office_change", args=[office.pk]),
        public_url=site + office.get_absolute_url(),
    )


def _claim_and_send(email, run, token, using):
    now = timezone.now()
    with transaction.atomic():
        ReviewReminder.objects.bulk_create(
            [
                ReviewReminder(
                    office=item.office,
                    email=email.to,
                    kind=email.kind,
                    cycle_on=item.cycle_on,
                    sequence=email.sequences[item.office.pk],
                    reminded_on=run.as_of,
                    claimed_by=token,
                    claimed_at=now,
                )
                for item in email.items
            ],
            ignore_conflicts=True,
        )
        if email.stale_claims:
            ReviewReminder.objects.filter(
                pk__in=email.stale_claims,
                sent_at__isnull=True,
                claimed_at__lt=now - CLAIM_EXPIRES_AFTER,
            ).update(claimed_by=token, claimed_at=now, reminded_on=run.as_of)
        claims = ReviewReminder.objects.filter(
            claimed_by=token, email=email.to, kind=email.kind
        )
        owned = dict(claims.values_list("office_id", "pk"))
    email.items = [item for item in email.items if item.office.pk in owned]
    if not email.items:
        return
    claims = ReviewReminder.objects.filter(claimed_by=token, pk__in=owned.values())
    try:
        send_email(
            f"review_{email.kind}",
            email.to,
            {
                "items": email.items,
                "as_of": run.as_of,
                "escalate_after_days": settings.REVIEW_ESCALATE_AFTER_DAYS,
            },
            using=using,
        )
    except Exception as error:
        # Whatever the backend raised, release the claim so the next run retries.
        logger.exception("Could not send the review %s to %s", email.kind, email.to)
        email.error = str(error) or error.__class__.__name__
        claims.delete()
    else:
        email.sent = True
        claims.update(sent_at=timezone.now())


def send_email(name, to, context, *, using="default"):
    """Render templates/emails/<name>_{subject,body}.* and send them to `to`."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{name}_subject.txt", context)
        text = render_to_string(f"emails/{name}_body.txt", context)
        html = render_to_string(f"emails/{name}_body.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send(using=using)

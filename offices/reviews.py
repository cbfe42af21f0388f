"""The review cycle: marking profiles reviewed, deferring, and reminders.

Functions take explicit keyword inputs (as_of, the acting user) so the admin,
the management command and the tests all drive the same code.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass, field, replace

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
        Office.objects.filter(pk__in=[o.pk for o in offices]).touch(
            last_reviewed=on, deferred_until=None
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
    """Defer an office's review until a date, with the reason in its history.

    The date must lie after `on` and within office.latest_deferral(on).
    """
    on = on or timezone.localdate()
    if not on < until <= office.latest_deferral(on):
        raise ValueError(
            f"Cannot defer {office} to {until}: choose a date after {on} "
            f"and no later than {office.latest_deferral(on)}."
        )
    with transaction.atomic():
        Office.objects.filter(pk=office.pk).touch(deferred_until=until)
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
# send_reminders works in steps, like healthchecks' sendreports:
#
# - route_office: who is told about one due office (pure);
# - choose_next_sequence: which reminder, if any, an address is owed about an
#   office, given the latest one recorded (pure);
# - plan_digests: the digests to send, one per kind and address, and what to
#   report (pure, given the due offices and the reminders already recorded);
# - handle_one_digest: claim the digest's rows (INSERT ... ON CONFLICT DO
#   NOTHING, then re-select the rows carrying this run's id), send, record
#   sent_at after the mail backend returns, or delete the claims when sending
#   fails so the next run retries. Delivery is at least once: see
#   docs/review-reminders.md.

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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Route:
    """Who is told about one due office."""

    reminder_to: tuple[str, ...]
    escalation_to: tuple[str, ...] = ()
    # (user, reason) for reviewers who cannot be emailed.
    skipped: tuple = ()
    # No reviewer can be emailed: reminder_to is the fallback address.
    via_fallback: bool = False
    # Overdue enough to escalate, but there is no fallback address to tell.
    unescalated: bool = False

    @property
    def unrouted(self):
        """Nobody can be reminded: no reachable reviewer, no fallback address."""
        return not self.reminder_to

    @property
    def targets(self):
        """(kind, address) for every email that should mention the office."""
        return [(ReviewReminder.Kind.REMINDER, a) for a in self.reminder_to] + [
            (ReviewReminder.Kind.ESCALATION, a) for a in self.escalation_to
        ]


@dataclass(frozen=True)
class Digest:
    """One email to one address: the offices it reminds (or escalates) about."""

    kind: str  # ReviewReminder.Kind
    to: str
    items: tuple[DueOffice, ...]
    # Office pk -> the ReviewReminder sequence this digest claims for it.
    sequences: dict = field(default_factory=dict, repr=False)
    # ReviewReminder pks of expired claims this digest takes over.
    takeovers: tuple[int, ...] = field(default=(), repr=False)
    sent: bool = False
    error: str = ""


@dataclass(frozen=True)
class Plan:
    """The digests owed on a date, and what to report about the due offices."""

    digests: list[Digest] = field(default_factory=list)
    # (user, reason) for reviewers who cannot be emailed.
    skipped_reviewers: list = field(default_factory=list)
    # Offices with no reachable reviewer, reminded through the fallback address.
    fallback_offices: list[Office] = field(default_factory=list)
    # Offices nobody can be reminded about: no reviewer and no fallback address.
    unrouted_offices: list[Office] = field(default_factory=list)
    # Offices overdue enough to escalate, with no fallback address to tell.
    unescalated_offices: list[Office] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class ReminderRun(Plan):
    """What send_reminders did (or, in a dry run, would do)."""

    as_of: datetime.date
    dry_run: bool

    @property
    def delivered(self):
        """Digests sent, or in a dry run the digests that would be sent."""
        return [d for d in self.digests if d.sent or (self.dry_run and not d.error)]

    @property
    def failed(self):
        return [d for d in self.digests if d.error]

    @property
    def people_count(self):
        return len({d.to for d in self.delivered})

    @property
    def office_count(self):
        return len({item.office.pk for d in self.delivered for item in d.items})


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
    previous = list(
        ReviewReminder.objects.filter(
            office__in=offices, cycle_on__in={cycle_on(o) for o in offices}
        )
    )

    with translation.override(settings.LANGUAGE_CODE):  # links in the email's language
        plan = plan_digests(
            offices,
            previous,
            as_of=as_of,
            now=timezone.now(),
            fallback=settings.REVIEW_FALLBACK_EMAIL,
            escalate_after_days=settings.REVIEW_ESCALATE_AFTER_DAYS,
            repeat_days=settings.REVIEW_REMINDER_REPEAT_DAYS,
        )
    digests = plan.digests
    if not dry_run:
        token = uuid.uuid4()
        digests = [
            handle_one_digest(digest, as_of=as_of, token=token, using=using)
            for digest in digests
        ]
    return ReminderRun(
        as_of=as_of,
        dry_run=dry_run,
        # Offices another run is already sending are not this run's to report.
        digests=[d for d in digests if d.items],
        skipped_reviewers=plan.skipped_reviewers,
        fallback_offices=plan.fallback_offices,
        unrouted_offices=plan.unrouted_offices,
        unescalated_offices=plan.unescalated_offices,
    )


def cycle_on(office):
    """The review cycle an office's reminders belong to: its due date."""
    # Never reviewed and not deferred: the creation date marks the cycle, so it
    # stays the same from run to run until a review or deferral changes it.
    return office.next_review_on or timezone.localdate(office.created_at)


def due_office(office, as_of):
    """The DueOffice for an office annotated with next_review_on."""
    cycle = cycle_on(office)
    days_overdue = (as_of - cycle).days
    if office.next_review_on is None:
        # Never reviewed: due now; overdue counts from the day it was created.
        days_overdue = max(days_overdue, 0)
    site = settings.SITE_URL
    return DueOffice(
        office=office,
        due_on=office.next_review_on,
        cycle_on=cycle,
        days_overdue=days_overdue,
        reviewers=[
            u.get_full_name() or u.get_username() for u in office.reviewers.all()
        ],
        admin_url=site + reverse("admin:offices_office_change", args=[office.pk]),
        public_url=site + office.get_absolute_url(),
    )


def route_office(reviewers, *, days_overdue, fallback, escalate_after_days):
    """Who is reminded about an office with these reviewers, and who is told
    it is overdue by more than escalate_after_days. Returns a Route."""
    addresses, skipped = [], []
    for user in reviewers:
        if not user.is_active:
            skipped.append((user, gettext("inactive account")))
        elif not user.email:
            skipped.append((user, gettext("no email address")))
        elif user.email not in addresses:
            addresses.append(user.email)
    escalate = days_overdue > escalate_after_days
    return Route(
        reminder_to=tuple(addresses or fallback),
        escalation_to=tuple(fallback) if escalate else (),
        skipped=tuple(skipped),
        via_fallback=not addresses and bool(fallback),
        unescalated=escalate and bool(addresses) and not fallback,
    )


def choose_next_sequence(last, *, kind, is_overdue, as_of, now, repeat_days):
    """The sequence of the reminder owed now, or None if none is.

    `last` is the latest ReviewReminder of the cycle for this office, address
    and kind (None if there is none). A claim without sent_at older than
    CLAIM_EXPIRES_AFTER is taken over: its own sequence is owed again.
    """
    if last is None:
        return 0
    if last.sent_at is None:
        if last.claimed_at >= now - CLAIM_EXPIRES_AFTER:
            return None  # another run is sending it right now
        return last.sequence
    if (
        kind == ReviewReminder.Kind.REMINDER
        and is_overdue
        and last.reminded_on + datetime.timedelta(days=repeat_days) <= as_of
    ):
        return last.sequence + 1
    return None


def plan_digests(
    offices, previous, *, as_of, now, fallback, escalate_after_days, repeat_days
):
    """The digests owed on `as_of` about these due offices, as a Plan.

    `offices` carry next_review_on and their prefetched reviewers; `previous`
    holds the ReviewReminders already recorded for their current cycles.
    Digests come in the order first needed, each listing its offices in the
    order given; offices already reminded (or being reminded) are left out.
    """
    latest = {}  # The latest reminder per office, address, kind and cycle.
    for reminder in previous:
        key = (reminder.office_id, reminder.email, reminder.kind, reminder.cycle_on)
        if key not in latest or reminder.sequence > latest[key].sequence:
            latest[key] = reminder

    wanted = {}  # (kind, address) -> [DueOffice], in the order first needed
    skipped = {}  # user pk -> (user, reason)
    fallback_offices, unrouted_offices, unescalated_offices = [], [], []
    for office in offices:
        item = due_office(office, as_of)
        route = route_office(
            office.reviewers.all(),
            days_overdue=item.days_overdue,
            fallback=fallback,
            escalate_after_days=escalate_after_days,
        )
        for user, reason in route.skipped:
            skipped.setdefault(user.pk, (user, reason))
        if route.via_fallback:
            fallback_offices.append(office)
        if route.unrouted:
            unrouted_offices.append(office)
        if route.unescalated:
            unescalated_offices.append(office)
        for target in route.targets:
            wanted.setdefault(target, []).append(item)

    digests = []
    for (kind, to), items in wanted.items():
        owed, sequences, takeovers = [], {}, []
        for item in items:
            last = latest.get((item.office.pk, to, kind, item.cycle_on))
            sequence = choose_next_sequence(
                last,
                kind=kind,
                is_overdue=item.is_overdue,
                as_of=as_of,
                now=now,
                repeat_days=repeat_days,
            )
            if sequence is None:
                continue
            if last is not None and last.sent_at is None:
                takeovers.append(last.pk)
            owed.append(item)
            sequences[item.office.pk] = sequence
        if owed:
            digests.append(
                Digest(
                    kind=kind,
                    to=to,
                    items=tuple(owed),
                    sequences=sequences,
                    takeovers=tuple(takeovers),
                )
            )
    return Plan(
        digests=digests,
        skipped_reviewers=list(skipped.values()),
        fallback_offices=fallback_offices,
        unrouted_offices=unrouted_offices,
        unescalated_offices=unescalated_offices,
    )


def handle_one_digest(digest, *, as_of, token, using="default"):
    """Claim, send and record one digest; return it as sent or failed.

    The returned Digest lists only the offices this run claimed (none if
    another run got there first), with sent=True, or the error when the mail
    backend failed and the claims were released.
    """
    now = timezone.now()
    with transaction.atomic():
        ReviewReminder.objects.bulk_create(
            [
                ReviewReminder(
                    office=item.office,
                    email=digest.to,
                    kind=digest.kind,
                    cycle_on=item.cycle_on,
                    sequence=digest.sequences[item.office.pk],
                    reminded_on=as_of,
                    claimed_by=token,
                    claimed_at=now,
                )
                for item in digest.items
            ],
            ignore_conflicts=True,
        )
        if digest.takeovers:
            ReviewReminder.objects.filter(
                pk__in=digest.takeovers,
                sent_at__isnull=True,
                claimed_at__lt=now - CLAIM_EXPIRES_AFTER,
            ).update(claimed_by=token, claimed_at=now, reminded_on=as_of)
        claims = ReviewReminder.objects.filter(
            claimed_by=token, email=digest.to, kind=digest.kind
        )
        owned = dict(claims.values_list("office_id", "pk"))
    items = tuple(item for item in digest.items if item.office.pk in owned)
    if not items:
        return replace(digest, items=())
    claims = ReviewReminder.objects.filter(claimed_by=token, pk__in=owned.values())
    try:
        send_email(
            f"review_{digest.kind}",
            digest.to,
            {
                "items": items,
                "as_of": as_of,
                "escalate_after_days": settings.REVIEW_ESCALATE_AFTER_DAYS,
            },
            using=using,
        )
    except Exception as error:
        # Whatever the backend raised, release the claim so the next run retries.
        logger.exception("Could not send the review %s to %s", digest.kind, digest.to)
        claims.delete()
        return replace(digest, items=items, error=str(error) or type(error).__name__)
    claims.update(sent_at=timezone.now())
    return replace(digest, items=items, sent=True)


def send_email(name, to, context, *, using="default"):
    """Render templates/emails/<name>_{subject,body}.* and send them to `to`."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{name}_subject.txt", context)
        text = render_to_string(f"emails/{name}_body.txt", context)
        html = render_to_string(f"emails/{name}_body.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send(using=using)

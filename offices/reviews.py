"""The review cycle: marking profiles reviewed, deferring, and reminders.

Functions take explicit keyword inputs (as_of, the acting user) so the admin,
the management command and the tests all drive the same code.
"""

import datetime
import functools
import logging
import smtplib
import uuid
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import F, Prefetch, Q
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from audit.models import AuditEntry
from hrprofile.emails import send_email
from hrprofile.links import admin_change_url
from hrprofile.people import display_name
from offices import freshness
from offices.models import Office, ReviewRecord, ReviewReminder


def mark_reviewed(offices, *, by, on=None, note=""):
    """Record a review of each office on `on` (default: today) by user `by`.

    Sets last_reviewed, clears any deferral (a review starts a new cycle) and
    adds a ReviewRecord and an audit entry per office, all or nothing.
    Returns the number marked.
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
        message = gettext("Reviewed on %(date)s.") % {"date": date_format(on)}
        AuditEntry.objects.record_many(
            AuditEntry.Action.MARK_REVIEWED,
            offices,
            actor=by,
            message=f"{message} {note}".strip(),
            data={"reviewed_on": on.isoformat()},
        )
    return len(offices)


def defer_review(office, *, until, by, reason, on=None):
    """Defer an office's review until a date, with the reason in its history.

    The date must lie after `on` and within office.latest_deferral(on). The
    deferral goes into the audit trail too.
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
        message = gettext("Deferred until %(date)s.") % {"date": date_format(until)}
        AuditEntry.objects.record(
            AuditEntry.Action.DEFER,
            office,
            actor=by,
            message=f"{message} {reason}".strip(),
            data={"deferred_until": until.isoformat()},
        )
    office.deferred_until = until


def defer_reviews(offices, *, until, by, reason, on=None):
    """defer_review() for each office, all or nothing: one date, one reason.

    Each office gets its own review record and audit entry. Raises
    ValueError, deferring none, if the date is outside any office's limits.
    Returns the number deferred.
    """
    offices = list(offices)
    with transaction.atomic():
        for office in offices:
            defer_review(office, until=until, by=by, reason=reason, on=on)
    return len(offices)


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
# - handle_one_digest: in one transaction, claim the digest's rows (INSERT ...
#   ON CONFLICT DO NOTHING, then re-select the rows carrying this run's id),
#   send, and record sent_at. The transaction holds the claim for as long as
#   the send takes: a run that dies mid-send leaves nothing behind, and a
#   concurrent run's INSERT of the same row waits for the first to commit (and
#   then sends nothing) or roll back (and then sends it). A temporary failure
#   rolls the claim back, so the next run retries; a permanent refusal (SMTP
#   5xx) is committed as failed_at, so that address is not tried again, and
#   the next run reports it to the fallback address. Delivery is at least
#   once: see docs/review-reminders.md.

# A claim's transaction may sit idle this long while the mail server answers.
# Past it PostgreSQL ends the session, so a run whose host vanished (no TCP
# reset to end its connection) does not hold its claims for hours.
CLAIM_IDLE_TIMEOUT = datetime.timedelta(minutes=5)

# PostgreSQL's SQLSTATE when it ends a session idle in a transaction past
# idle_in_transaction_session_timeout (psycopg raises it as an InternalError).
IDLE_IN_TRANSACTION_SESSION_TIMEOUT = "25P03"

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


def is_outage(error):
    """Whether a database error means the database is gone for this run.

    Unreachable, gone away, or it ended the session (as it does when a claim
    idles past CLAIM_IDLE_TIMEOUT). Other database errors are bugs, and keep
    their traceback.
    """
    return isinstance(error, (InterfaceError, OperationalError)) or (
        getattr(error.__cause__, "sqlstate", None)
        == IDLE_IN_TRANSACTION_SESSION_TIMEOUT
    )


class RunInterrupted(Exception):
    """The database failed while digests were being sent.

    Raised from the database error. `run` is the ReminderRun of the digests
    handled before it; the digest being handled may have been sent without
    being recorded, and the next run sends it again.
    """

    def __init__(self, run):
        super().__init__("The database failed while sending reminders.")
        self.run = run


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

    # Its entry in the review emails (templates/emails/_review_item.*), for
    # the digest templates. An office is in the digest of each of its
    # reviewers and perhaps in the escalation: each entry is rendered once,
    # on first use, and reused by every digest of the run (which renders all
    # its emails in LANGUAGE_CODE).

    @functools.cached_property
    def status(self):
        """When it is due, in words: in both entries of every email."""
        return render_item("emails/_review_item.txt#status", self)

    @functools.cached_property
    def text(self):
        return render_item("emails/_review_item.txt", self)

    @functools.cached_property
    def html(self):
        return render_item("emails/_review_item.html", self)

    @functools.cached_property
    def text_with_reviewers(self):
        return render_item("emails/_review_item.txt", self, show_reviewers=True)

    @functools.cached_property
    def html_with_reviewers(self):
        return render_item("emails/_review_item.html", self, show_reviewers=True)


def render_item(template_name, item, show_reviewers=False):
    """One office's entry in a review email; a text one is never HTML-escaped."""
    template = get_template(template_name).template
    is_html = template_name.endswith(".html")
    context = Context(
        {"item": item, "show_reviewers": show_reviewers}, autoescape=is_html
    )
    rendered = template.render(context)
    # Text is a plain str, never "safe": HTML that shows it escapes it.
    return rendered if is_html else str.__str__(rendered)


@dataclass(frozen=True)
class Undelivered:
    """A reminder the mail server refused for good, as the fallback is told."""

    reminder: ReviewReminder  # with its office
    admin_url: str


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
    # ReviewReminder pks of claims left unsent by a dead run, taken over.
    takeovers: tuple[int, ...] = field(default=(), repr=False)
    # Refused reminders reported to the fallback address (escalations only).
    undelivered: tuple[Undelivered, ...] = ()
    # With --translations: the address's offices' out-of-date translations,
    # as freshness.LanguageGroups (reminders only; see add_translations).
    translations: tuple = ()
    sent: bool = False
    error: str = ""
    # The mail server refused it for good: recorded, and not retried.
    refused: bool = False


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
        """Digests that could not be sent, retried or not."""
        return [d for d in self.digests if d.error]

    @property
    def refused(self):
        """Digests the mail server refused for good: recorded, not retried."""
        return [d for d in self.digests if d.refused]

    @property
    def people_count(self):
        return len({d.to for d in self.delivered if d.items})

    @property
    def office_count(self):
        return len({item.office.pk for d in self.delivered for item in d.items})


def send_reminders(
    *,
    as_of,
    lead_days=14,
    dry_run=False,
    office_slugs=None,
    using="default",
    translations=False,
):
    """Send the review reminders and escalations due on `as_of`.

    Offices due within `lead_days` of `as_of` are reminded to each reviewer in
    one digest per address; offices with no reachable reviewer go to
    REVIEW_FALLBACK_EMAIL, which also gets an escalation once per cycle for an
    office overdue by more than REVIEW_ESCALATE_AFTER_DAYS, and once the
    reminders the mail server refused for good since the last report. `using`
    names the mailer (settings.MAILERS). Returns a ReminderRun; raises
    ReminderInputError for bad input before anything is sent, a database
    error if the database fails before anything is sent, and RunInterrupted
    if it fails while sending. With translations, each reminder also lists
    its reviewer's out-of-date translations, by language (add_translations).
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
    # In one query: the reminders of the due offices' current cycles, and the
    # refusals not yet reported, whatever their office's cycle.
    unreported = Q(failed_at__isnull=False, failure_reported_at__isnull=True)
    if office_slugs:
        unreported &= Q(office__slug__in=office_slugs)
    # Only what planning reads (and the office's name, for a refusal's
    # report): a rerun reads a row per office and address of the cycle.
    previous = list(
        ReviewReminder.objects.filter(
            Q(office__in=offices, cycle_on__in={cycle_on(o) for o in offices})
            | unreported
        )
        .select_related("office")
        .only(*PLANNED_REMINDER_FIELDS)
    )

    with translation.override(settings.LANGUAGE_CODE):  # links in the email's language
        plan = plan_digests(
            offices,
            previous,
            as_of=as_of,
            fallback=settings.REVIEW_FALLBACK_EMAIL,
            escalate_after_days=settings.REVIEW_ESCALATE_AFTER_DAYS,
            repeat_days=settings.REVIEW_REMINDER_REPEAT_DAYS,
        )
        if translations:
            plan = add_translations(plan, office_slugs=office_slugs)

    def outcome(digests):
        return ReminderRun(
            as_of=as_of,
            dry_run=dry_run,
            # Offices another run is already sending are not this run's to report.
            digests=[d for d in digests if d.items or d.undelivered],
            skipped_reviewers=plan.skipped_reviewers,
            fallback_offices=plan.fallback_offices,
            unrouted_offices=plan.unrouted_offices,
            unescalated_offices=plan.unescalated_offices,
        )

    if dry_run:
        return outcome(plan.digests)
    token = uuid.uuid4()
    handled = []
    try:
        for digest in plan.digests:
            handled.append(
                handle_one_digest(digest, as_of=as_of, token=token, using=using)
            )
    except DatabaseError as error:
        if not is_outage(error):
            raise
        # The next digests would fail the same way, each after a timeout.
        raise RunInterrupted(outcome(handled)) from error
    return outcome(handled)


# The ReviewReminder fields plan_digests() and the refusal reports read.
PLANNED_REMINDER_FIELDS = [
    "office__name",
    "email",
    "kind",
    "cycle_on",
    "sequence",
    "reminded_on",
    "sent_at",
    "failed_at",
    "failure",
    "failure_reported_at",
]


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
        reviewers=[display_name(u) for u in office.reviewers.all()],
        admin_url=admin_change_url(office, office.pk, absolute=True),
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


def choose_next_sequence(last, *, kind, is_overdue, as_of, repeat_days):
    """The sequence of the reminder owed now, or None if none is.

    `last` is the latest ReviewReminder of the cycle for this office, address
    and kind (None if there is none). A claim is committed only with its
    outcome, so a recorded row that is neither sent nor failed was left by a
    run that died: its own sequence is owed again, at once.
    """
    if last is None:
        return 0
    if last.failed_at is not None:
        return None  # refused for good: not to this address again this cycle
    if last.sent_at is None:
        return last.sequence
    if (
        kind == ReviewReminder.Kind.REMINDER
        and is_overdue
        and last.reminded_on + datetime.timedelta(days=repeat_days) <= as_of
    ):
        return last.sequence + 1
    return None


def plan_digests(
    offices, previous, *, as_of, fallback, escalate_after_days, repeat_days
):
    """The digests owed on `as_of` about these due offices, as a Plan.

    `offices` carry next_review_on and their prefetched reviewers; `previous`
    holds the ReviewReminders already recorded for their current cycles, and
    the refused ones not yet reported (with their office). Digests come in
    the order first needed, each listing its offices in the order given;
    offices already reminded are left out. Refusals not yet reported go to
    each fallback address with its escalation digest, or in one of their own.
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

    digests = {}
    for (kind, to), items in wanted.items():
        owed, sequences, takeovers = [], {}, []
        for item in items:
            last = latest.get((item.office.pk, to, kind, item.cycle_on))
            sequence = choose_next_sequence(
                last,
                kind=kind,
                is_overdue=item.is_overdue,
                as_of=as_of,
                repeat_days=repeat_days,
            )
            if sequence is None:
                continue
            if last is not None and last.sent_at is None:
                takeovers.append(last.pk)
            owed.append(item)
            sequences[item.office.pk] = sequence
        if owed:
            digests[kind, to] = Digest(
                kind=kind,
                to=to,
                items=tuple(owed),
                sequences=sequences,
                takeovers=tuple(takeovers),
            )

    undelivered = tuple(
        undelivered_reminder(reminder)
        for reminder in sorted(
            (r for r in previous if r.failed_at and r.failure_reported_at is None),
            key=lambda r: (r.failed_at, r.pk),
        )
    )
    if undelivered:
        for to in fallback:
            key = (ReviewReminder.Kind.ESCALATION, to)
            digest = digests.get(key) or Digest(kind=key[0], to=to, items=())
            digests[key] = replace(digest, undelivered=undelivered)
    return Plan(
        digests=list(digests.values()),
        skipped_reviewers=list(skipped.values()),
        fallback_offices=fallback_offices,
        unrouted_offices=unrouted_offices,
        unescalated_offices=unescalated_offices,
    )


def undelivered_reminder(reminder):
    """The Undelivered for a refused ReviewReminder loaded with its office."""
    return Undelivered(
        reminder=reminder,
        admin_url=admin_change_url(Office, reminder.office_id, absolute=True),
    )


def handle_one_digest(digest, *, as_of, token, using="default"):
    """Claim, send and record one digest; return it as sent or failed.

    One transaction holds the claims while the email is sent, and commits
    them with the outcome: sent, or refused for good. A temporary failure
    rolls them back so the next run retries. The returned Digest lists only
    the offices (and refusals) this run claimed, none if another run sent
    them first, with sent=True or the error (and refused=True if permanent).
    A database error propagates.
    """
    with transaction.atomic():
        limit_idle_time(CLAIM_IDLE_TIMEOUT)
        claims = claim_reminders(digest, as_of=as_of, token=token)
        reports = claim_reports(digest, token=token)
        digest = replace(
            digest,
            items=tuple(i for i in digest.items if i.office.pk in claims),
            undelivered=tuple(
                u for u in digest.undelivered if u.reminder.pk in reports
            ),
        )
        if not digest.items and not digest.undelivered:
            return digest  # another run sent it first
        try:
            send_email(
                f"review_{digest.kind}",
                digest.to,
                {
                    "items": digest.items,
                    "undelivered": digest.undelivered,
                    "translations": digest.translations,
                    "as_of": as_of,
                    "escalate_after_days": settings.REVIEW_ESCALATE_AFTER_DAYS,
                },
                using=using,
            )
        except Exception as error:
            reply = permanent_failure(error)
            # A refusal is recorded against the digest's reminders; one with
            # none (a report only) has nothing to record it on, and is retried.
            if reply and claims:
                logger.warning(
                    "The mail server refused the review %s to %s: %s",
                    digest.kind,
                    digest.to,
                    reply,
                )
                ReviewReminder.objects.filter(pk__in=claims.values()).update(
                    failed_at=timezone.now(), failure=reply
                )
                return replace(digest, error=reply, refused=True)
            # Anything else may pass (4xx, the network, the configuration):
            # release the claims so the next run retries.
            logger.exception(
                "Could not send the review %s to %s", digest.kind, digest.to
            )
            transaction.set_rollback(True)
            return replace(digest, error=str(error) or type(error).__name__)
        mark_sent(claims.values(), reports, token=token)
    return replace(digest, sent=True)


def limit_idle_time(timeout):
    """Let PostgreSQL end this session if its transaction idles past timeout."""
    milliseconds = int(timeout.total_seconds() * 1000)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('idle_in_transaction_session_timeout', %s, true)",
            [str(milliseconds)],
        )


def claim_reminders(digest, *, as_of, token):
    """Claim the digest's rows for this run: {office pk: ReviewReminder pk}.

    Inside the sending transaction: a row another run is sending is locked,
    so inserting (or taking over) the same row waits for that run to finish,
    then finds it sent (and leaves it out) or gone (and claims it).
    """
    if not digest.items:
        return {}
    now = timezone.now()
    # One INSERT of three arrays that returns the rows it claimed: no model
    # instance per row, no query to read the claims back. A row that is
    # there already (sent, refused, or another run's) is left out.
    table = connection.ops.quote_name(ReviewReminder._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (office_id, cycle_on, sequence, email, kind,
                reminded_on, claimed_by, claimed_at, failure)
            SELECT office_id, cycle_on, sequence, %s, %s, %s, %s, %s, ''
            FROM unnest(%s::bigint[], %s::date[], %s::smallint[])
                AS claim (office_id, cycle_on, sequence)
            ON CONFLICT DO NOTHING
            RETURNING office_id, id
            """,
            [
                digest.to,
                digest.kind,
                as_of,
                token,
                now,
                [item.office.pk for item in digest.items],
                [item.cycle_on for item in digest.items],
                [digest.sequences[item.office.pk] for item in digest.items],
            ],
        )
        claims = dict(cursor.fetchall())
    if not digest.takeovers:
        return claims
    # Rows a dead run left unsent (rare): taken over, then read back with
    # the new ones.
    ReviewReminder.objects.filter(
        pk__in=digest.takeovers, sent_at__isnull=True, failed_at__isnull=True
    ).update(claimed_by=token, claimed_at=now, reminded_on=as_of)
    return dict(
        ReviewReminder.objects.filter(
            claimed_by=token,
            email=digest.to,
            kind=digest.kind,
            sent_at__isnull=True,
            failed_at__isnull=True,
        ).values_list("office_id", "pk")
    )


def claim_reports(digest, *, token):
    """The pks of the digest's refusals this run may report, locked.

    A refusal is this run's to report until another run reported it; this
    run may report it to every fallback address (it marks it reported with
    its own id after the first).
    """
    if not digest.undelivered:
        return set()
    return set(
        ReviewReminder.objects.select_for_update()
        .filter(pk__in=[u.reminder.pk for u in digest.undelivered])
        .filter(Q(failure_reported_at__isnull=True) | Q(claimed_by=token))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def mark_sent(claims, reports, *, token):
    """Record a digest as sent: its reminders, and the refusals it reported."""
    now = timezone.now()
    ReviewReminder.objects.filter(pk__in=claims).update(sent_at=now)
    if reports:
        ReviewReminder.objects.filter(
            pk__in=reports, failure_reported_at__isnull=True
        ).update(claimed_by=token, failure_reported_at=now)


def permanent_failure(error):
    """The mail server's reply if it refused the email for good, else "".

    Only a 5xx reply about this recipient or this message counts: to RCPT TO
    (SMTPRecipientsRefused) or after DATA (SMTPDataError). A refused sender,
    login or TLS (also 5xx) is a configuration error that would refuse every
    email: like 4xx replies, timeouts and network errors, it is retried.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = list(error.recipients.values())
    elif isinstance(error, smtplib.SMTPDataError):
        replies = [(error.smtp_code, error.smtp_error)]
    else:
        return ""
    if not replies or not all(500 <= code < 600 for code, _ in replies):
        return ""
    return "; ".join(f"{code} {smtp_text(message)}" for code, message in replies)


def smtp_text(message):
    """An SMTP reply's text on one line."""
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return " ".join(str(message).split())


def add_translations(plan, *, office_slugs=None):
    """plan with each reminder digest listing the out-of-date translations
    of its reviewer's offices, grouped by language (send_reminders'
    translations). Two queries, however many digests. A reviewer with no
    review due gets no email for translations alone: a reminder is claimed
    per office and review cycle, and a translation has no cycle to claim.
    """
    offices = Office.objects.live()
    if office_slugs:
        offices = offices.filter(slug__in=office_slugs)
    groups = freshness.reviewer_translation_groups(offices)
    return replace(
        plan,
        digests=[
            replace(digest, translations=tuple(groups.get(digest.to, ())))
            if digest.kind == ReviewReminder.Kind.REMINDER
            else digest
            for digest in plan.digests
        ],
    )

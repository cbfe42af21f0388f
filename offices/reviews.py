"""The review cycle: marking profiles reviewed, deferring, and reminders.

Functions take explicit keyword inputs (as_of, the acting user) so the admin,
the management command and the tests all drive the same code.
"""

import datetime
import logging
import smtplib
import uuid
from dataclasses import dataclass, replace

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
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from audit.models import AuditEntry
from hrprofile.emails import send_email
from offices.models import Office, ReviewRecord, ReviewReminder
from offices.reminder_planning import (
    PLANNED_REMINDER_FIELDS,
    Digest,
    DueOffice,
    Plan,
    Route,
    Undelivered,
    add_translations,
    choose_next_sequence,
    cycle_on,
    due_office,
    plan_digests,
    render_item,
    route_office,
    undelivered_reminder,
)

# The planning steps are re-exported: this module is the review cycle's API.
__all__ = [
    "CLAIM_IDLE_TIMEOUT",
    "PLANNED_REMINDER_FIELDS",
    "Digest",
    "DueOffice",
    "Plan",
    "ReminderInputError",
    "ReminderRun",
    "Route",
    "RunInterrupted",
    "Undelivered",
    "UnknownOffices",
    "add_translations",
    "choose_next_sequence",
    "claim_reminders",
    "claim_reports",
    "cycle_on",
    "defer_review",
    "defer_reviews",
    "due_office",
    "handle_one_digest",
    "is_outage",
    "mark_reviewed",
    "mark_sent",
    "permanent_failure",
    "plan_digests",
    "render_item",
    "route_office",
    "send_email",
    "send_reminders",
    "undelivered_reminder",
]


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
# - in offices/reminder_planning.py, pure:
#   - route_office: who is told about one due office;
#   - choose_next_sequence: which reminder, if any, an address is owed about
#     an office, given the latest one recorded;
#   - plan_digests: the digests to send, one per kind and address, and what
#     to report (given the due offices and the reminders already recorded);
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
    check_lead_time(as_of, lead_days)
    if office_slugs:
        office_slugs = set(office_slugs)
    offices = offices_to_remind(as_of, lead_days=lead_days, office_slugs=office_slugs)
    previous = previous_reminders(offices, office_slugs=office_slugs)

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

    if dry_run:
        return run_outcome(plan, plan.digests, as_of=as_of, dry_run=dry_run)
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
        raise RunInterrupted(
            run_outcome(plan, handled, as_of=as_of, dry_run=dry_run)
        ) from error
    return run_outcome(plan, handled, as_of=as_of, dry_run=dry_run)


def check_lead_time(as_of, lead_days):
    """Raise ReminderInputError unless as_of plus lead_days is a date."""
    if lead_days < 0:
        raise ReminderInputError(gettext("The lead time cannot be negative."))
    try:
        as_of + datetime.timedelta(days=lead_days)
    except OverflowError as error:
        raise ReminderInputError(
            gettext("The date plus the lead time is past the year 9999.")
        ) from error


def offices_to_remind(as_of, *, lead_days, office_slugs):
    """The offices due within lead_days of as_of, the longest due first, with
    their reviewers; only those of office_slugs (a set) if given.

    Raises UnknownOffices for a slug no office has (one of an office simply
    not due is fine).
    """
    offices = Office.objects.due_for_review(as_of, within_days=lead_days)
    if office_slugs:
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
    return offices


def previous_reminders(offices, *, office_slugs):
    """In one query: the reminders of these offices' current cycles, and the
    refusals not yet reported, whatever their office's cycle (of office_slugs'
    offices only, if given)."""
    unreported = Q(failed_at__isnull=False, failure_reported_at__isnull=True)
    if office_slugs:
        unreported &= Q(office__slug__in=office_slugs)
    # Only what planning reads (and the office's name, for a refusal's
    # report): a rerun reads a row per office and address of the cycle.
    return list(
        ReviewReminder.objects.filter(
            Q(office__in=offices, cycle_on__in={cycle_on(o) for o in offices})
            | unreported
        )
        .select_related("office")
        .only(*PLANNED_REMINDER_FIELDS)
    )


def run_outcome(plan, digests, *, as_of, dry_run):
    """The ReminderRun of plan with these of its digests handled."""
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

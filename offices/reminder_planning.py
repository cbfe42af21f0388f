"""Planning the review reminders: which digest each address is owed on a date.

Pure functions over the due offices and the reminders already recorded, and
the dataclasses they return (DueOffice, Route, Digest, Plan); offices/reviews.py
sends what they plan (send_reminders), and explains the steps.
"""

import datetime
import functools
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext

from hrprofile.links import admin_change_url
from hrprofile.people import display_name
from offices import freshness
from offices.models import Office, ReviewReminder


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
    latest = latest_reminders(previous)
    wanted, report = route_offices(
        offices,
        as_of=as_of,
        fallback=fallback,
        escalate_after_days=escalate_after_days,
    )
    digests = {}
    for (kind, to), items in wanted.items():
        digest = owed_digest(
            kind, to, items, latest, as_of=as_of, repeat_days=repeat_days
        )
        if digest is not None:
            digests[kind, to] = digest

    undelivered = unreported_refusals(previous)
    if undelivered:
        for to in fallback:
            key = (ReviewReminder.Kind.ESCALATION, to)
            digest = digests.get(key) or Digest(kind=key[0], to=to, items=())
            digests[key] = replace(digest, undelivered=undelivered)
    return replace(report, digests=list(digests.values()))


def latest_reminders(previous):
    """The latest of these ReviewReminders per office, address, kind and cycle."""
    latest = {}
    for reminder in previous:
        key = (reminder.office_id, reminder.email, reminder.kind, reminder.cycle_on)
        if key not in latest or reminder.sequence > latest[key].sequence:
            latest[key] = reminder
    return latest


def route_offices(offices, *, as_of, fallback, escalate_after_days):
    """Route each due office (route_office).

    Returns the DueOffices each (kind, address) is to hear about, in the
    order first needed, and a Plan without digests: what to report about the
    reviewers skipped and the offices routed to the fallback address, or to
    nobody, or not escalated.
    """
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
    return wanted, Plan(
        skipped_reviewers=list(skipped.values()),
        fallback_offices=fallback_offices,
        unrouted_offices=unrouted_offices,
        unescalated_offices=unescalated_offices,
    )


def owed_digest(kind, to, items, latest, *, as_of, repeat_days):
    """The Digest of this kind to `to` about those of items (DueOffices) a
    reminder is owed about now (choose_next_sequence), or None if none is.

    `latest` is latest_reminders() of the reminders already recorded.
    """
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
    if not owed:
        return None
    return Digest(
        kind=kind,
        to=to,
        items=tuple(owed),
        sequences=sequences,
        takeovers=tuple(takeovers),
    )


def unreported_refusals(previous):
    """Undelivered for each of these reminders refused and not yet reported,
    the oldest refusal first."""
    return tuple(
        undelivered_reminder(reminder)
        for reminder in sorted(
            (r for r in previous if r.failed_at and r.failure_reported_at is None),
            key=lambda r: (r.failed_at, r.pk),
        )
    )


def undelivered_reminder(reminder):
    """The Undelivered for a refused ReviewReminder loaded with its office."""
    return Undelivered(
        reminder=reminder,
        admin_url=admin_change_url(Office, reminder.office_id, absolute=True),
    )


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

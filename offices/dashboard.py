"""The editor's desk: what awaits the signed-in editor, on the admin's index.

Each panel is one bounded query (plus one to name the offices of the recent
activity), whatever the number of offices, drafts or entries: the index is
the page every editor opens first. A translator's desk (the Translators
group, offices/translators.py) has no review panel: they review nothing, and
their translations to check are those they are assigned.
"""

from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from audit.models import AuditEntry
from offices import freshness
from offices.models import (
    DUE_SOON_DAYS,
    Office,
    PublicationRequest,
    TranslationAssignment,
)

# Rows per panel; the panel links to the full list when there are more.
PANEL_ROWS = 10


@dataclass
class Panel:
    rows: list = field(default_factory=list)
    has_more: bool = False

    @classmethod
    def of(cls, queryset):
        rows = list(queryset[: PANEL_ROWS + 1])
        return cls(rows=rows[:PANEL_ROWS], has_more=len(rows) > PANEL_ROWS)

    def __bool__(self):
        return bool(self.rows)


@dataclass
class Dashboard:
    overdue: Panel
    due_soon: Panel
    awaiting_publication: Panel
    sent_back: Panel
    # True: everyone's drafts (a publisher), False: the editor's own.
    awaiting_for_publisher: bool
    outdated_translations: list
    activity: Panel
    today: object = None
    # False for a translator, who reviews nothing: no review panel, their
    # assignments instead.
    shows_reviews: bool = True
    assignments: Panel = field(default_factory=Panel)


def my_reviews(user, today):
    """(overdue, due within DUE_SOON_DAYS) querysets of the offices user reviews."""
    mine = Office.objects.filter(reviewers=user)
    order = (F("next_review_on").asc(nulls_first=True), "name", "pk")
    overdue = mine.overdue(today).order_by(*order)
    due_soon = (
        mine.due_for_review(today, DUE_SOON_DAYS)
        .filter(next_review_on__gte=today)
        .order_by(*order)
    )
    return overdue, due_soon


def awaiting_publication(user):
    """Pending publication requests: a publisher's to act on, or an editor's own.

    A publisher sees every draft they may publish (all, or the offices they
    review); anyone else the requests they made.
    """
    requests = (
        PublicationRequest.objects.filter(status=PublicationRequest.Status.PENDING)
        .select_related("office__draft_of", "requested_by")
        .order_by("requested_at", "pk")
    )
    if user.has_perm("offices.publish_office"):
        return requests.filter(office__in=Office.objects.editable_by(user)), True
    return requests.filter(requested_by=user), False


def sent_back(user):
    """The drafts user submitted that a publisher sent back, still drafts,
    the latest answer first, each with who sent it back, when and why."""
    return (
        PublicationRequest.objects.filter(
            status=PublicationRequest.Status.RETURNED,
            requested_by=user,
            office__status=Office.Status.DRAFT,
            office__deleted_at__isnull=True,
        )
        .select_related("office__draft_of", "answered_by")
        .order_by(F("answered_at").desc(nulls_last=True), "-pk")
    )


def outdated_translations(user):
    """The translations user should check (offices/freshness.py: never
    checked, checked against English text that has changed since, or in need
    of a re-check), office by office: every language of the offices user
    reviews, and the languages user is assigned to translate of others. One
    query, however many offices and assignments."""
    reviewers = Office.reviewers.through.objects.filter(
        office=OuterRef("pk"), user=user
    )
    assigned = (
        TranslationAssignment.objects.held_by(user)
        .filter(office=OuterRef("pk"))
        .values("language")
    )
    offices = (
        Office.objects.live()
        .annotate(is_reviewer=Exists(reviewers), assigned=ArraySubquery(assigned))
        .filter(Q(is_reviewer=True) | Exists(assigned))
        .order_by("name", "pk")
    )
    return [
        item
        for item in freshness.outdated_translations(offices)
        if item.office.is_reviewer or item.language in item.office.assigned
    ][:PANEL_ROWS]


def my_assignments(user):
    """The (office, language) pairs user is assigned to translate, by office."""
    return (
        TranslationAssignment.objects.held_by(user)
        .select_related("office")
        .order_by("office__name", "office__pk", "language")
    )


def reviews_anything(user):
    """Whether user has a review panel: editors do, translators (who may
    not change offices) do not."""
    return user.has_perm("offices.change_office")


def recent_activity(user):
    """The user's latest audit entries, each with the name of its office."""
    entries = Panel.of(
        AuditEntry.objects.filter(actor=user)
        .select_related("content_type")
        .order_by("-timestamp", "-pk")
    )
    ids = {entry.office_id for entry in entries.rows if entry.office_id}
    names = (
        dict(Office.objects.live().filter(pk__in=ids).values_list("pk", "name"))
        if ids
        else {}
    )
    for entry in entries.rows:
        entry.office_name = names.get(entry.office_id)
    return entries


def dashboard(user, *, today=None):
    today = today or timezone.localdate()
    shows_reviews = reviews_anything(user)
    overdue, due_soon = my_reviews(user, today)
    awaiting, for_publisher = awaiting_publication(user)
    return Dashboard(
        overdue=Panel.of(overdue) if shows_reviews else Panel(),
        due_soon=Panel.of(due_soon) if shows_reviews else Panel(),
        awaiting_publication=Panel.of(awaiting),
        sent_back=Panel.of(sent_back(user)),
        awaiting_for_publisher=for_publisher,
        outdated_translations=outdated_translations(user),
        activity=recent_activity(user),
        today=today,
        shows_reviews=shows_reviews,
        assignments=Panel() if shows_reviews else Panel.of(my_assignments(user)),
    )

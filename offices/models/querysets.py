"""OfficeQuerySet: the named filters every view, feed, command and the admin
use (published, due for review, search, the index's filters…).

Office and FieldOffice are imported inside the methods that need them: their
modules import this one.
"""

import datetime

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone

from hrprofile.collations import ReaderOrderMixin
from hrprofile.translations import (
    SOURCE_LANGUAGE,
    active_language,
    column,
    translated_fields,
)
from offices.models.choices import OfficeStatus
from offices.models.search import (
    LANGUAGE_SEARCH_CONFIGS,
    SEARCH_CONFIG,
    SearchDocument,
    search_vector_field,
)
from offices.models.translation_checks import (
    LEGACY_CHECK_DIGEST,
    EnglishDigest,
    TranslationCheck,
)


def can_preview(user):
    """Staff who edit offices see the public pages as previews (drafts, edit links).

    Anonymous visitors cost no query.
    """
    return (
        user.is_authenticated
        and user.is_staff
        and user.has_perm("offices.change_office")
    )


# What a profile page shows besides the office's own row.
PAGE_RELATIONS = [
    "field_offices",
    "mandates",
    "pillars",
    "shifts",
    "spotlight_populations",
    "tags",
]


# Days ahead a review counts as "due soon": the desk's panel, the office
# list's filter.
DUE_SOON_DAYS = 30


class OfficeQuerySet(ReaderOrderMixin, models.QuerySet):
    def live(self):
        """The offices themselves: not a pending draft copy, not deleted.

        A published office's pending changes live in a second row (its draft,
        draft_of set) until they are published; a deleted office keeps its
        row, history and reviews until it is purged. Neither is an office of
        its own to the public, the reminders or the admin's list.
        """
        return self.filter(draft_of__isnull=True, deleted_at__isnull=True)

    def published(self):
        return self.live().filter(status=OfficeStatus.PUBLISHED)

    def deleted(self):
        return self.filter(draft_of__isnull=True, deleted_at__isnull=False)

    def with_old_slug(self, slug):
        """Offices whose profile was once at slug, the latest changed first.

        Two offices may have given up the same slug in turn; the one edited
        last most likely held it last.
        """
        return self.filter(old_slugs__contains=[slug]).order_by("-updated_at", "-pk")

    def open(self):
        """Presences that have not closed (closed ones are never due for review)."""
        return self.filter(closed_on__isnull=True)

    def with_next_review(self):
        """Annotate next_review_on: when the next review is due.

        last_reviewed plus review_interval_months calendar months, computed by
        PostgreSQL (31 January + 1 month is the last day of February), or the
        deferral date if that is later. NULL means never reviewed and not
        deferred: due now.
        """
        return self.annotate(
            next_review_on=Greatest(
                # date + interval is a timestamp in PostgreSQL: cast back to a date.
                Cast(
                    F("last_reviewed")
                    + models.Func(
                        F("review_interval_months"),
                        template="make_interval(months => %(expressions)s)",
                    ),
                    output_field=models.DateField(),
                ),
                F("deferred_until"),
                output_field=models.DateField(),
            )
        )

    def due_for_review(self, as_of, within_days=0):
        """Open offices whose review is due on or before as_of + within_days."""
        horizon = as_of + datetime.timedelta(days=within_days)
        return (
            self.live()
            .open()
            .with_next_review()
            .filter(Q(next_review_on__isnull=True) | Q(next_review_on__lte=horizon))
        )

    def overdue(self, as_of):
        """Open offices whose review date has passed (or that were never reviewed)."""
        return (
            self.live()
            .open()
            .with_next_review()
            .filter(Q(next_review_on__isnull=True) | Q(next_review_on__lt=as_of))
        )

    def touch(self, **changes):
        """Update these offices with changes (if any) and mark them changed now.

        The database moves updated_at by itself whenever what an office shows
        changes, however it is written (migration 0017_office_stamp: the
        per-office stamp). touch() stamps the offices even when nothing they
        show changed (a deferral).
        """
        return self.update(updated_at=timezone.now(), **changes)

    def search(self, text, language=None):
        """Offices matching text, best first.

        Full-text search over name and country (weight A), field offices and
        mandate titles (B) and the profile prose (C), stored per office in its
        SearchDocument: one vector of the English text, and one of each
        translation with its language's configuration. Outside English, a
        match in the active language's text ranks before a match in the
        English one (which every profile has). A plain substring match on the
        name (English or the active language's), country or a field office
        also counts, so that a partial word ("Erb" for Erbil) still finds
        something, and Chinese, written without spaces, is found at all; such
        matches rank last.

        Each way of matching is a query of its own that an index answers (the
        GIN indexes on the vectors, the trigram indexes), combined by UNION:
        one condition ORing them over two tables could only be checked office
        by office.
        """
        from offices.models.field_offices import FieldOffice
        from offices.models.profiles import Office

        language = language or active_language()
        first = Value(0)
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        # "name" is the English name (see migration 0012), here as written:
        # modeltranslation would read it as the active language's column.
        names = Q(name__icontains=text) | Q(country__icontains=text)
        places = Q(name__icontains=text)
        matches = SearchDocument.objects.filter(vector=query).values("office")
        rank = SearchRank(F("search_document__vector"), query)
        vector = search_vector_field(language)
        if vector != "vector":
            own = SearchQuery(
                text,
                search_type="websearch",
                config=LANGUAGE_SEARCH_CONFIGS[language],
            )
            matches = matches.union(
                SearchDocument.objects.filter(**{vector: own}).values("office")
            )
            names |= Q(**{f"{column('name', language)}__icontains": text})
            places |= Q(**{f"{column('name', language)}__icontains": text})
            # Any match in the reader's language comes before any English one.
            first = Case(
                When(**{f"search_document__{vector}": own}, then=Value(1)),
                default=Value(0),
            )
            rank = SearchRank(F(f"search_document__{vector}"), own) + rank
        matches = matches.union(
            Office.objects.rewrite(False).filter(names).values("pk"),
            FieldOffice.objects.rewrite(False).filter(places).values("office"),
        )
        return (
            self.filter(pk__in=matches)
            .annotate(rank=rank, in_language=first)
            .in_reader_order("-in_language", "-rank")
        )

    def with_english_digest(self):
        """Annotate english_digest: the fingerprint of the profile's English
        text (Office.english_text(), computed in SQL).

        A translation checked against one digest is out of date once the
        digest differs (TranslationCheck), whatever changed the English.
        """
        return self.annotate(english_digest=EnglishDigest())

    def with_translation_state(self, language=None):
        """Annotate english_digest and checked_digest: the digest the active
        language's translation was last checked against (None if never).

        Office.translation_out_of_date reads both, at no query of its own.
        In English (the source) there is no translation to check: nothing is
        annotated, and the profile's query computes no digest.
        """
        language = language or active_language()
        if language == SOURCE_LANGUAGE:
            return self
        checked = (
            TranslationCheck.objects.filter(office=OuterRef("pk"), language=language)
            .order_by()
            .values("english_digest")[:1]
        )
        return self.with_english_digest().annotate(checked_digest=Subquery(checked))

    def translated_into(self, language):
        """Offices with some text of their own in language."""
        from offices.models.profiles import Office

        condition = Q()
        for field in translated_fields(Office):
            condition |= Q(**{f"{column(field, language)}__gt": ""})
        return self.filter(condition)

    def translation_out_of_date(self, language):
        """Offices translated into language whose translation needs checking:
        the English text has changed since the translation was last checked,
        it was never checked, or its check needs a re-check."""
        current = TranslationCheck.objects.filter(
            office=OuterRef("pk"),
            language=language,
            english_digest=OuterRef("english_digest"),
        )
        return (
            self.translated_into(language)
            .with_english_digest()
            .filter(~Exists(current))
        )

    def translation_needs_recheck(self, language):
        """Offices translated into language whose translation was checked
        before checks kept the English text (TranslationState.NEEDS_RECHECK)."""
        legacy = TranslationCheck.objects.filter(
            office=OuterRef("pk"),
            language=language,
            english_digest=LEGACY_CHECK_DIGEST,
        )
        return self.translated_into(language).filter(Exists(legacy))

    def visible_to(self, user):
        """Published offices, plus the drafts this user may edit (their preview).

        Anyone else gets the public view: a draft of another office is as
        invisible as a missing page.
        """
        from offices.models.profiles import Office

        if not can_preview(user):
            return self.published()
        live = self.live()
        if user.has_perm("offices.edit_all_offices"):
            return live
        own = Office.reviewers.through.objects.filter(user=user).values("office")
        return live.filter(Q(status=OfficeStatus.PUBLISHED) | Q(pk__in=own))

    def editable_by(self, user):
        """Offices a staff user may edit: all with the permission, else their own.

        A draft copy goes with its office: the office's reviewers edit both.
        """
        from offices.models.profiles import Office

        if user.has_perm("offices.edit_all_offices"):
            return self
        own = Office.reviewers.through.objects.filter(user=user).values("office")
        return self.filter(Q(pk__in=own) | Q(draft_of__in=own))

    def open_to(self, user):
        """Offices a staff user may open in the admin: those they may edit
        (editable_by), and those they are assigned to translate, read-only
        but for their translation (offices/translators.py).

        A draft copy goes with its office, as in editable_by.
        """
        if user.has_perm("offices.edit_all_offices"):
            return self
        from offices.models.assignments import TranslationAssignment
        from offices.models.profiles import Office

        own = Office.reviewers.through.objects.filter(user=user).values("office")
        assigned = TranslationAssignment.objects.held_by(user).values("office")
        return self.filter(
            Q(pk__in=own)
            | Q(draft_of__in=own)
            | Q(pk__in=assigned)
            | Q(draft_of__in=assigned)
        )

    def with_term(self, relation, slug):
        """Offices linked to the term with this slug through relation ("pillars").

        A semi-join (EXISTS) rather than a join per filter: each vocabulary
        filter then costs one index probe per office whatever the planner's
        statistics say, and never multiplies rows.
        """
        from offices.models.profiles import Office

        field = Office._meta.get_field(relation)
        links = field.remote_field.through.objects.filter(
            **{
                field.m2m_field_name(): OuterRef("pk"),
                f"{field.m2m_reverse_field_name()}__slug": slug,
            }
        )
        return self.filter(Exists(links))

    def with_field_office_count(self):
        """Annotate field_office_count with a correlated subquery.

        Not Count("field_offices"): that joins every field office to its
        office and groups by every office column, which grows with the data
        and combines badly with the index's filter joins.
        """
        from offices.models.field_offices import FieldOffice

        counts = (
            FieldOffice.objects.filter(office=OuterRef("pk"))
            .order_by()
            .values("office")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.annotate(field_office_count=Coalesce(Subquery(counts), 0))

    def with_page_relations(self):
        """Everything a profile page shows, in a constant number of queries."""
        return self.prefetch_related(*PAGE_RELATIONS)

    def filtered(
        self,
        *,
        region="",
        engagement_type="",
        pillar="",
        shift="",
        population="",
        q="",
    ):
        """The public index's filters and search; an empty value filters nothing.

        pillar, shift and population are term slugs. The index page, its
        downloads and the API all filter through here, so a URL means the
        same selection everywhere. A search orders by relevance (search());
        otherwise the order is the caller's.
        """
        offices = self
        if region:
            offices = offices.filter(region=region)
        if engagement_type:
            offices = offices.filter(engagement_type=engagement_type)
        for relation, slug in [
            ("pillars", pillar),
            ("shifts", shift),
            ("spotlight_populations", population),
        ]:
            if slug:
                offices = offices.with_term(relation, slug)
        return offices.search(q) if q else offices

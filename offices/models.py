import dataclasses
import datetime
import functools
import hashlib
import re
from calendar import monthrange

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import InterfaceError, OperationalError, connection, models
from django.db.models import (
    Case,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    ExtractYear,
    Greatest,
    Now,
    Upper,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from hrprofile.collations import ReaderOrder, ReaderOrderMixin
from hrprofile.prose import ProseField, prose_constraint
from hrprofile.translations import (
    SOURCE_LANGUAGE,
    TranslatedMixin,
    active_language,
    column,
    language_codes,
    translated_fields,
)
from hrprofile.validators import (
    validate_prose,
    validate_single_line,
    validate_web_url,
    web_url_constraint,
    web_url_or_empty,
)
from mandates.models import add_old_slug, slug_constraints

FIRST_YEAR = 1945  # The United Nations was founded in 1945.


def current_year():
    return timezone.localdate().year


def add_months(date, months):
    """date plus calendar months, the day clamped to the month's end (as SQL does)."""
    month_index = date.month - 1 + months
    year, month = date.year + month_index // 12, month_index % 12 + 1
    return date.replace(
        year=year, month=month, day=min(date.day, monthrange(year, month)[1])
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


# However long the review interval, a review is never put off further than this.
MAX_DEFERRAL_MONTHS = 24


class Region(models.TextChoices):
    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    ASIA_PACIFIC = "asia_pacific", _("Asia Pacific")
    EUROPE_CENTRAL_ASIA = "europe_central_asia", _("Europe and Central Asia")
    MIDDLE_EAST_NORTH_AFRICA = "mena", _("Middle East and North Africa")


class EngagementType(models.TextChoices):
    COUNTRY_OFFICE = "country_office", _("Country Office")
    STAND_ALONE_OFFICE = "stand_alone_office", _("Stand-alone Office")
    REGIONAL_OFFICE = "regional_office", _("Regional Office")
    REGIONAL_CENTRE = "regional_centre", _("Regional Centre")
    PEACE_MISSION = "peace_mission", _("Human Rights Component of a Peace Mission")
    POLITICAL_MISSION = (
        "political_mission",
        _("Human rights office within a political mission"),
    )
    HUMAN_RIGHTS_ADVISER = (
        "human_rights_adviser",
        _("Human Rights Adviser to a UN Country Team"),
    )
    OTHER = "other", _("Other type of presence")


class OfficeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


# Both sides of a full-text match must use the same configuration.
SEARCH_CONFIG = "english"

# The full-text configuration of each other content language: PostgreSQL's
# own stemmer where it has one, "simple" (whole words) for Chinese, which
# trigram matching on the names completes. Migration 0012 keeps one vector
# per language in SearchDocument with these (vector_fr, …).
LANGUAGE_SEARCH_CONFIGS = {
    "ar": "arabic",
    "zh-hans": "simple",
    "fr": "french",
    "ru": "russian",
    "es": "spanish",
}


def name_trigram_indexes(prefix):
    """Trigram indexes on UPPER(name_xx) for search()'s substring match in
    each language but English (office_name_fr_trgm…)."""
    return [
        GinIndex(
            OpClass(Upper(column("name", language)), name="gin_trgm_ops"),
            name=f"{prefix}_{column('name', language)}_trgm",
            fastupdate=False,
        )
        for language in LANGUAGE_SEARCH_CONFIGS
    ]


def search_vector_field(language):
    """SearchDocument's vector for language: vector (English), vector_fr…"""
    if language == SOURCE_LANGUAGE or language not in LANGUAGE_SEARCH_CONFIGS:
        return "vector"
    return "vector_" + language.replace("-", "_")


# Long text fields are bounded in forms; a summary reads at most this much of
# whatever is stored, so a huge profile costs no more than a normal one.
PROFILE_MAX_LENGTH = 20_000
LIST_MAX_LENGTH = 5_000
SUMMARY_SCAN_CHARS = 4_000

# The end of a sentence: . ! or ? (and a closing quote or bracket) before
# white space or the end, or a full-width ideographic stop, which needs no
# space after it. A pattern of fixed length, so a search is linear.
SENTENCE_END = re.compile(r"[.!?][\"\u201d\u2019)]?(?=\s|$)|[\u3002\uff01\uff1f]")


def first_sentence(text, max_chars=300):
    """The first sentence of text, whitespace folded, at most max_chars long."""
    text = text[:SUMMARY_SCAN_CHARS].strip()
    match = SENTENCE_END.search(text)
    sentence = text[: match.end()] if match else text
    return Truncator(" ".join(sentence.split())).chars(max_chars)


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting publication")
    RETURNED = "returned", _("Sent back")


# The English text a translation is checked against (TranslationCheck), in a
# fixed order that never depends on the process: the office's translated
# fields as its page shows them, then its field offices and its mandates, row
# by row. Each piece is KEY US TEXT RS (the ASCII unit and record
# separators): the key names the field, and a row's key also its position in
# the rows' canonical order (as displayed, ties broken by the English text,
# never by primary key: a draft copy's rows get new keys). Missing text counts
# as "". Renaming or reordering anything here changes every fingerprint, and
# every recorded check would then read "out of date". docs/translations.md.
OFFICE_TEXT_FIELDS = (
    "name",
    "year_established_note",
    "profile",
    "more_info_label",
    "field_offices_note",
    "coverage_note",
    "achievements",
    "partners_and_donors",
    "closed_note",
)
UNIT_SEPARATOR, RECORD_SEPARATOR = "\x1f", "\x1e"


@dataclasses.dataclass(frozen=True)
class TextRows:
    """An office's rows of one relation in the English text.

    Ordered by `leading` ((column, descending) pairs), then by the English
    text of `fields` compared code point by code point (COLLATE "C" in SQL,
    str order in Python: both sides agree).
    """

    relation: str
    fields: tuple
    leading: tuple

    def pairs(self, rows):
        """(key, text) of rows (model instances), in the canonical order."""
        english = [column(name, SOURCE_LANGUAGE) for name in self.fields]

        def sort_key(row):
            first = [
                -getattr(row, name) if descending else getattr(row, name)
                for name, descending in self.leading
            ]
            return (*first, *(getattr(row, attname) or "" for attname in english))

        return [
            (f"{self.relation}.{number}.{name}", getattr(row, attname) or "")
            for number, row in enumerate(sorted(rows, key=sort_key), start=1)
            for name, attname in zip(self.fields, english, strict=True)
        ]

    def sql(self, office_pk_sql):
        """The same text in SQL: one string for the office whose key is
        office_pk_sql (compiled SQL of the outer query's column)."""
        model = Office._meta.get_field(self.relation).related_model
        quote = connection.ops.quote_name

        def source(name):
            return f"english_source.{quote(name)}"

        texts = [
            f"COALESCE({source(column(name, SOURCE_LANGUAGE))}, '')"
            for name in self.fields
        ]
        order = [
            f"{source(name)}{' DESC' if descending else ''}"
            for name, descending in self.leading
        ] + [f'{text} COLLATE "C"' for text in texts]
        selected = ", ".join(f"{text} AS text_{i}" for i, text in enumerate(texts))
        piece = " || ".join(
            f"'{self.relation}.' || english_row.number || '.{name}' || chr(31) "
            f"|| english_row.text_{i} || chr(30)"
            for i, name in enumerate(self.fields)
        )
        office = source(model._meta.get_field("office").column)
        return (
            f"COALESCE((SELECT string_agg({piece}, '' ORDER BY english_row.number) "
            f"FROM (SELECT row_number() OVER (ORDER BY {', '.join(order)}) AS number, "
            f"{selected} FROM {quote(model._meta.db_table)} AS english_source "
            f"WHERE {office} = {office_pk_sql}) AS english_row), '')"
        )


TEXT_ROWS = (
    TextRows(
        "field_offices",
        ("name", "note"),
        (("is_head_office", True), ("position", False)),
    ),
    TextRows("mandates", ("title", "summary"), (("position", False),)),
)


def english_fingerprint(pairs):
    """The fingerprint of (key, text) pairs: a SHA-256 hex of their bytes."""
    text = "".join(
        f"{key}{UNIT_SEPARATOR}{value}{RECORD_SEPARATOR}" for key, value in pairs
    )
    return hashlib.sha256(text.encode()).hexdigest()


class EnglishDigest(Func):
    """OfficeQuerySet.with_english_digest()'s expression: english_fingerprint()
    of the office's english_text(), computed by PostgreSQL."""

    output_field = models.CharField()

    def __init__(self):
        super().__init__(
            F("pk"), *(F(column(f, SOURCE_LANGUAGE)) for f in OFFICE_TEXT_FIELDS)
        )

    def as_sql(self, compiler, connection, **extra_context):
        pk, *fields = self.get_source_expressions()
        pk_sql, params = compiler.compile(pk)
        pieces = []
        for name, expression in zip(OFFICE_TEXT_FIELDS, fields, strict=True):
            sql, field_params = compiler.compile(expression)
            pieces.append(f"'{name}' || chr(31) || COALESCE({sql}, '') || chr(30)")
            params = (*params, *field_params)
        pieces.extend(rows.sql(pk_sql) for rows in TEXT_ROWS)
        text = " || ".join(pieces)
        return (
            f"encode(sha256(convert_to({text}, 'UTF8')), 'hex')",
            tuple(params),
        )


class ReviewKind(models.TextChoices):
    REVIEWED = "reviewed", _("Reviewed")
    DEFERRED = "deferred", _("Deferred")


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
        return self.live().filter(status=Office.Status.PUBLISHED)

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
        """
        language = language or active_language()
        checked = TranslationCheck.objects.filter(
            office=OuterRef("pk"), language=language
        ).values("english_digest")[:1]
        return self.with_english_digest().annotate(checked_digest=Subquery(checked))

    def translated_into(self, language):
        """Offices with some text of their own in language."""
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
        if user.has_perm("offices.edit_all_offices"):
            return self
        own = Office.reviewers.through.objects.filter(user=user).values("office")
        return self.filter(Q(pk__in=own) | Q(draft_of__in=own))

    def with_term(self, relation, slug):
        """Offices linked to the term with this slug through relation ("pillars").

        A semi-join (EXISTS) rather than a join per filter: each vocabulary
        filter then costs one index probe per office whatever the planner's
        statistics say, and never multiplies rows.
        """
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


@dataclasses.dataclass(frozen=True)
class ContentVersion:
    """The public site's content as one query saw it (see content_version())."""

    state: str
    latest: datetime.datetime | None
    today: datetime.date
    # For a page about one row (a profile, a term): whether that row exists,
    # and its primary key.
    page_exists: bool | None = None
    page_pk: int | None = None

    def etag(self, *variants):
        """A strong ETag: this content and what else the answer varies by
        (the release of the code, the language, the address)."""
        text = "\n".join([self.state, *map(str, variants)])
        return f'"{hashlib.blake2b(text.encode(), digest_size=12).hexdigest()}"'

    @property
    def last_modified(self):
        """The latest change, but not before today began: "closing" turns
        "closed" at midnight without any write."""
        midnight = datetime.datetime.combine(
            self.today, datetime.time.min, tzinfo=timezone.get_current_timezone()
        )
        return max(self.latest, midnight) if self.latest else midnight


class ContentStamp(models.Model):
    """When the public content last changed: one row, written by the database.

    The triggers of migration 0014_content_stamp bump it after every
    statement that writes a table a public page shows (offices, their field
    offices, mandates and links, terms, tags, translation checks), however
    the write is made: the admin, a bulk update(), a management command, raw
    SQL, another app instance. Nothing in Python writes it.

    A draft copy's edit bumps it too: a page is then rendered once more than
    needed, never served stale. A writing transaction holds the row's lock
    from its first content write until it commits, so content writes take
    turns; with a newsroom's handful of editors nobody waits long.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    generation = models.BigIntegerField(_("generation"), default=0, editable=False)
    changed_at = models.DateTimeField(_("changed at"), editable=False)

    class Meta:
        verbose_name = _("content stamp")
        verbose_name_plural = _("content stamps")
        constraints = [
            models.CheckConstraint(
                condition=Q(id=1), name="offices_contentstamp_one_row"
            )
        ]

    def __str__(self):
        return f"{self.generation} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


# How long the API lists an office that left the public site (OfficeRemoval).
REMOVALS_KEPT_DAYS = 365


class OfficeRemovalQuerySet(models.QuerySet):
    def since(self, moment):
        """Removals at or after moment, the oldest first."""
        return self.filter(removed_at__gte=moment).order_by("removed_at", "pk")

    def expired(self, as_of, days=REMOVALS_KEPT_DAYS):
        """Removals older than days before as_of (manage.py trim_removals)."""
        return self.filter(removed_at__lt=as_of - datetime.timedelta(days=days))


class OfficeRemoval(models.Model):
    """A published office that left the public site, for the API's syncing
    clients (`removed` in the list with updated_since, 410 at its address).

    Written by the database only, like the per-office stamp (Office's
    updated_at): the triggers of migration 0017_office_stamp add a row when
    a published live office is unpublished, soft-deleted or deleted,
    however that is done, and remove it when the office is public again.
    One row per office, by its id (no foreign key: a purged office keeps its
    row); the slug is the one the public knew. manage.py trim_removals
    deletes rows older than REMOVALS_KEPT_DAYS.
    """

    office_id = models.BigIntegerField(_("office id"), primary_key=True, editable=False)
    slug = models.SlugField(_("slug"), max_length=100, db_index=False, editable=False)
    removed_at = models.DateTimeField(_("removed at"), editable=False)

    objects = OfficeRemovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("office removal")
        verbose_name_plural = _("office removals")
        ordering = ["removed_at", "office_id"]
        indexes = [
            models.Index(fields=["removed_at"], name="officeremoval_removed_at"),
            models.Index(fields=["slug"], name="officeremoval_slug"),
        ]

    def __str__(self):
        return f"{self.slug} (#{self.office_id})"


@functools.cache
def _content_version_sql():
    """content_version()'s query without the page part, built once per process."""
    table = connection.ops.quote_name(ContentStamp._meta.db_table)
    # A LEFT JOIN: one row even before any content was written.
    return f"FROM (SELECT 1) AS one LEFT JOIN {table} AS stamp ON stamp.id = 1"


def content_version(page=None):
    """What the public pages show, versioned in one small query.

    The version is the content stamp (ContentStamp: a generation counter and
    the time of the last write, kept by database triggers) and today's date,
    which turns "closing" into "closed" at midnight without any write. It
    costs one primary-key read, whatever the size of the site.

    No signal and no counter in a cache: every app instance reads the same
    database, so an edit anywhere changes the version everywhere at once.
    The time is part of the state too: after a test's flush empties the
    stamp, its generation starts again from 1, never its time.

    page: (sql, params) of a query for the primary key of the row a page is
    about (hrprofile.views.PageLookup); whether it exists, and its key, come
    in the same query.
    """
    lookup, params = "NULL", ()
    if page is not None:
        sql, params = page
        lookup = f"({sql})"
    page_pk, generation, changed_at = fetch_one_checked(
        f"SELECT {lookup}, stamp.generation, stamp.changed_at "
        + _content_version_sql(),
        params,
    )
    today = timezone.localdate()
    stamp = f"{generation}@{changed_at.timestamp()}" if changed_at else "none"
    return ContentVersion(
        state=f"{today.isoformat()} {stamp}",
        latest=changed_at,
        today=today,
        page_exists=None if page is None else page_pk is not None,
        page_pk=page_pk,
    )


def fetch_one_checked(sql, params):
    """The first row of a read-only query, which doubles as the connection's
    health check.

    With CONN_HEALTH_CHECKS, Django asks a kept connection "SELECT 1" before
    the first query of each request: a second round trip for a page that
    needs only this one (a cached page, a 304). Here the query itself is the
    check: if the kept connection turns out to be dead, it is replaced and
    the query asked once more, as the health check would have done. Inside a
    transaction nothing is retried (nor skipped).
    """
    check_here = (
        connection.health_check_enabled
        and not connection.health_check_done
        and connection.connection is not None
        and not connection.in_atomic_block
    )
    if check_here:
        connection.health_check_done = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    except (InterfaceError, OperationalError):
        # Retried only if the connection itself failed, not the query.
        if not check_here or connection.is_usable():
            raise
    # The kept connection was dead: a new one (connect() marks it healthy).
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


# Versions (django-reversion) are registered in OfficesConfig.ready().
class Office(TranslatedMixin, models.Model):
    """One field presence and its public profile."""

    Region = Region
    EngagementType = EngagementType

    Status = OfficeStatus

    name = models.CharField(
        _("name"),
        max_length=200,
        validators=[validate_single_line],
        help_text=_('The page title, for example "UN Human Rights in Iraq".'),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        help_text=_(
            "The last part of the profile's web address: iraq in /en/offices/iraq/."
        ),
    )
    # Addresses this profile had before (each answers with a 301 to the new one).
    old_slugs = ArrayField(
        models.SlugField(max_length=100),
        verbose_name=_("former slugs"),
        default=list,
        blank=True,
        editable=False,
    )
    country = models.CharField(
        _("country"),
        max_length=100,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Leave empty for a regional office."),
    )
    country_code = models.CharField(
        _("country code"),
        max_length=2,
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Z]{2}$",
                _("Use the two capital letters of ISO 3166-1 alpha-2, e.g. IQ."),
            )
        ],
        help_text=_("ISO 3166-1 alpha-2, for example IQ."),
    )
    region = models.CharField(
        _("region"),
        max_length=32,
        choices=Region,
        help_text=_("As OHCHR groups its presences; the index lists offices by it."),
    )
    engagement_type = models.CharField(
        _("type of engagement"),
        max_length=32,
        choices=EngagementType,
        help_text=_("The kind of presence, as labelled on the profile page."),
    )
    host_mission = models.CharField(
        _("host mission"),
        max_length=100,
        blank=True,
        validators=[validate_single_line],
        help_text=_('The UN mission the office sits in, for example "UNAMI".'),
    )
    year_established = models.PositiveSmallIntegerField(
        _("year established"),
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(current_year)],
        help_text=_("From 1945 to this year."),
    )
    year_established_note = models.CharField(
        _("note on the year established"),
        max_length=255,
        blank=True,
        validators=[validate_single_line],
        help_text=_(
            'Shown beside the year, e.g. "preceded by a smaller monitoring '
            'presence from 2013".'
        ),
    )
    profile = ProseField(
        _("profile"),
        blank=True,
        max_length=PROFILE_MAX_LENGTH,
        validators=[MaxLengthValidator(PROFILE_MAX_LENGTH), validate_prose],
        help_text=_("The Profile section. Separate paragraphs with a blank line."),
    )
    more_info_url = models.URLField(
        _("more information link"),
        blank=True,
        validators=[validate_web_url],
        help_text=_("A page with more information on the office's work."),
    )
    more_info_label = models.CharField(
        _("more information link text"),
        max_length=255,
        blank=True,
        validators=[validate_single_line],
        help_text=_(
            'For example "More information on the work carried out by the '
            'UNAMI office."'
        ),
    )
    field_offices_note = models.CharField(
        _("note on field offices"),
        max_length=255,
        blank=True,
        validators=[validate_single_line],
        help_text=_(
            'Shown with the field offices, e.g. "Bogotá and nine sub-offices".'
        ),
    )
    coverage_note = models.CharField(
        _("countries covered"),
        max_length=255,
        blank=True,
        validators=[validate_single_line],
        help_text=_("For a regional presence: the countries it covers."),
    )
    staff_count = models.PositiveIntegerField(
        _("number of staff"),
        null=True,
        blank=True,
        help_text=_("Leave empty when unknown; never estimate."),
    )
    budget_needs_usd = models.PositiveBigIntegerField(
        _("annual budget needs (US$)"),
        null=True,
        blank=True,
        help_text=_("Whole US dollars, e.g. 12326000. Leave empty when unknown."),
    )
    achievements = ProseField(
        _("achievements"),
        blank=True,
        max_length=LIST_MAX_LENGTH,
        validators=[MaxLengthValidator(LIST_MAX_LENGTH), validate_prose],
        help_text=_("One achievement per line."),
    )
    partners_and_donors = ProseField(
        _("partners and donors"),
        blank=True,
        max_length=LIST_MAX_LENGTH,
        validators=[MaxLengthValidator(LIST_MAX_LENGTH), validate_prose],
        help_text=_("Shown as written; separate paragraphs with a blank line."),
    )
    closed_on = models.DateField(
        _("closed on"),
        null=True,
        blank=True,
        help_text=_(
            "For a presence that has closed: the profile stays readable, "
            "marked as closed, and is no longer due for review."
        ),
    )
    closed_note = models.CharField(
        _("note on the closure"),
        max_length=255,
        blank=True,
        validators=[validate_single_line],
        help_text=_('For example "mandate ended February 2023".'),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status,
        default=Status.DRAFT,
        help_text=_("Only published profiles are shown to the public."),
    )
    last_reviewed = models.DateField(
        _("last reviewed"),
        null=True,
        blank=True,
        help_text=_("The date the profile was last checked for accuracy."),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("How often the profile must be reviewed: 1 to 60 months."),
    )
    deferred_until = models.DateField(
        _("review deferred until"),
        null=True,
        blank=True,
        help_text=_("The review is not due before this date."),
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="reviewed_offices",
        verbose_name=_("reviewers"),
        help_text=_(
            "Staff responsible for this profile: they receive review reminders "
            "and may edit it."
        ),
    )
    pillars = models.ManyToManyField(
        "mandates.ThematicPillar",
        blank=True,
        related_name="offices",
        verbose_name=_("thematic pillars"),
    )
    shifts = models.ManyToManyField(
        "mandates.Shift", blank=True, related_name="offices", verbose_name=_("shifts")
    )
    spotlight_populations = models.ManyToManyField(
        "mandates.SpotlightPopulation",
        blank=True,
        related_name="offices",
        verbose_name=_("spotlight populations"),
    )
    tags = models.ManyToManyField(
        "mandates.Tag", blank=True, related_name="offices", verbose_name=_("tags")
    )
    # Editorial state (offices/editorial.py): a published office's pending
    # changes, the edit counter that catches lost updates, and soft deletion.
    draft_of = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="draft",
        verbose_name=_("draft of"),
    )
    edit_version = models.PositiveIntegerField(
        _("edit version"),
        default=0,
        editable=False,
        help_text=_("Goes up with every saved edit; a stale form is refused."),
    )
    deleted_at = models.DateTimeField(
        _("deleted at"), null=True, blank=True, editable=False
    )
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("deleted by"),
    )
    # Scheduled publishing (editorial.publish_scheduled): publish_at on a
    # draft (a draft copy, or a new office never published), unpublish_at on
    # a published office. Set through the admin's "Schedule" page only.
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When this draft is published by itself (in TIME_ZONE)."),
    )
    unpublish_at = models.DateTimeField(
        _("unpublish at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When this profile leaves the public site by itself."),
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("scheduled by"),
    )
    # What the publisher approved: editorial.fingerprint() of the draft when
    # publish_at was set. publish_scheduled publishes it only if it matches.
    scheduled_fingerprint = models.CharField(
        _("scheduled fingerprint"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_(
            "The content the publisher scheduled (SHA-256); a draft that no "
            "longer matches is not published."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        # The name as the reader sees it, in the reader's collation.
        ordering = [ReaderOrder("name"), "pk"]
        indexes = [
            models.Index(fields=["slug"], name="office_slug"),
            GinIndex(fields=["old_slugs"], name="office_old_slugs"),
            # search()'s substring match: icontains compares UPPER(column)
            # LIKE UPPER(pattern), so the trigram indexes are on UPPER too.
            # Edits are rare and searches many: no pending list (fastupdate)
            # that every search would scan until autovacuum merges it.
            GinIndex(
                OpClass(Upper("name"), name="gin_trgm_ops"),
                name="office_name_trgm",
                fastupdate=False,
            ),
            GinIndex(
                OpClass(Upper("country"), name="gin_trgm_ops"),
                name="office_country_trgm",
                fastupdate=False,
            ),
            # publish_scheduled looks every few minutes for what has come due.
            models.Index(
                fields=["publish_at"],
                condition=Q(publish_at__isnull=False),
                name="office_publish_at",
            ),
            models.Index(
                fields=["unpublish_at"],
                condition=Q(unpublish_at__isnull=False),
                name="office_unpublish_at",
            ),
            # The same for the name in each other language ("name" itself
            # holds the English: migration 0012 keeps it so).
            *name_trigram_indexes("office"),
        ]
        permissions = [
            ("edit_all_offices", _("Can edit every office, not only their own")),
            ("publish_office", _("Can publish and unpublish offices")),
            ("revert_office", _("Can revert offices to an earlier version")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(region__in=Region.values),
                name="office_region_valid",
                violation_error_message=_("Choose a valid region."),
            ),
            models.CheckConstraint(
                condition=Q(engagement_type__in=EngagementType.values),
                name="office_engagement_type_valid",
                violation_error_message=_("Choose a valid type of engagement."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=OfficeStatus.values),
                name="office_status_valid",
                violation_error_message=_("Choose a valid status."),
            ),
            models.CheckConstraint(
                condition=Q(year_established__gte=FIRST_YEAR)
                & Q(year_established__lte=ExtractYear(Now())),
                name="office_year_established_range",
                violation_error_message=_(
                    "The year established must be between 1945 and this year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(review_interval_months__gte=1)
                & Q(review_interval_months__lte=60),
                name="office_review_interval_range",
                violation_error_message=_(
                    "The review interval must be between 1 and 60 months."
                ),
            ),
            models.CheckConstraint(
                condition=Q(country_code="") | Q(country_code__regex=r"^[A-Z]{2}$"),
                name="office_country_code_format",
                violation_error_message=_(
                    "The country code must be two capital letters (ISO 3166-1)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(closed_on__year__gte=F("year_established")),
                name="office_closed_after_established",
                violation_error_message=_(
                    "The presence cannot close before the year it was established."
                ),
            ),
            # A draft copy carries its office's slug until it is published.
            *slug_constraints("office", condition=Q(draft_of__isnull=True)),
            web_url_constraint("more_info_url", "office_more_info_url_web"),
            prose_constraint(
                "office_prose_line_endings",
                ["profile", "achievements", "partners_and_donors"],
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("offices:detail", kwargs={"slug": self.slug})

    def record_old_slug(self, old_slug):
        """Keep the profile's former address old_slug answering; the caller saves."""
        self.old_slugs = add_old_slug(self.old_slugs, old_slug, self.slug)

    def get_additional_data(self):
        """Files audit entries under the live office, a draft copy's too."""
        return {"office_id": self.draft_of_id or self.pk}

    def latest_deferral(self, today):
        """The furthest date a review may be deferred to from today.

        No further than one review interval (a deferral must not skip a whole
        cycle) and never more than two years.
        """
        return add_months(today, min(self.review_interval_months, MAX_DEFERRAL_MONTHS))

    @property
    def more_info_link(self):
        """The link as the public page may render it (http or https only)."""
        return web_url_or_empty(self.more_info_url)

    @property
    def summary(self):
        """The profile's first sentence: meta description, feed entry, cards."""
        return first_sentence(self.profile)

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def is_closed(self):
        """Closed already; a closing date still to come means "closing"."""
        return self.closed_on is not None and self.closed_on <= timezone.localdate()

    @property
    def is_closing(self):
        return self.closed_on is not None and self.closed_on > timezone.localdate()

    def paragraphs(self):
        """The profile prose split into paragraphs on blank lines."""
        return [
            p.strip()
            for p in self.profile.replace("\r\n", "\n").split("\n\n")
            if p.strip()
        ]

    def achievement_list(self):
        return [line.strip() for line in self.achievements.splitlines() if line.strip()]

    @property
    def lacks_translation(self):
        """Whether the page shows some English in place of the active language.

        The office's own text, its field offices' and its mandates' (read
        from the page's prefetched rows). Never in English.
        """
        if active_language() == SOURCE_LANGUAGE:
            return False
        return bool(self.fallback_fields) or any(
            row.fallback_fields
            for row in [*self.field_offices.all(), *self.mandates.all()]
        )

    @property
    def translation_out_of_date(self):
        """Whether the active language's translation of this profile has not
        been checked since its English text last changed.

        Needs OfficeQuerySet.with_translation_state(); False in English and
        where there is no translation of its own.
        """
        language = active_language()
        if language == SOURCE_LANGUAGE or "english_digest" not in self.__dict__:
            return False
        if not self.has_translation(language):
            return False
        return getattr(self, "checked_digest", None) != self.english_digest

    def english_text(self):
        """The English text translations are checked against: (key, text)
        pairs in their fixed order (OFFICE_TEXT_FIELDS, TEXT_ROWS).

        Reads the field offices and mandates (prefetched, or a query each).
        """
        pairs = [
            (name, getattr(self, column(name, SOURCE_LANGUAGE)) or "")
            for name in OFFICE_TEXT_FIELDS
        ]
        for rows in TEXT_ROWS:
            pairs.extend(rows.pairs(getattr(self, rows.relation).all()))
        return pairs

    def translation_statuses(self):
        """Each other language's translation state, for the change page.

        A list of TranslationStatus, in LANGUAGES order after English: one
        query (the checks, each compared with the English text as it is now).
        """
        current = (
            Office.objects.filter(pk=self.pk)
            .with_english_digest()
            .values("english_digest")
        )
        checks = {
            check.language: check
            for check in self.translation_checks.select_related("checked_by").annotate(
                current_digest=Subquery(current[:1])
            )
        }
        statuses = []
        for language in language_codes()[1:]:
            check = checks.get(language)
            state = TranslationState.of(
                translated=self.has_translation(language),
                checked_digest=check and check.english_digest,
                english_digest=check and check.current_digest,
            )
            statuses.append(TranslationStatus(language, state, check))
        return statuses


class FieldOffice(TranslatedMixin, models.Model):
    """A city where the presence has staff."""

    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        related_name="field_offices",
        verbose_name=_("office"),
    )
    name = models.CharField(
        _("city"),
        max_length=100,
        validators=[validate_single_line],
        help_text=_('e.g. "Erbil".'),
    )
    note = models.CharField(
        _("note"),
        max_length=255,
        blank=True,
        validators=[validate_single_line],
        help_text=_('e.g. "Lebanon (restricted physical access to Syria)".'),
    )
    # In a draft copy: the live field office this row was copied from.
    copied_from = models.BigIntegerField(null=True, blank=True, editable=False)
    is_head_office = models.BooleanField(
        _("head office"),
        default=False,
        help_text=_("At most one per office; it is listed first."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower numbers are listed first.")
    )

    class Meta:
        verbose_name = _("field office")
        verbose_name_plural = _("field offices")
        ordering = [
            "office",
            "-is_head_office",
            "position",
            ReaderOrder("name"),
            "pk",
        ]
        indexes = [
            # Office search's substring match (see Office's trigram indexes).
            GinIndex(
                OpClass(Upper("name"), name="gin_trgm_ops"),
                name="fieldoffice_name_trgm",
                fastupdate=False,
            ),
            *name_trigram_indexes("fieldoffice"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "name"],
                name="fieldoffice_unique_name_per_office",
                violation_error_message=_(
                    "This office already has a field office with that name."
                ),
            ),
            models.UniqueConstraint(
                fields=["office"],
                condition=Q(is_head_office=True),
                name="fieldoffice_one_head_office",
                violation_error_message=_("An office can have only one head office."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_additional_data(self):
        """Files audit entries under the live office.

        The admin's inline has the office loaded; elsewhere (a cascade) it
        costs a query. An office already gone leaves its id.
        """
        try:
            return {"office_id": self.office.draft_of_id or self.office_id}
        except Office.DoesNotExist:
            return {"office_id": self.office_id}


class SearchDocument(models.Model):
    """The words an office is found by, weighted for ranking.

    One row per office (draft copies too), written by the database only: the
    triggers of migration 0011_search_document recompute it whenever the
    office's name, country or profile, a field office's name or a mandate's
    title changes, however the change is made. A table of its own rather
    than a column of the office's, so that loading an office never loads its
    vector, and the vector is no part of the profile's content (its history,
    drafts and versions).
    """

    office = models.OneToOneField(
        Office,
        # The same triggers delete the row with its office.
        on_delete=models.DO_NOTHING,
        primary_key=True,
        related_name="search_document",
        editable=False,
        verbose_name=_("office"),
    )
    # The English text, which every profile has (SEARCH_CONFIG).
    vector = SearchVectorField(_("search vector"), editable=False)
    # Each translation's own text, with its language's configuration
    # (LANGUAGE_SEARCH_CONFIGS); empty where there is none.
    vector_ar = SearchVectorField(
        _("search vector (Arabic)"), null=True, editable=False
    )
    vector_zh_hans = SearchVectorField(
        _("search vector (Chinese)"), null=True, editable=False
    )
    vector_fr = SearchVectorField(
        _("search vector (French)"), null=True, editable=False
    )
    vector_ru = SearchVectorField(
        _("search vector (Russian)"), null=True, editable=False
    )
    vector_es = SearchVectorField(
        _("search vector (Spanish)"), null=True, editable=False
    )

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        ordering = ["office"]
        indexes = [
            # As Office's trigram indexes: no pending list.
            GinIndex(fields=["vector"], name="searchdocument_vector", fastupdate=False),
            *(
                GinIndex(
                    fields=[search_vector_field(language)],
                    name=f"searchdocument_{search_vector_field(language)}",
                    fastupdate=False,
                )
                for language in LANGUAGE_SEARCH_CONFIGS
            ),
        ]

    def __str__(self):
        return str(self.office_id)


class TranslationState(models.TextChoices):
    MISSING = "missing", _("Not translated")
    NOT_CHECKED = "not_checked", _("Never checked")
    # A check recorded before checks kept the English text they were made
    # against (migration 0015): whether it still holds cannot be known.
    NEEDS_RECHECK = "needs_recheck", _("Needs a re-check")
    OUT_OF_DATE = "out_of_date", _("Out of date")
    UP_TO_DATE = "up_to_date", _("Up to date")

    @classmethod
    def of(cls, *, translated, checked_digest, english_digest):
        """The state of a translation: whether there is one, the digest its
        check recorded (None: never checked; "": a check that kept no
        text) and the English text's digest now."""
        if not translated:
            return cls.MISSING
        if checked_digest is None:
            return cls.NOT_CHECKED
        if checked_digest == LEGACY_CHECK_DIGEST:
            return cls.NEEDS_RECHECK
        if checked_digest != english_digest:
            return cls.OUT_OF_DATE
        return cls.UP_TO_DATE


# The digest of a check recorded before checks kept their English text (its
# english_text is NULL); never equal to a real digest.
LEGACY_CHECK_DIGEST = ""


@dataclasses.dataclass(frozen=True)
class TranslationStatus:
    """One language's translation of a profile, as the change page shows it."""

    language: str
    state: TranslationState
    check: "TranslationCheck | None"

    @property
    def needs_check(self):
        return self.state in NEEDS_CHECK


# The states that put a translation on the editors' list of checks to make.
NEEDS_CHECK = frozenset(
    {
        TranslationState.NOT_CHECKED,
        TranslationState.NEEDS_RECHECK,
        TranslationState.OUT_OF_DATE,
    }
)


def translation_language_choices():
    return [
        (code, name) for code, name in settings.LANGUAGES if code != SOURCE_LANGUAGE
    ]


class TranslationCheck(models.Model):
    """When an office's translation into one language was last checked
    against the English text, and which English text that was.

    The translation is out of date once the office's English text no longer
    has the digest recorded here (OfficeQuerySet.translation_out_of_date).
    """

    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        related_name="translation_checks",
        verbose_name=_("office"),
    )
    language = models.CharField(
        _("language"),
        max_length=16,
        choices=translation_language_choices,
        help_text=_("The language of the translation checked."),
    )
    checked_at = models.DateTimeField(
        _("checked at"),
        help_text=_("When the translation was last checked against the English."),
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    english_digest = models.CharField(
        _("fingerprint of the English text"),
        max_length=64,
        blank=True,
        help_text=_(
            "A fingerprint of the English text at the time of the check "
            "(Office.english_text); empty for a check that needs a re-check."
        ),
    )
    english_text = models.JSONField(
        _("English text checked against"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The English text at the time of the check, field by field; empty "
            "for a check recorded before the text was kept."
        ),
    )

    class Meta:
        verbose_name = _("translation check")
        verbose_name_plural = _("translation checks")
        ordering = ["office", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "language"],
                name="translationcheck_once_per_language",
                violation_error_message=_(
                    "This translation already has a check recorded."
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    language__in=[
                        code for code, _name in translation_language_choices()
                    ]
                ),
                name="translationcheck_language_valid",
                violation_error_message=_("Choose a valid language."),
            ),
            # A check keeps both its text and that text's fingerprint, or
            # neither (one recorded before the text was kept).
            models.CheckConstraint(
                condition=Q(english_text__isnull=True, english_digest="")
                | (Q(english_text__isnull=False) & ~Q(english_digest="")),
                name="translationcheck_text_and_digest",
                violation_error_message=_(
                    "A check records the English text and its fingerprint together."
                ),
            ),
        ]

    def __str__(self):
        return _("%(language)s translation of office #%(office)s") % {
            "language": self.get_language_display(),
            "office": self.office_id,
        }


class DeletedOffice(Office):
    """Deleted offices, restorable in the admin until purged."""

    class Meta:
        proxy = True
        verbose_name = _("deleted office")
        verbose_name_plural = _("deleted offices")


class ReviewRecord(models.Model):
    """One entry in an office's review history: a review or a deferral."""

    Kind = ReviewKind

    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        related_name="review_records",
        verbose_name=_("office"),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind, default=Kind.REVIEWED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reviewed_on = models.DateField(_("date"))
    deferred_until = models.DateField(_("deferred until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review record")
        verbose_name_plural = _("review records")
        ordering = ["-reviewed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReviewKind.values),
                name="reviewrecord_kind_valid",
                violation_error_message=_("Choose a valid kind of record."),
            ),
            models.CheckConstraint(
                condition=Q(kind=ReviewKind.REVIEWED) | Q(deferred_until__isnull=False),
                name="reviewrecord_deferral_has_date",
                violation_error_message=_("A deferral needs a date."),
            ),
        ]

    def __str__(self):
        return _("%(office)s: %(kind)s on %(date)s") % {
            "office": self.office,
            "kind": self.get_kind_display().lower(),
            "date": date_format(self.reviewed_on),
        }


class ReminderKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    ESCALATION = "escalation", _("Escalation")


class ReviewReminder(models.Model):
    """One review reminder to one address about one office, claimed then sent.

    The unique constraint is what makes reruns and overlapping runs harmless:
    a run claims a row before sending and only the run that inserted (or took
    over) the row sends it. A row the mail server refused for good keeps its
    claim, so that address is not reminded again about that office in that
    cycle. offices/reviews.py explains the cycle.
    """

    Kind = ReminderKind

    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        related_name="review_reminders",
        verbose_name=_("office"),
    )
    email = models.EmailField(_("sent to"))
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind, default=Kind.REMINDER
    )
    cycle_on = models.DateField(
        _("review cycle"),
        help_text=_(
            "The due date reminded about (for a profile never reviewed, the "
            "date it was created): a review or deferral starts a new cycle."
        ),
    )
    sequence = models.PositiveSmallIntegerField(
        _("sequence"), default=0, help_text=_("0 for the first reminder of a cycle.")
    )
    reminded_on = models.DateField(
        _("reminded on"), help_text=_("The date the run was reminding as of.")
    )
    claimed_by = models.UUIDField(_("claimed by run"))
    claimed_at = models.DateTimeField(_("claimed at"))
    sent_at = models.DateTimeField(
        _("sent at"),
        null=True,
        blank=True,
        help_text=_("Empty while the email is being sent, or if it failed."),
    )
    failed_at = models.DateTimeField(
        _("failed at"),
        null=True,
        blank=True,
        help_text=_(
            "When the mail server refused this reminder for good (a 5xx reply). "
            "It is not sent again to this address."
        ),
    )
    failure = models.TextField(
        _("failure"),
        blank=True,
        help_text=_("The mail server's reply: its code and message."),
    )
    failure_reported_at = models.DateTimeField(
        _("failure reported at"),
        null=True,
        blank=True,
        help_text=_(
            "When the failure was reported to REVIEW_FALLBACK_EMAIL; empty until then."
        ),
    )

    class Meta:
        verbose_name = _("review reminder")
        verbose_name_plural = _("review reminders")
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "email", "kind", "cycle_on", "sequence"],
                name="reviewreminder_once_per_cycle",
                violation_error_message=_(
                    "This reminder has already been sent for this review cycle."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values),
                name="reviewreminder_kind_valid",
                violation_error_message=_("Choose a valid kind of reminder."),
            ),
            models.CheckConstraint(
                condition=Q(
                    failed_at__isnull=True,
                    failure="",
                    failure_reported_at__isnull=True,
                )
                | (Q(failed_at__isnull=False, sent_at__isnull=True) & ~Q(failure="")),
                name="reviewreminder_failure_consistent",
                violation_error_message=_(
                    "A failed reminder was not sent and has the server's reply; "
                    "only a failure can be reported."
                ),
            ),
        ]
        indexes = [
            # Each run looks up the failures not yet reported.
            models.Index(
                fields=["failed_at"],
                condition=Q(failed_at__isnull=False, failure_reported_at__isnull=True),
                name="reviewreminder_unreported",
            ),
        ]

    def __str__(self):
        # No office name: __str__ must not cost a query per row.
        return _("%(kind)s to %(email)s (office #%(office)s, cycle %(cycle)s)") % {
            "kind": self.get_kind_display(),
            "email": self.email,
            "office": self.office_id,
            "cycle": date_format(self.cycle_on),
        }


class CalendarFeed(models.Model):
    """A reviewer's private calendar feed of review due dates (offices/calendar.py).

    The feed's address carries a token derived from `key` and the site's
    SECRET_KEY (an HMAC): the token itself is never stored, so the table alone
    opens no feed, yet the review schedule page can show the address again.
    Resetting draws a new key, and the old address answers 404.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    key = models.CharField(_("key"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reset_at = models.DateTimeField(
        _("last reset at"),
        auto_now=True,
        help_text=_("When the feed's address last changed."),
    )

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["user"]

    def __str__(self):
        return _("Calendar feed of user #%(user)s") % {"user": self.user_id}


class PublicationRequest(models.Model):
    """An editor's request to publish a draft, and a publisher's answer.

    One per draft (a draft copy, or a new office never published): submitting
    again replaces it. Publishing removes it (with a draft copy, by deleting
    the copy); a publisher may instead send it back with a comment.
    offices/editorial.py has the steps; the audit trail keeps every one.
    """

    Status = RequestStatus

    office = models.OneToOneField(
        Office,
        on_delete=models.CASCADE,
        related_name="publication_request",
        verbose_name=_("draft"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.PENDING
    )
    message = models.TextField(
        _("message"),
        max_length=2000,
        help_text=_("What changed and why, for whoever publishes it."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"))
    comment = models.TextField(
        _("comment"),
        blank=True,
        max_length=2000,
        help_text=_("Why the draft was sent back."),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent back by"),
    )
    answered_at = models.DateTimeField(_("sent back at"), null=True, blank=True)

    class Meta:
        verbose_name = _("publication request")
        verbose_name_plural = _("publication requests")
        ordering = ["requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values),
                name="publicationrequest_status_valid",
                violation_error_message=_("Choose a valid status."),
            ),
        ]

    def __str__(self):
        return _("Publication request for office #%(office)s") % {
            "office": self.office_id
        }

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

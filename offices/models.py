import datetime
import re
from calendar import monthrange

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, StringAgg, Subquery, Value
from django.db.models.functions import Cast, Coalesce, ExtractYear, Greatest, Now
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from hrprofile.validators import (
    validate_prose,
    validate_single_line,
    validate_web_url,
    web_url_constraint,
    web_url_or_empty,
)
from mandates.models import Mandate, slug_constraints

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


def _aggregated_names(model, field):
    """A subquery joining the names of an office's related rows into one text."""
    return Subquery(
        model.objects.filter(office=OuterRef("pk"))
        .order_by()
        .values("office")
        .annotate(names=StringAgg(field, delimiter=Value(" ")))
        .values("names")
    )


class ReviewKind(models.TextChoices):
    REVIEWED = "reviewed", _("Reviewed")
    DEFERRED = "deferred", _("Deferred")


class OfficeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Office.Status.PUBLISHED)

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
            self.open()
            .with_next_review()
            .filter(Q(next_review_on__isnull=True) | Q(next_review_on__lte=horizon))
        )

    def overdue(self, as_of):
        """Open offices whose review date has passed (or that were never reviewed)."""
        return (
            self.open()
            .with_next_review()
            .filter(Q(next_review_on__isnull=True) | Q(next_review_on__lt=as_of))
        )

    def touch(self, **changes):
        """Update these offices with changes (if any) and mark them changed now.

        Every update that bypasses Office.save() goes through here (a review,
        a deferral, a mandate or a term's wording): the profile page's ETag and
        Last-Modified, the feed and the sitemap all follow updated_at, so
        without it they would keep answering with the old page.
        """
        return self.update(updated_at=timezone.now(), **changes)

    def search(self, text):
        """Offices matching text, best first.

        Full-text search over name and country (weight A), field offices and
        mandate titles (B) and the profile prose (C). The related names come
        in through subqueries, so an office is never repeated. A plain
        substring match on the name, country or a field office also counts,
        so that a partial word ("Erb" for Erbil) still finds something; such
        matches rank last.
        """
        vector = (
            SearchVector("name", "country", weight="A", config=SEARCH_CONFIG)
            + SearchVector(
                _aggregated_names(FieldOffice, "name"),
                _aggregated_names(Mandate, "title"),
                weight="B",
                config=SEARCH_CONFIG,
            )
            + SearchVector("profile", weight="C", config=SEARCH_CONFIG)
        )
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        substring = (
            Q(name__icontains=text)
            | Q(country__icontains=text)
            | Exists(
                FieldOffice.objects.filter(office=OuterRef("pk"), name__icontains=text)
            )
        )
        return (
            self.alias(document=vector)
            .annotate(rank=SearchRank(vector, query))
            .filter(Q(document=query) | substring)
            .order_by("-rank", "name")
        )

    def visible_to(self, user):
        """Published offices, plus the drafts this user may edit (their preview).

        Anyone else gets the public view: a draft of another office is as
        invisible as a missing page.
        """
        if not can_preview(user):
            return self.published()
        if user.has_perm("offices.edit_all_offices"):
            return self
        own = Office.reviewers.through.objects.filter(user=user).values("office")
        return self.filter(Q(status=OfficeStatus.PUBLISHED) | Q(pk__in=own))

    def editable_by(self, user):
        """Offices a staff user may edit: all with the permission, else their own."""
        if user.has_perm("offices.edit_all_offices"):
            return self
        return self.filter(reviewers=user)

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
        return self.prefetch_related(
            "field_offices",
            "mandates",
            "pillars",
            "shifts",
            "spotlight_populations",
            "tags",
        )


class Office(models.Model):
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
        unique=True,
        help_text=_(
            "The last part of the profile's web address: iraq in /en/offices/iraq/."
        ),
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
    profile = models.TextField(
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
    achievements = models.TextField(
        _("achievements"),
        blank=True,
        max_length=LIST_MAX_LENGTH,
        validators=[MaxLengthValidator(LIST_MAX_LENGTH), validate_prose],
        help_text=_("One achievement per line."),
    )
    partners_and_donors = models.TextField(
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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["name"]
        permissions = [
            ("edit_all_offices", _("Can edit every office, not only their own")),
            ("publish_office", _("Can publish and unpublish offices")),
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
            *slug_constraints("office"),
            web_url_constraint("more_info_url", "office_more_info_url_web"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("offices:detail", kwargs={"slug": self.slug})

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


class FieldOffice(models.Model):
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
        ordering = ["office", "-is_head_office", "position", "name"]
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
    over) the row sends it. offices/reviews.py explains the cycle.
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
        help_text=_("Empty while the email is being sent."),
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
        ]

    def __str__(self):
        # No office name: __str__ must not cost a query per row.
        return _("%(kind)s to %(email)s (office #%(office)s, cycle %(cycle)s)") % {
            "kind": self.get_kind_display(),
            "email": self.email,
            "office": self.office_id,
            "cycle": date_format(self.cycle_on),
        }

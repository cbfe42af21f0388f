"""Office: one field presence and its public profile, and DeletedOffice,
the admin's list of deleted ones."""

import re
from calendar import monthrange

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import F, Q, Subquery
from django.db.models.functions import ExtractYear, Now, Upper
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from hrprofile.collations import ReaderOrder
from hrprofile.links import slug_url
from hrprofile.prose import ProseField, prose_constraint
from hrprofile.translations import (
    SOURCE_LANGUAGE,
    TranslatedMixin,
    active_language,
    column,
    language_codes,
)
from hrprofile.validators import (
    validate_prose,
    validate_single_line,
    validate_web_url,
    web_url_constraint,
    web_url_or_empty,
)
from mandates.models import add_old_slug, slug_constraints
from offices.models.choices import EngagementType, OfficeStatus, Region
from offices.models.querysets import OfficeQuerySet
from offices.models.search import name_trigram_indexes
from offices.models.translation_checks import (
    OFFICE_TEXT_FIELDS,
    TEXT_ROWS,
    TranslationState,
    TranslationStatus,
)

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


# However long the review interval, a review is never put off further than this.
MAX_DEFERRAL_MONTHS = 24


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
    # Editorial state (offices/editorial/): a published office's pending
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
        # The address from a memoised pattern: the index lists hundreds.
        return slug_url("offices:detail", self.slug)

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


class DeletedOffice(Office):
    """Deleted offices, restorable in the admin until purged."""

    class Meta:
        proxy = True
        verbose_name = _("deleted office")
        verbose_name_plural = _("deleted offices")

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import ProtectedError, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from hrprofile.collations import ReaderOrder, ReaderOrderMixin
from hrprofile.links import slug_url
from hrprofile.prose import ProseField, prose_constraint
from hrprofile.translations import TranslatedMixin
from hrprofile.validators import (
    validate_prose,
    validate_single_line,
    validate_web_url,
    web_url_constraint,
    web_url_or_empty,
)

# Lowercase letters, digits, hyphens and underscores: what the URL converter
# <slug:…> accepts, in one case only, so /offices/IRAQ/ and /offices/iraq/ can
# never be two pages. A slug stored any other way (a script, the shell) would
# otherwise make every page that links to it a server error.
SLUG_PATTERN = r"^[-a-z0-9_]+$"


def slug_constraints(prefix, condition=None):
    """The slug's format, and uniqueness whatever the case, in the database."""
    return [
        models.CheckConstraint(
            condition=Q(slug__regex=SLUG_PATTERN),
            name=f"{prefix}_slug_format",
            violation_error_message=_(
                "Use only lowercase letters, numbers, hyphens and underscores "
                "in the slug."
            ),
        ),
        models.UniqueConstraint(
            Lower("slug"),
            condition=condition,
            name=f"{prefix}_slug_unique_ci",
            violation_error_message=_("This slug is already taken."),
        ),
    ]


def add_old_slug(old_slugs, old_slug, slug):
    """old_slugs with old_slug added once, and without the current slug.

    A slug taken back is current again, not a former address.
    """
    kept = [s for s in old_slugs if s not in (old_slug, slug)]
    return kept if old_slug == slug else [*kept, old_slug]


def protect_terms_in_use(terms):
    """Refuse to delete vocabulary that profiles use.

    Removing a pillar, shift, population or tag would silently change every
    profile that shows it, so editors must first take it off those profiles.
    Raises ProtectedError, which the admin shows as a "protected" message.
    """
    # The profiles' model, reached through the relation: mandates builds the
    # vocabulary and knows nothing of the app that uses it.
    office_model = terms.model._meta.get_field("offices").related_model
    field = terms.model.office_relation
    in_use = office_model.objects.filter(**{f"{field}__in": terms}).distinct()
    # Name at most 20 profiles, but count them all.
    offices = list(in_use[:20])
    if offices:
        count = in_use.count() if len(offices) == 20 else len(offices)
        names = pgettext("list separator", ", ").join(o.name for o in offices)
        raise ProtectedError(
            ngettext(
                "Cannot delete: used by %(count)d profile (%(names)s). "
                "Remove it from that profile first.",
                "Cannot delete: used by %(count)d profiles (%(names)s). "
                "Remove it from those profiles first.",
                count,
            )
            % {"count": count, "names": names},
            set(offices),
        )


class TermQuerySet(ReaderOrderMixin, models.QuerySet):
    def with_old_slug(self, slug):
        """Terms whose page was once at slug, the newest term first."""
        return self.filter(old_slugs__contains=[slug]).order_by("-pk")

    def delete(self):
        protect_terms_in_use(self)
        return super().delete()


class Term(TranslatedMixin, models.Model):
    """A word of the focus-area vocabulary (pillar, shift, population)."""

    name = models.CharField(
        _("name"), max_length=100, unique=True, validators=[validate_single_line]
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("Used in the web address of the term's page."),
    )
    # Addresses the term's page had before (each answers with a 301).
    old_slugs = ArrayField(
        models.SlugField(max_length=100),
        verbose_name=_("former slugs"),
        default=list,
        blank=True,
        editable=False,
    )
    description = models.CharField(
        _("description"),
        max_length=255,
        blank=True,
        validators=[validate_single_line],
        help_text=_("One line, as shown under the name on profile pages."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower numbers are listed first.")
    )
    # When the term last changed (the content version follows the database's
    # own triggers: offices.models.ContentStamp).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TermQuerySet.as_manager()

    # Name of the Office many-to-many field that points at this model.
    office_relation = ""
    url_name = ""

    class Meta:
        abstract = True
        # Then the name as the reader sees it, in the reader's collation.
        ordering = ["position", ReaderOrder("name"), "pk"]
        constraints = slug_constraints("%(class)s")
        indexes = [GinIndex(fields=["old_slugs"], name="%(class)s_old_slugs")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        # A page lists a dozen terms: the address from a memoised pattern.
        return slug_url(self.url_name, self.slug)

    def record_old_slug(self, old_slug):
        """Keep the page's former address old_slug answering; the caller saves."""
        self.old_slugs = add_old_slug(self.old_slugs, old_slug, self.slug)

    def delete(self, *args, **kwargs):
        protect_terms_in_use(type(self).objects.filter(pk=self.pk))
        return super().delete(*args, **kwargs)


class ThematicPillar(Term):
    office_relation = "pillars"
    url_name = "mandates:pillar"

    class Meta(Term.Meta):
        verbose_name = _("thematic pillar")
        verbose_name_plural = _("thematic pillars")


class Shift(Term):
    office_relation = "shifts"
    url_name = "mandates:shift"

    class Meta(Term.Meta):
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")


class SpotlightPopulation(Term):
    office_relation = "spotlight_populations"
    url_name = "mandates:population"

    class Meta(Term.Meta):
        verbose_name = _("spotlight population")
        verbose_name_plural = _("spotlight populations")


class Tag(TranslatedMixin, models.Model):
    """A free label editors put on profiles (listed on the profile page)."""

    name = models.CharField(
        _("name"), max_length=100, unique=True, validators=[validate_single_line]
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    # When the term last changed (the content version follows the database's
    # own triggers: offices.models.ContentStamp).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TermQuerySet.as_manager()
    office_relation = "tags"

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = [ReaderOrder("name"), "pk"]
        constraints = slug_constraints("tag")

    def __str__(self):
        return self.name

    def delete(self, *args, **kwargs):
        protect_terms_in_use(Tag.objects.filter(pk=self.pk))
        return super().delete(*args, **kwargs)


SUMMARY_MAX_LENGTH = 2000


class MandateKind(models.TextChoices):
    SECURITY_COUNCIL = "security_council", _("Security Council resolution")
    HUMAN_RIGHTS_COUNCIL = "human_rights_council", _("Human Rights Council resolution")
    GENERAL_ASSEMBLY = "general_assembly", _("General Assembly resolution")
    HOST_STATE_AGREEMENT = "host_state_agreement", _("Agreement with the host State")
    THEMATIC = "thematic", _("Thematic mandate")


class Mandate(TranslatedMixin, models.Model):
    """The legal basis of an office's work."""

    Kind = MandateKind

    office = models.ForeignKey(
        "offices.Office",
        on_delete=models.CASCADE,
        related_name="mandates",
        verbose_name=_("office"),
    )
    kind = models.CharField(
        _("kind"),
        max_length=32,
        choices=Kind,
        help_text=_(
            "The legal basis: a resolution, an agreement or a thematic mandate."
        ),
    )
    title = models.CharField(
        _("title"),
        max_length=255,
        validators=[validate_single_line],
        help_text=_('For example "Security Council resolution 2522 (2020)".'),
    )
    symbol = models.CharField(
        _("document symbol"),
        max_length=100,
        blank=True,
        validators=[validate_single_line],
        help_text=_('The UN document symbol, for example "S/RES/2522 (2020)".'),
    )
    adopted_on = models.DateField(
        _("adopted on"),
        null=True,
        blank=True,
        help_text=_("The date the resolution was adopted or the agreement signed."),
    )
    integrated_in = models.PositiveSmallIntegerField(
        _("integrated in (year)"),
        null=True,
        blank=True,
        help_text=_(
            "For a thematic mandate: the year it was integrated into the office's work."
        ),
    )
    summary = ProseField(
        _("summary"),
        blank=True,
        max_length=SUMMARY_MAX_LENGTH,
        validators=[MaxLengthValidator(SUMMARY_MAX_LENGTH), validate_prose],
        help_text=_("A sentence or two on what it asks of the office."),
    )
    url = models.URLField(
        _("link"),
        blank=True,
        validators=[validate_web_url],
        help_text=_("The text of the resolution or agreement."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower numbers are listed first.")
    )
    # In a draft copy of an office: the live mandate this row was copied from.
    copied_from = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["office", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=MandateKind.values),
                name="mandate_kind_valid",
                violation_error_message=_("Choose a valid kind of mandate."),
            ),
            models.CheckConstraint(
                condition=models.Q(integrated_in__isnull=True)
                | models.Q(integrated_in__gte=1945, integrated_in__lte=2100),
                name="mandate_integrated_in_plausible",
                violation_error_message=_(
                    "The year of integration must be between 1945 and 2100."
                ),
            ),
            web_url_constraint("url", "mandate_url_web"),
            prose_constraint("mandate_prose_line_endings", ["summary"]),
        ]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        """Files audit entries under the live office (see FieldOffice's)."""
        try:
            return {"office_id": self.office.draft_of_id or self.office_id}
        except ObjectDoesNotExist:
            return {"office_id": self.office_id}

    @property
    def link(self):
        """The link as the public page may render it (http or https only)."""
        return web_url_or_empty(self.url)

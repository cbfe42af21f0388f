"""FieldOffice: a city where a presence has staff."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from hrprofile.collations import ReaderOrder
from hrprofile.translations import TranslatedMixin
from hrprofile.validators import validate_single_line
from offices.models.profiles import Office
from offices.models.search import name_trigram_indexes


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

"""TranslationAssignment: which translator translates which office into
which language (offices/translators.py reads them; content managers keep
them in the admin)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from offices.models.profiles import Office
from offices.models.translation_checks import translation_language_choices

# A draft copy or a deleted office is never assigned: a translator works on
# the office itself, and through it on its draft.
LIVE_OFFICE = {"draft_of__isnull": True, "deleted_at__isnull": True}

# The group of offices migration 0021, whose members assignments are for.
TRANSLATORS = "Translators"


class TranslationAssignmentQuerySet(models.QuerySet):
    def held_by(self, user):
        """The assignments that count for user: of offices not deleted, while
        user is in the Translators group. Taking someone out of the group
        ends their assignments without deleting them."""
        return self.filter(
            translator=user,
            translator__groups__name=TRANSLATORS,
            office__deleted_at__isnull=True,
        )


class TranslationAssignment(models.Model):
    """A translator's assignment: one office, one language.

    Editors who may work on an office translate it into every language;
    a translator (the Translators group) only what is assigned here. The
    assignment lets them open the office (read-only), its translation view
    in that language, and submit its draft for publication.
    """

    translator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="translation_assignments",
        verbose_name=_("translator"),
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        limit_choices_to=LIVE_OFFICE,
        related_name="translation_assignments",
        verbose_name=_("office"),
    )
    language = models.CharField(
        _("language"),
        max_length=16,
        choices=translation_language_choices,
        help_text=_("The language the translator translates the office into."),
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )

    objects = TranslationAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("translation assignment")
        verbose_name_plural = _("translation assignments")
        ordering = ["office", "language", "translator"]
        constraints = [
            models.UniqueConstraint(
                fields=["translator", "office", "language"],
                name="translationassignment_once",
                violation_error_message=_(
                    "This translator is already assigned this office in this language."
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    language__in=[
                        code for code, _name in translation_language_choices()
                    ]
                ),
                name="translationassignment_language_valid",
                violation_error_message=_("Choose a valid language."),
            ),
        ]

    def __str__(self):
        return _("%(language)s translation of office #%(office)s") % {
            "language": self.get_language_display(),
            "office": self.office_id,
        }

    def clean(self):
        # A foreign key's limit_choices_to only checks forms that show it.
        office = self.office if self.office_id else None
        if office is not None and (office.draft_of_id or office.deleted_at):
            raise ValidationError(
                {
                    "office": _(
                        "Assign the office itself, not a draft or a deleted office."
                    )
                }
            )

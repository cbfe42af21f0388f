"""Translation checks: the English text a translation is checked against,
its fingerprint (in Python and in SQL), the state of each translation, and
TranslationCheck, the record of a check. offices/freshness.py builds on it."""

import dataclasses
import hashlib

from django.conf import settings
from django.db import connection, models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _

from hrprofile.translations import SOURCE_LANGUAGE, column

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

    def ordered(self, rows):
        """rows (model instances) in the canonical order, each numbered from
        1 as its keys are: [(number, row)]. The translation view shows them so."""
        english = [column(name, SOURCE_LANGUAGE) for name in self.fields]

        def sort_key(row):
            first = [
                -getattr(row, name) if descending else getattr(row, name)
                for name, descending in self.leading
            ]
            return (*first, *(getattr(row, attname) or "" for attname in english))

        return list(enumerate(sorted(rows, key=sort_key), start=1))

    def pairs(self, rows):
        """(key, text) of rows (model instances), in the canonical order."""
        return [
            (
                f"{self.relation}.{number}.{name}",
                getattr(row, column(name, SOURCE_LANGUAGE)) or "",
            )
            for number, row in self.ordered(rows)
            for name in self.fields
        ]

    def sql(self, office_pk_sql):
        """The same text in SQL: one string for the office whose key is
        office_pk_sql (compiled SQL of the outer query's column)."""
        from offices.models.profiles import Office  # which imports this module

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
        "Office",
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

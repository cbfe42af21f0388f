"""Full-text search: the configuration of each language and SearchDocument,
the words an office is found by (OfficeQuerySet.search() queries it)."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from hrprofile.translations import SOURCE_LANGUAGE, column

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
        "Office",
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

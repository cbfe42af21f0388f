"""The order of names in the reader's language (docs/translations.md).

A list sorts by the name the reader sees: the translation, else the English
(ReaderOrder). With the language's ICU collation where the server has ICU
(any production server, the PostgreSQL of Debian or the official images:
"fr-x-icu", "zh-Hans-x-icu"…): accents, case, the reader's own script first,
Chinese by pinyin. The embedded PostgreSQL is built without ICU: there the
key is folded instead, lower(unaccent(name)), so that "Égypte" still comes
after "colombie" and before "Irak"; other scripts then follow code point
order, after Latin.

Which collations the server has is asked once per process and database, when
the first connection opens (connection_created), not on a page's request.
"""

from django.db.backends.signals import connection_created
from django.db.models import Expression, F, Func, TextField, Value
from django.db.models.functions import Coalesce, Collate, Lower, NullIf
from django.utils.deconstruct import deconstructible
from django.utils.translation import to_locale

from hrprofile.translations import (
    SOURCE_LANGUAGE,
    active_language,
    column,
    language_codes,
)

# Each database alias -> the ICU collations of the content languages it has.
_available = {}


def icu_name(language):
    """PostgreSQL's name for language's ICU collation: fr-x-icu, zh-Hans-x-icu."""
    return to_locale(language).replace("_", "-") + "-x-icu"


def _detect(connection):
    wanted = [icu_name(language) for language in language_codes()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collname FROM pg_collation "
            "WHERE collprovider = 'i' AND collname = ANY(%s)",
            [wanted],
        )
        return frozenset(name for (name,) in cursor.fetchall())


def remember_collations(sender, connection, **kwargs):
    """connection_created: learn the server's collations on its first connection."""
    if connection.vendor == "postgresql" and connection.alias not in _available:
        _available[connection.alias] = _detect(connection)


connection_created.connect(remember_collations, dispatch_uid="hrprofile.collations")


def icu_collation(connection, language):
    """The name of language's ICU collation on connection's server, or None."""
    if connection.alias not in _available:
        # A connection opened before this module was imported.
        _available[connection.alias] = _detect(connection)
    name = icu_name(language)
    return name if name in _available[connection.alias] else None


class Unaccent(Func):
    """PostgreSQL's unaccent() (the extension, mandates 0011): text without
    its accents, for comparisons that ignore them."""

    function = "UNACCENT"
    output_field = TextField()


def shown_text(field, language):
    """field as the reader of language sees it: the translation, else English."""
    english = F(column(field, SOURCE_LANGUAGE))
    if language == SOURCE_LANGUAGE:
        return english
    return Coalesce(NullIf(F(column(field, language)), Value("")), english)


class SortKey(Func):
    """text collated for language's readers: ICU where the server has it,
    else lower(unaccent(text)) (case and accents folded)."""

    output_field = TextField()

    def __init__(self, text, *, language):
        super().__init__(text)
        self.language = language

    def as_sql(self, compiler, connection, **extra_context):
        [text] = self.get_source_expressions()
        collation = icu_collation(connection, self.language)
        key = Collate(text, collation) if collation else Lower(Unaccent(text))
        return compiler.compile(key)


@deconstructible(path="hrprofile.collations.ReaderOrder")
class ReaderOrder(Expression):
    """Sort by field as the reader sees it, in the reader's collation.

    language: the active one when the query is compiled, unless given. Fit
    for Meta.ordering: the models' default order then follows the page's
    language, as modeltranslation's "name" does.
    """

    def __init__(self, field, language=None):
        super().__init__(output_field=TextField())
        # A translated field, or a path to one ("office__name").
        self.path = field
        self.language = language

    def prefix_references(self, prefix):
        # Another model's Meta.ordering naming this one's (ordering="office").
        return type(self)(f"{prefix}{self.path}", self.language)

    def resolve_expression(self, *args, **kwargs):
        language = self.language or active_language()
        key = SortKey(shown_text(self.path, language), language=language)
        return key.resolve_expression(*args, **kwargs)

    def __repr__(self):
        return f"{type(self).__name__}({self.path!r}, {self.language!r})"


class ReaderOrderMixin:
    """QuerySet.in_reader_order(): the models whose name is translated."""

    def in_reader_order(self, *first, language=None):
        """Ordered by first (fields or expressions, as order_by takes them),
        then by name as the reader of language (the active one) sees it,
        then by pk so that pages never overlap."""
        return self.order_by(*first, ReaderOrder("name", language), "pk")

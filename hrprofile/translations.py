"""Translated content glue shared by the apps (django-modeltranslation).

English is the source text: every translated field has an English column that
a reader falls back to (MODELTRANSLATION_FALLBACK_LANGUAGES). What the models
add on top is knowing when a page shows such a fallback, so that the block
can carry lang="en" and the page a notice. docs/translations.md.
"""

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import get_language
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname, resolution_order

SOURCE_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def language_codes():
    """The content languages, English first (the order editors see them in)."""
    codes = [code for code, _name in settings.LANGUAGES]
    return [SOURCE_LANGUAGE, *(code for code in codes if code != SOURCE_LANGUAGE)]


def column(field, language):
    """The attribute holding field's text in language: name, fr -> name_fr."""
    return build_localized_fieldname(field, language)


def translation_column_names(field):
    """A translated field's columns: the original (which mirrors the English,
    see docs/translations.md) and one per language."""
    return [field, *(column(field, code) for code in language_codes())]


def translated_fields(model):
    """The names of model's translated fields (() if it has none), in the
    order the model declares them.

    modeltranslation keeps them in a set, whose order changes with each
    process's hash seed: nothing that is stored or compared may follow it.
    """
    try:
        names = translator.get_options_for_model(model).get_field_names()
    except NotRegistered:
        return ()
    return tuple(
        sorted(names, key=lambda name: model._meta.get_field(name).creation_counter)
    )


def unread_columns(model):
    """model's translation columns that nothing reads in the active language.

    A translated field is read through modeltranslation's descriptor, which
    looks at the active language's column, then its fallbacks' (English),
    and never at the original column (which mirrors the English) nor at the
    other languages'. A public page's query defers these (queryset.defer()):
    its rows are a third as wide. Reading one anyway still works, one query
    per instance, as with any deferred field.
    """
    language = get_language() or SOURCE_LANGUAGE
    unread = []
    for name in translated_fields(model):
        read = {
            *resolution_order(language, getattr(model, name).fallback_languages),
            SOURCE_LANGUAGE,
        }
        unread.append(name)
        unread.extend(
            column(name, code) for code in language_codes() if code not in read
        )
    return unread


def defer_unread(queryset):
    """queryset without the translation columns nothing reads in the active
    language (unread_columns()).

    Django's defer(), not modeltranslation's: that one takes "name" for the
    field, and defers every language's column with the original's.
    """
    return QuerySet.defer(queryset, *unread_columns(queryset.model))


def active_language():
    """The active language as a content language (en when none or unknown)."""
    code = get_language() or SOURCE_LANGUAGE
    return code if code in language_codes() else SOURCE_LANGUAGE


class TranslatedMixin:
    """Fallback awareness for a model with translated fields."""

    def is_fallback(self, field, language=None):
        """Whether field shows English in place of a missing translation.

        False in English, and when there is no English text either (nothing
        is shown then, in any language).
        """
        language = language or active_language()
        if language == SOURCE_LANGUAGE:
            return False
        own = getattr(self, column(field, language))
        source = getattr(self, column(field, SOURCE_LANGUAGE))
        return not own and bool(source)

    @property
    def fallback_fields(self):
        """The translated fields that show English in the active language."""
        return {
            field for field in translated_fields(type(self)) if self.is_fallback(field)
        }

    def has_translation(self, language):
        """Whether any translated field has text in language."""
        return any(
            getattr(self, column(field, language))
            for field in translated_fields(type(self))
        )

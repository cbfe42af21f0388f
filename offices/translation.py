"""The profile's translated fields (django-modeltranslation).

Each field listed here gains a column per language (name_en, name_fr, …);
the field itself reads the active language's value, falling back to English
(MODELTRANSLATION_FALLBACK_LANGUAGES). Whether a page shows a fallback is
Office.is_fallback(); when each translation was last checked against the
English text is TranslationCheck. docs/translations.md has the workflow.
"""

from modeltranslation.translator import register

from mandates.translation import ContentTranslationOptions
from offices.models import OFFICE_TEXT_FIELDS, FieldOffice, Office


@register(Office)
class OfficeTranslationOptions(ContentTranslationOptions):
    # The translatable text of a profile, in the order the page shows it.
    fields = OFFICE_TEXT_FIELDS


@register(FieldOffice)
class FieldOfficeTranslationOptions(ContentTranslationOptions):
    fields = ("name", "note")

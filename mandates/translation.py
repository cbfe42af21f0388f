"""The vocabulary's and mandates' translated fields (django-modeltranslation).

Each field listed here gains a column per language (title_en, title_fr, …);
the field itself reads the active language's value, falling back to English
(MODELTRANSLATION_FALLBACK_LANGUAGES). docs/translations.md has the workflow.
"""

from modeltranslation.translator import TranslationOptions, register

from mandates.models import Mandate, Shift, SpotlightPopulation, Tag, ThematicPillar


class ContentTranslationOptions(TranslationOptions):
    """English is required where the field is; a missing translation is
    NULL, never "" (names are unique per language, and "" would clash)."""

    required_languages = ("en",)
    empty_values = None


@register(Mandate)
class MandateTranslationOptions(ContentTranslationOptions):
    fields = ("title", "summary")


@register([ThematicPillar, Shift, SpotlightPopulation])
class TermTranslationOptions(ContentTranslationOptions):
    fields = ("name", "description")


@register(Tag)
class TagTranslationOptions(ContentTranslationOptions):
    fields = ("name",)

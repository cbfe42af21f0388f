"""Marking translated content that shows English in place of a translation.

{% fallback_lang office "profile" %} writes ` lang="en"` (and ` dir="ltr"` on a
right-to-left page) when that field of that object shows the English text,
so that browsers, screen readers and search engines read the block as
English. The check itself is the model's (hrprofile.translations).
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_bidi

from hrprofile.translations import SOURCE_LANGUAGE, active_language

register = template.Library()


def _no_fallback(obj, field):
    return ""


def fallback_marker():
    """fallback_lang's attributes for the many rows of one list: a function
    of (obj, field), the active language and its direction read once rather
    than for each row (nothing at all in English). Plain text, for the tags
    that write a list's markup themselves."""
    language = active_language()
    if language == SOURCE_LANGUAGE:
        return _no_fallback
    attributes = f' lang="{escape(SOURCE_LANGUAGE)}"'
    if get_language_bidi():
        attributes += ' dir="ltr"'

    def marker(obj, field):
        if obj is None or not obj.is_fallback(field, language):
            return ""
        return attributes

    return marker


@register.simple_tag
def fallback_lang(obj, field):
    return mark_safe(fallback_marker()(obj, field))

"""Marking translated content that shows English in place of a translation.

{% fallback_lang office "profile" %} writes ` lang="en"` (and ` dir="ltr"` on a
right-to-left page) when that field of that object shows the English text,
so that browsers, screen readers and search engines read the block as
English. The check itself is the model's (hrprofile.translations).
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language_bidi

from hrprofile.translations import SOURCE_LANGUAGE

register = template.Library()


@register.simple_tag
def fallback_lang(obj, field):
    if obj is None or not obj.is_fallback(field):
        return ""
    if get_language_bidi():
        return format_html(' lang="{}" dir="ltr"', SOURCE_LANGUAGE)
    return format_html(' lang="{}"', SOURCE_LANGUAGE)

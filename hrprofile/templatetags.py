"""Template tags and filters for every public page ({% load hrprofile %})."""

from django import template
from django.utils.html import format_html

from hrprofile import i18n

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """The language switcher's links to this very page (none without a request:
    the 500 and 503 pages render from nothing)."""
    request = context.get("request")
    if request is None:
        return []
    return i18n.language_links(request.get_full_path())


@register.filter
def bdi(value):
    """value isolated from the text around it: a Latin-script name, symbol or
    note inside an Arabic sentence keeps its own direction, and its
    punctuation stays on its side. For values bound into a blocktranslate
    (`with note=office.closed_note|bdi`), whose msgid then stays the same."""
    if value in (None, ""):
        return value
    return format_html("<bdi>{}</bdi>", value)

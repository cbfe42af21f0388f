"""Template tags and filters for every public page ({% load hrprofile %})."""

import functools

from django import template
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from hrprofile import i18n
from hrprofile.i18n import list_separator

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


@register.filter(needs_autoescape=True)
def join_list(values, autoescape=True):
    """values joined with the language's list separator ("، " in Arabic,
    "、" in Chinese), where a template would write join:", "."""
    escape = conditional_escape if autoescape else str
    return mark_safe(escape(list_separator()).join(escape(value) for value in values))


@register.filter
def long_date(value):
    """A day in full: "29 May 2020" in English (the UN's style), and each other
    language's own long form ("2020年5月29日", "29 de mayo de 2020")."""
    if not value:
        return ""
    return date_format(value, "j F Y" if get_language() == "en" else "DATE_FORMAT")


@functools.cache
def _choice_labels(field):
    """field's choices as {value: label}, the labels left lazy (each renders
    in the language active then)."""
    return dict(field.flatchoices)


@register.filter
def display(instance, field_name):
    """instance.get_<field_name>_display(), at the cost of a dictionary look-up:
    Django's hashes every choice's label on each call, which translates each
    one, and was a tenth of an uncached index page."""
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    return _choice_labels(field).get(value, value)

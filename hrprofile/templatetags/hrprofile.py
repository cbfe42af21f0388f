"""Template tags and filters for every public page ({% load hrprofile %})."""

import functools
import html

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from hrprofile import i18n
from hrprofile.i18n import list_separator

register = template.Library()

# {% constant %}'s output: (node, language, script prefix, URL configuration)
# -> the markup. Bounded: without the cached template loader (DEBUG) every
# render parses new nodes.
_CONSTANT_MARKUP = {}
_CONSTANT_MARKUP_SIZE = 2048


@receiver(setting_changed)
def _forget_constant_markup(**kwargs):
    # A test's override_settings (STATIC_URL, the storage, LANGUAGES).
    _CONSTANT_MARKUP.clear()


class ConstantNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        key = (self, get_language(), get_script_prefix(), get_urlconf())
        markup = _CONSTANT_MARKUP.get(key)
        if markup is None:
            if len(_CONSTANT_MARKUP) >= _CONSTANT_MARKUP_SIZE:
                _CONSTANT_MARKUP.clear()
            # An empty context: nothing of the page (of the database) can
            # be kept in it, only what code, settings and the language give.
            markup = self.nodelist.render(context.new())
            _CONSTANT_MARKUP[key] = markup
        return markup


@register.tag
def constant(parser, token):
    """{% constant %}...{% endconstant %}: markup that depends only on the code,
    the settings and the language ({% translate %}, {% url %} without
    arguments, {% static %}), rendered once per language, script prefix and
    URL configuration and then repeated: the header, the footer and the
    head's links of every page. It sees none of the page's variables."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% constant %} takes no arguments")
    nodelist = parser.parse(("endconstant",))
    parser.delete_first_token()
    return ConstantNode(nodelist)


@register.simple_tag(takes_context=True)
def language_links(context):
    """The language switcher's links to this very page (none without a request:
    the 500 and 503 pages render from nothing)."""
    request = context.get("request")
    if request is None:
        return []
    return i18n.language_links(request.get_full_path())


def escaped(value):
    """conditionalescaped(value), for the hot loops below: format_html() and
    escape() cost several times more (lazy-argument checks, SafeString)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


@register.simple_tag
def language_items(languages):
    """The switcher's list items, one per language_links() entry: what a
    {% for %} over them wrote, for a fraction of its nodes."""
    items = []
    for language in languages:
        code = escaped(language["code"])
        bidi = ' dir="rtl"' if language["is_bidi"] else ""
        current = ' aria-current="true"' if language["is_current"] else ""
        items.append(
            f'<li><a href="{escaped(language["url"])}" lang="{code}"'
            f' hreflang="{code}"{bidi}{current}>{escaped(language["name"])}</a></li>'
            "\n          "
        )
    return mark_safe("".join(items))


@register.filter
def alternate_links(alternates):
    """<link rel="alternate"> of each (hreflang, url), each followed by the
    head's indentation: base.html's loop, without its nodes."""
    return mark_safe(
        "".join(
            f'<link rel="alternate" hreflang="{escaped(hreflang)}"'
            f' href="{escaped(url)}">\n  '
            for hreflang, url in alternates or ()
        )
    )


@register.filter
def elements(values, tag):
    """Each of values escaped, as the content of an element of its own:
    {{ paragraphs|elements:"p" }} writes what {% for paragraph in paragraphs
    %}<p>{{ paragraph }}</p>{% endfor %} did, without its nodes."""
    return mark_safe("".join(f"<{tag}>{escaped(value)}</{tag}>" for value in values))


@register.filter
def og_locale_alternates(locales):
    """An og:locale:alternate of each locale (includes/open_graph.html)."""
    return mark_safe(
        "".join(
            f'<meta property="og:locale:alternate" content="{escaped(locale)}">\n  '
            for locale in locales or ()
        )
    )


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

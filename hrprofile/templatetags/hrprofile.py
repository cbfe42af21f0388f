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
from django.utils.translation import get_language, gettext, gettext_noop

from hrprofile import i18n
from hrprofile.i18n import list_separator
from mandates.templatetags.content_language import fallback_lang

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


def _escape(value):
    """conditional_escape(value), for the hot loops below: format_html() and
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
        code = _escape(language["code"])
        bidi = ' dir="rtl"' if language["is_bidi"] else ""
        current = ' aria-current="true"' if language["is_current"] else ""
        items.append(
            f'<li><a href="{_escape(language["url"])}" lang="{code}"'
            f' hreflang="{code}"{bidi}{current}>{_escape(language["name"])}</a></li>'
            "\n          "
        )
    return mark_safe("".join(items))


@register.simple_tag
def term_items(terms, with_descriptions=False):
    """A profile's list of terms (pillars, shifts, populations): each a link
    to its page, marked English where it shows the English name, with its
    description if asked. What a {% for %} wrote, at a fraction of its cost."""
    items = []
    for term in terms:
        description = term.description if with_descriptions else ""
        if description:
            description = (
                f' <span class="terms__description"'
                f"{fallback_lang(term, 'description')}>{_escape(description)}</span>"
            )
        items.append(
            f'<li><a href="{_escape(term.get_absolute_url())}"'
            f"{fallback_lang(term, 'name')}>{_escape(term.name)}</a>{description}</li>"
        )
    return mark_safe("".join(items))


def _blocktranslate(message, **values):
    """What {% blocktranslate with name=value %}message{% endblocktranslate %}
    writes: the translation of message (its variables as %(name)s), each value
    escaped; the English if a translation does not fit its values."""
    data = {name: _escape(value) for name, value in values.items()}
    try:
        return gettext(message) % data
    except (KeyError, ValueError):
        return message % data


@register.simple_tag
def field_office_items(field_offices):
    """A profile's field offices as list items (offices/office_detail.html's
    loop, at a fraction of its nodes): each name, whether it is the head
    office, its note."""
    items = []
    for field_office in field_offices:
        head = ""
        if field_office.is_head_office:
            label = gettext("(head office)")
            head = f' <span class="label">{_escape(label)}</span>'
        note = field_office.note
        if note:
            note = (
                f"{_escape(list_separator())}"
                f"<bdi{fallback_lang(field_office, 'note')}>{_escape(note)}</bdi>"
            )
        items.append(
            "\n                <li>"
            f"<span{fallback_lang(field_office, 'name')}>{_escape(field_office.name)}"
            f"</span>{head}{note}</li>\n              "
        )
    return mark_safe("".join(items))


@register.simple_tag
def mandate_items(mandates):
    """A profile's mandates as list items (offices/office_detail.html's loop,
    at a fraction of its nodes): the title (a link if it has one), the
    document symbol, the adoption date or the year it was integrated, the
    summary."""
    items = []
    for mandate in mandates:
        title = _escape(mandate.title)
        if mandate.link:
            title = f'<a href="{_escape(mandate.link)}">{title}</a>'
        meta = ""
        if mandate.symbol or mandate.adopted_on or mandate.integrated_in:
            symbol = adopted = integrated = ""
            if mandate.symbol:
                label = gettext("Document symbol:")
                symbol = (
                    f"<li>{_escape(label)} <bdi>{_escape(mandate.symbol)}</bdi></li>"
                )
            if mandate.adopted_on:
                adopted = _blocktranslate(
                    gettext_noop(
                        'Adopted on <time datetime="%(iso_date)s">%(date)s</time>'
                    ),
                    iso_date=mandate.adopted_on.isoformat(),
                    date=long_date(mandate.adopted_on),
                )
                adopted = f"<li>{adopted}</li>"
            if mandate.integrated_in:
                integrated = _blocktranslate(
                    gettext_noop("%(kind)s, integrated in %(year)s"),
                    kind=display(mandate, "kind"),
                    year=str(int(mandate.integrated_in)),
                )
                integrated = f"<li>{integrated}</li>"
            meta = (
                '\n                <ul class="mandate__meta">'
                f"\n                  {symbol}"
                f"\n                  {adopted}"
                f"\n                  {integrated}"
                "\n                </ul>\n              "
            )
        summary = mandate.summary
        if summary:
            summary = f"<p{fallback_lang(mandate, 'summary')}>{_escape(summary)}</p>"
        items.append(
            '\n            <li class="mandate">'
            '\n              <p class="mandate__title"'
            f"{fallback_lang(mandate, 'title')}>{title}</p>"
            f"\n              {meta}"
            f"\n              {summary}"
            "\n            </li>\n          "
        )
    return mark_safe("".join(items))


@register.filter
def alternate_links(alternates):
    """<link rel="alternate"> of each (hreflang, url), each followed by the
    head's indentation: base.html's loop, without its nodes."""
    return mark_safe(
        "".join(
            f'<link rel="alternate" hreflang="{_escape(hreflang)}"'
            f' href="{_escape(url)}">\n  '
            for hreflang, url in alternates or ()
        )
    )


@register.filter
def og_locale_alternates(locales):
    """An og:locale:alternate of each locale (includes/open_graph.html)."""
    return mark_safe(
        "".join(
            f'<meta property="og:locale:alternate" content="{_escape(locale)}">\n  '
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

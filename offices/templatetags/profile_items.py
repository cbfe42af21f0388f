"""A profile's lists as markup ({% load profile_items %}): its field offices,
mandates and terms, each what a {% for %} over them wrote in
offices/office_detail.html, at a fraction of its template nodes (a cold
profile rendered some three hundred)."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_noop

from hrprofile.i18n import list_separator
from hrprofile.templatetags.hrprofile import display, escaped, long_date
from mandates.templatetags.content_language import fallback_lang

register = template.Library()


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
                f"{fallback_lang(term, 'description')}>{escaped(description)}</span>"
            )
        items.append(
            f'<li><a href="{escaped(term.get_absolute_url())}"'
            f"{fallback_lang(term, 'name')}>{escaped(term.name)}</a>{description}</li>"
        )
    return mark_safe("".join(items))


def _blocktranslate(message, **values):
    """What {% blocktranslate with name=value %}message{% endblocktranslate %}
    writes: the translation of message (its variables as %(name)s), each value
    escaped; the English if a translation does not fit its values."""
    data = {name: escaped(value) for name, value in values.items()}
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
            head = f' <span class="label">{escaped(label)}</span>'
        note = field_office.note
        if note:
            note = (
                f"{escaped(list_separator())}"
                f"<bdi{fallback_lang(field_office, 'note')}>{escaped(note)}</bdi>"
            )
        items.append(
            "\n                <li>"
            f"<span{fallback_lang(field_office, 'name')}>{escaped(field_office.name)}"
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
        title = escaped(mandate.title)
        if mandate.link:
            title = f'<a href="{escaped(mandate.link)}">{title}</a>'
        meta = ""
        if mandate.symbol or mandate.adopted_on or mandate.integrated_in:
            symbol = adopted = integrated = ""
            if mandate.symbol:
                label = gettext("Document symbol:")
                symbol = (
                    f"<li>{escaped(label)} <bdi>{escaped(mandate.symbol)}</bdi></li>"
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
            summary = f"<p{fallback_lang(mandate, 'summary')}>{escaped(summary)}</p>"
        items.append(
            '\n            <li class="mandate">'
            '\n              <p class="mandate__title"'
            f"{fallback_lang(mandate, 'title')}>{title}</p>"
            f"\n              {meta}"
            f"\n              {summary}"
            "\n            </li>\n          "
        )
    return mark_safe("".join(items))

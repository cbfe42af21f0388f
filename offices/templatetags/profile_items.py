"""A profile's lists as markup ({% load profile_items %}): its field offices,
mandates and terms, each what a {% for %} over them wrote in
offices/office_detail.html, at a fraction of its template nodes (a cold
profile rendered some three hundred), and its footer."""

from django import template
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_noop

from hrprofile.i18n import list_separator
from hrprofile.links import slug_url, slug_urls
from hrprofile.templatetags.hrprofile import display, escaped, long_date
from mandates.templatetags.content_language import fallback_marker

register = template.Library()


def _term_items(terms, with_descriptions, fallback):
    urls = {}
    items = []
    for term in terms:
        description = term.description if with_descriptions else ""
        if description:
            description = (
                f' <span class="terms__description"'
                f"{fallback(term, 'description')}>{escaped(description)}</span>"
            )
        # A list's terms are of one kind: their addresses of one pattern.
        url_name = term.url_name
        url = urls.get(url_name)
        if url is None:
            url = urls[url_name] = slug_urls(url_name)
        items.append(
            f'<li><a href="{escaped(url(term.slug))}"'
            f"{fallback(term, 'name')}>{escaped(term.name)}</a>{description}</li>"
        )
    return "".join(items)


@register.simple_tag
def term_items(terms, with_descriptions=False):
    """A profile's list of terms (pillars, shifts, populations): each a link
    to its page, marked English where it shows the English name, with its
    description if asked. What a {% for %} wrote, at a fraction of its cost."""
    return mark_safe(_term_items(terms, with_descriptions, fallback_marker()))


# The focus areas' lists: (id, heading, with the terms' descriptions).
_TERM_LISTS = (
    ("pillars", gettext_noop("Thematic pillars"), True),
    ("shifts", gettext_noop("Shifts"), False),
    ("populations", gettext_noop("Spotlight populations"), False),
)


@register.simple_tag
def term_lists(pillars, shifts, populations):
    """A profile's focus areas, each list of terms that is not empty under
    its heading (the pillars with their descriptions, the shifts and the
    spotlight populations inline): what the page's {% partialdef %} wrote
    three times, at a fraction of its nodes."""
    fallback = fallback_marker()
    lists = []
    for (list_id, heading, with_descriptions), terms in zip(
        _TERM_LISTS, (pillars, shifts, populations), strict=True
    ):
        # Each list's line, if only its indentation.
        lists.append("\n        ")
        if not terms:
            continue
        inline = "" if with_descriptions else " terms--inline"
        lists.append(
            f'\n          <div id="{list_id}">'
            f"\n            <h3>{escaped(gettext(heading))}</h3>"
            f'\n            <ul class="terms{inline}">'
            f"\n              {_term_items(terms, with_descriptions, fallback)}"
            "\n            </ul>\n          </div>\n        "
        )
    return mark_safe("".join(lists))


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
    fallback = fallback_marker()
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
                f"<bdi{fallback(field_office, 'note')}>{escaped(note)}</bdi>"
            )
        items.append(
            "\n                <li>"
            f"<span{fallback(field_office, 'name')}>{escaped(field_office.name)}"
            f"</span>{head}{note}</li>\n              "
        )
    return mark_safe("".join(items))


@register.simple_tag
def mandate_items(mandates):
    """A profile's mandates as list items (offices/office_detail.html's loop,
    at a fraction of its nodes): the title (a link if it has one), the
    document symbol, the adoption date or the year it was integrated, the
    summary."""
    fallback = fallback_marker()
    items = []
    for mandate in mandates:
        title = escaped(mandate.title)
        link = mandate.link
        if link:
            title = f'<a href="{escaped(link)}">{title}</a>'
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
            summary = f"<p{fallback(mandate, 'summary')}>{escaped(summary)}</p>"
        items.append(
            '\n            <li class="mandate">'
            '\n              <p class="mandate__title"'
            f"{fallback(mandate, 'title')}>{title}</p>"
            f"\n              {meta}"
            f"\n              {summary}"
            "\n            </li>\n          "
        )
    return mark_safe("".join(items))


@register.simple_tag
def profile_footer(office, tags):
    """A profile's footer (nothing if it has none of these): when it was last
    reviewed, the link to its change log (a published profile's: not a
    draft's, which has none yet), its tags, its link to more information.
    What the page's {% if %}s wrote, at a fraction of their nodes."""
    published = office.is_published and not office.draft_of_id
    more_info_link = office.more_info_link
    last_reviewed = office.last_reviewed
    if not (last_reviewed or tags or more_info_link or published):
        return ""
    fallback = fallback_marker()
    reviewed = changes = tag_list = more_info = ""
    # Each message outside the f-strings, where makemessages finds it.
    if last_reviewed:
        label = gettext("Last reviewed:")
        reviewed = (
            f'\n          <p id="last-reviewed">{escaped(label)}'
            f' <time datetime="{escaped(date_format(last_reviewed, "Y-m"))}">'
            f"{escaped(date_format(last_reviewed, 'YEAR_MONTH_FORMAT'))}</time></p>"
            "\n        "
        )
    if published:
        url = slug_url("offices:changes", office.slug)
        label = gettext("What changed in this profile")
        changes = (
            f'\n          <p id="changes-link"><a href="{escaped(url)}">'
            f"{escaped(label)}</a></p>\n        "
        )
    if tags:
        items = "".join(
            f"<li{fallback(tag, 'name')}>{escaped(tag.name)}</li>" for tag in tags
        )
        heading = gettext("Tags")
        tag_list = (
            '\n          <div id="tags">'
            f"\n            <h2>{escaped(heading)}</h2>"
            f'\n            <ul class="tags">{items}</ul>'
            "\n          </div>\n        "
        )
    if more_info_link:
        label = office.more_info_label
        if label:
            label = f"{fallback(office, 'more_info_label')}>{escaped(label)}"
        else:
            # Written as the template's _("More information") was: unescaped.
            label = ">" + gettext("More information")
        more_info = (
            f'\n          <p id="more-info"><a href="{escaped(more_info_link)}"'
            f"{label}</a></p>\n        "
        )
    return mark_safe(
        '\n      <div class="profile__footer">'
        f"\n        {reviewed}\n        {changes}\n        {tag_list}"
        f"\n        {more_info}\n      </div>\n    "
    )

"""{% office_items offices %}: the items of a list of offices (the index, a
term's page), each a link to its profile with its type, field offices and
state.

Written here rather than as an included template: an {% include %} per office
was a quarter of an index rendered from nothing (bench/profile_path.py), and
this writes the same markup for a tenth of that.
"""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from hrprofile.templatetags.hrprofile import display
from mandates.templatetags.content_language import fallback_lang

register = template.Library()


@register.simple_tag
def office_items(offices):
    return mark_safe("".join(office_item(office) for office in offices))


def office_item(office):
    """One office's <li>: its name linking its profile (marked English where
    the reader's language falls back to it), its type, its field offices,
    whether it is closing or closed, and a draft's label for staff."""
    count = office.field_office_count
    meta = [
        conditional_escape(display(office, "engagement_type")),
        # The number is the only value: nothing else to escape.
        ngettext("%(counter)s field office", "%(counter)s field offices", count)
        % {"counter": count},
    ]
    if office.is_closing:
        meta.append(conditional_escape(gettext("closing")))
    elif office.is_closed:
        meta.append(conditional_escape(gettext("closed")))
    draft = (
        ""
        if office.is_published
        else format_html('<span class="label label--draft">{}</span>', gettext("Draft"))
    )
    return format_html(
        '<li class="office">\n'
        '  <a class="office__name" href="{}"{}>{}</a>\n'
        '  <span class="office__meta">{}</span>\n'
        "  {}\n"
        "</li>\n",
        office.get_absolute_url(),
        fallback_lang(office, "name"),
        office.name,
        mark_safe(" · ".join(meta)),
        draft,
    )

"""{% office_items offices %}: the items of a list of offices (the index, a
term's page), each a link to its profile with its type, field offices and
state.

Written here rather than as an included template: an {% include %} per office
was a quarter of an index rendered from nothing (bench/profile_path.py), and
this writes the same markup for a tenth of that (as the profile's lists,
offices/templatetags/profile_items.py).
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from hrprofile.templatetags.hrprofile import display, escaped
from mandates.templatetags.content_language import fallback_marker

register = template.Library()


@register.simple_tag
def office_items(offices):
    fallback = fallback_marker()
    return mark_safe("".join(office_item(office, fallback) for office in offices))


def office_item(office, fallback):
    """One office's <li>: its name linking its profile (marked English where
    the reader's language falls back to it), its type, its field offices,
    whether it is closing or closed, and a draft's label for staff."""
    count = office.field_office_count
    meta = [
        escaped(display(office, "engagement_type")),
        # The number is the only value: nothing else to escape.
        ngettext("%(counter)s field office", "%(counter)s field offices", count)
        % {"counter": count},
    ]
    if office.is_closing:
        meta.append(escaped(gettext("closing")))
    elif office.is_closed:
        meta.append(escaped(gettext("closed")))
    draft = ""
    if not office.is_published:
        label = escaped(gettext("Draft"))  # not in the f-string: makemessages
        draft = f'<span class="label label--draft">{label}</span>'
    return (
        '<li class="office">\n'
        f'  <a class="office__name" href="{escaped(office.get_absolute_url())}"'
        f"{fallback(office, 'name')}>{escaped(office.name)}</a>\n"
        f'  <span class="office__meta">{" · ".join(meta)}</span>\n'
        f"  {draft}\n"
        "</li>\n"
    )

"""{% world_map offices filtered as map %}: the index map's data for the
offices a page lists (offices/map/render.py), read from the rows already
loaded; for a search or a filter (filtered), every office the map can show,
the ones listed highlighted.

{% map_countries map %}, {% map_others map %} and {% map_offices map %}: its
highlighted countries, its dimmed markers and its office links, written here
rather than by {% for %} loops (as the office list's items, office_list.py):
a loop's nodes per office were most of what the map cost an index rendered
from nothing.
"""

from django import template
from django.utils.safestring import mark_safe

from hrprofile.templatetags.hrprofile import escaped
from mandates.templatetags.content_language import fallback_marker
from offices.map.render import world_map as build_map

register = template.Library()


@register.simple_tag
def world_map(offices, filtered=False):
    return build_map(offices, filtered)


@register.simple_tag
def map_countries(map):
    """The countries with an office: a country's one listed office also
    links from its shape (out of the tab order: its marker is the stop)."""
    items = []
    for place in map["places"]:
        if not place.shape:
            continue
        shape = escaped(place.shape)
        if place.single:
            url = escaped(place.single.office.get_absolute_url())
            items.append(
                f'<a href="{url}" tabindex="-1">'
                f'<path class="worldmap__country" d="{shape}"/></a>\n        '
            )
        else:
            other = "" if place.selected else " worldmap__country--other"
            items.append(
                f'<path class="worldmap__country{other}" d="{shape}"/>\n        '
            )
    return mark_safe("".join(items))


@register.simple_tag
def map_others(map):
    """The offices a search or filter left out: dimmed markers, no links."""
    return mark_safe(
        "".join(
            f'<circle class="worldmap__marker worldmap__marker--other"'
            f' cx="{marker.x}" cy="{marker.y}" r="4"/>'
            for place in map["places"]
            for marker in place.markers
            if not marker.selected
        )
    )


@register.simple_tag
def map_offices(map):
    """Each listed office: a link on its marker named by the office's name
    in the reader's language, with its label at the marker (wide screens)
    and along the bottom (phones)."""
    fallback = fallback_marker()
    items = []
    for place in map["places"]:
        for marker in place.markers:
            if not marker.selected:
                continue
            office = marker.office
            name = escaped(office.name)
            items.append(
                f'\n        <a class="worldmap__office"'
                f' href="{escaped(office.get_absolute_url())}"'
                f"{fallback(office, 'name')}>\n"
                f"          <title>{name}</title>\n"
                f'          <circle class="worldmap__marker" cx="{marker.x}"'
                f' cy="{marker.y}" r="4"/>\n'
                f'          <text class="worldmap__label" x="{marker.label_x}"'
                f' y="{marker.y}" text-anchor="{marker.anchor}"'
                f' aria-hidden="true">{name}</text>\n'
                f'          <text class="worldmap__label worldmap__label--band"'
                f' x="{map["band_x"]}" y="{map["band_y"]}" text-anchor="middle"'
                f' aria-hidden="true">{name}</text>\n'
                "        </a>\n      "
            )
    return mark_safe("".join(items))

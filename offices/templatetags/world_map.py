"""{% world_map offices as map %}: the index map's data for the offices a
page lists (offices/map/render.py), read from the rows already loaded."""

from django import template

from offices.map.render import world_map as build_map

register = template.Library()


@register.simple_tag
def world_map(offices):
    return build_map(offices)

"""{% world_map offices filtered as map %}: the index map's data for the
offices a page lists (offices/map/render.py), read from the rows already
loaded; for a search or a filter (filtered), every office the map can show,
the ones listed highlighted."""

from django import template

from offices.map.render import world_map as build_map

register = template.Library()


@register.simple_tag
def world_map(offices, filtered=False):
    return build_map(offices, filtered)

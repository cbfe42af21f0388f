"""The index map at run time: the committed world.json, read once per
process, its countries drawn once as one decorative path, and the offices
a page lists placed on their countries."""

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

WORLD_FILE = Path(__file__).with_name("world.json")

# Grid units between the markers of one country's offices.
MARKER_SPACING = 22
# A label left of this share of the width reads rightwards from its marker,
# else leftwards, so no label runs off the map.
LABEL_FLIP = 0.6


@cache
def world():
    return json.loads(WORLD_FILE.read_text(encoding="utf-8"))


# Every country in one path, in a static file of its own (LAND_FILE): the
# same on every index page, so a browser or a CDN fetches it once, and the
# index stays as light as before the map (bench/pages.py). The map draws it
# with <use>; written by build_world_map from world.json.
LAND_FILE = (
    Path(__file__).resolve().parent.parent.parent
    / "static"
    / "offices"
    / "map"
    / "world.svg"
)


def land_svg(data):
    """The land layer's SVG document for world data: one path, id "land".

    Its stroke keeps its width at any scale (vector-effect, which <use> does
    not pass down); its colours come from the <use> in the page, which the
    stylesheet styles (the shadow tree inherits them)."""
    d = "".join([*data["shapes"].values(), *data["land"]])
    return (
        '<svg xmlns="http://www.w3.org/2000/svg"'
        f' viewBox="0 0 {data["width"]} {data["height"]}">'
        f'<path id="land" vector-effect="non-scaling-stroke" d="{d}"/></svg>\n'
    )


@cache
def view_box():
    return f"0 0 {world()['width']} {world()['height']}"


@dataclass
class Marker:
    office: object
    x: str
    y: str
    anchor: str
    label_x: str
    # Among the offices the page lists (else shown dimmed, not a link).
    selected: bool = True


@dataclass
class Place:
    """A country on the map with the offices placed on it."""

    code: str
    shape: str
    x: float
    y: float
    markers: list = field(default_factory=list)

    @property
    def single(self):
        """The country's one listed office, whose shape links it too."""
        selected = [marker for marker in self.markers if marker.selected]
        return selected[0] if len(self.markers) == 1 and selected else None

    @property
    def selected(self):
        return any(marker.selected for marker in self.markers)


def is_mapped(office):
    """An open, published office with a country the map knows."""
    return (
        office.is_published
        and not office.is_closed
        and office.country_code in world()["points"]
    )


def places(offices, selected=None):
    """The countries of the mapped offices among offices, in their order,
    each with a marker per office (side by side when there are several).

    selected: the keys of the offices the page lists, if not all of them
    (a search or a filter): the others are drawn dimmed.
    """
    data = world()
    by_code = {}
    for office in offices:
        if not is_mapped(office):
            continue
        code = office.country_code
        if code not in by_code:
            x, y = data["points"][code]
            by_code[code] = Place(code, data["shapes"].get(code, ""), x, y)
        by_code[code].markers.append(office)
    for place in by_code.values():
        count = len(place.markers)
        place.markers = [
            _marker(
                office,
                place.x + (i - (count - 1) / 2) * MARKER_SPACING,
                place.y,
                selected is None or office.pk in selected,
            )
            for i, office in enumerate(place.markers)
        ]
    return list(by_code.values())


def number(value):
    """A coordinate as SVG reads it, never localized: an Arabic page would
    write an Arabic decimal separator, which SVG ignores (every marker at 0)."""
    return f"{value:.1f}".removesuffix(".0")


def _marker(office, x, y, selected):
    leftwards = x > world()["width"] * LABEL_FLIP
    return Marker(
        office,
        number(x),
        number(y),
        "end" if leftwards else "start",
        number(x - 9 if leftwards else x + 9),
        selected,
    )


def mapped_offices():
    """Every office the map can show (is_mapped), by name, with only the
    columns the map reads: for a search or a filter, whose results are some
    of them. One query, compiled once per language (offices.compiled)."""
    from offices.compiled import MAPPED_OFFICES
    from offices.models import OfficeStatus

    return MAPPED_OFFICES.rows(OfficeStatus.PUBLISHED.value)


def world_map(offices, filtered=False):
    """The template's map: the base layer, the view box and the places.

    offices: the offices the page lists. filtered: whether they are a
    search's or a filter's selection; the map then shows every office it can,
    those highlighted, the others dimmed (one query more).
    """
    if filtered:
        # Nothing selected on the map: no map, and no query.
        selected = {office.pk for office in offices if is_mapped(office)}
        shown = places(mapped_offices(), selected) if selected else []
    else:
        shown = places(offices)
    return {
        "view_box": view_box(),
        "places": shown,
        # A phone's labels: centred in the southern ocean.
        "band_x": number(world()["width"] / 2),
        "band_y": number(world()["height"] - 24),
    }

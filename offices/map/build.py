"""From a TopoJSON of Natural Earth's countries to the index map's data:
each country's SVG path on a coarse integer grid and a point to mark it.

Run by build_world_map; the result (world.json) is committed and read by
offices/map/render.py. Nothing here runs per request.
"""

import math

from offices.map.countries import NUMERIC_TO_ALPHA2
from offices.map.geometry import (
    area,
    crosses_antimeridian,
    decode_arcs,
    equal_earth,
    label_point,
    path_data,
    polygons,
    ring,
    simplify,
    split_at_antimeridian,
)

DROPPED = {"AQ"}  # Antarctica: a fifth of the map, no office.

# Shapes world-atlas gives no ISO code. Merged into the country the UN
# recognises; Kosovo keeps XK (a user-assigned code, not ISO 3166-1), the
# code an office there would carry; the rest stay land of no country.
UNCODED_SHAPES = {
    "Somaliland": "SO",
    "N. Cyprus": "CY",
    "Kosovo": "XK",
    "Siachen Glacier": None,
    "Indian Ocean Ter.": None,
}

# Countries that world-atlas's 1:50m file has no shape for: (longitude,
# latitude) of their capital or main island, for a marker.
MISSING_POINTS = {
    "BQ": (-68.27, 12.15),  # Bonaire, Sint Eustatius and Saba
    "BV": (3.4, -54.42),  # Bouvet Island
    "CC": (96.87, -12.17),  # Cocos (Keeling) Islands
    "CX": (105.69, -10.45),  # Christmas Island
    "GF": (-52.33, 4.94),  # French Guiana
    "GI": (-5.35, 36.14),  # Gibraltar
    "GP": (-61.55, 16.25),  # Guadeloupe
    "MQ": (-61.02, 14.64),  # Martinique
    "RE": (55.45, -20.88),  # Réunion
    "SJ": (15.63, 78.22),  # Svalbard and Jan Mayen
    "TK": (-171.85, -9.2),  # Tokelau
    "TV": (179.2, -8.52),  # Tuvalu
    "UM": (166.65, 19.28),  # United States Minor Outlying Islands (Wake)
    "YT": (45.17, -12.83),  # Mayotte
}


def country_code(geometry):
    """The alpha-2 code of a geometry (None: land of no country)."""
    if "id" in geometry:
        return NUMERIC_TO_ALPHA2[geometry["id"]]
    return UNCODED_SHAPES[geometry["properties"]["name"]]


def build(topology, *, width=1000, tolerance=0.5, min_area=1.5):
    """The map's data: {"width", "height", "shapes": {code: path data},
    "land": [path data of no country], "points": {code: [x, y]}}.

    Each arc is projected, scaled to width units across and simplified once
    (Douglas-Peucker, tolerance in units), so neighbours keep one shared
    border. Rings smaller than min_area square units are dropped; a country
    left with none, or with no shape at all, gets only its point.
    """
    geometries = [
        g
        for g in topology["objects"]["countries"]["geometries"]
        if country_code(g) not in DROPPED
    ]
    geographic_arcs = decode_arcs(topology)
    arcs = [[equal_earth(lon, lat) for lon, lat in arc] for arc in geographic_arcs]
    used = {
        index if index >= 0 else ~index
        for g in geometries
        for polygon in polygons(g)
        for rng in polygon
        for index in rng
    }
    xs = [x for i in used for x, _ in arcs[i]]
    ys = [y for i in used for _, y in arcs[i]]
    left, top = min(xs), max(ys)
    scale = width / (max(xs) - left)
    height = math.ceil((top - min(ys)) * scale)

    def to_grid(x, y):
        return (x - left) * scale, (top - y) * scale

    grid_arcs = [[to_grid(x, y) for x, y in arc] for arc in arcs]
    simple_arcs = [
        [(round(x), round(y)) for x, y in simplify(arc, tolerance)] if i in used else []
        for i, arc in enumerate(grid_arcs)
    ]

    def drawn(rng):
        """(fine, coarse) versions of each piece of a ring on the grid."""
        geographic = ring(rng, geographic_arcs)
        if not crosses_antimeridian(geographic):
            return [(ring(rng, grid_arcs), ring(rng, simple_arcs))]
        # Simplified whole: such a ring's border with a neighbour may differ
        # from the neighbour's by a fraction of a unit.
        pieces = []
        for piece in split_at_antimeridian(geographic):
            fine = [to_grid(*equal_earth(lon, lat)) for lon, lat in piece]
            coarse = [(round(x), round(y)) for x, y in simplify(fine, tolerance)]
            pieces.append((fine, coarse))
        return pieces

    rings_by_code, largest = {}, {}
    for g in geometries:
        code = country_code(g)
        for polygon in polygons(g):
            for rng in polygon:
                for fine, coarse in drawn(rng):
                    if code and abs(area(fine)) > largest.get(code, (0, None))[0]:
                        largest[code] = (abs(area(fine)), fine)
                    if abs(area(coarse)) >= min_area:
                        rings_by_code.setdefault(code, []).append(coarse)

    shapes = {code: path_data(rings) for code, rings in rings_by_code.items() if code}
    points = {
        code: [round(v, 1) for v in label_point(fine)]
        for code, (_, fine) in largest.items()
    }
    for code, (lon, lat) in MISSING_POINTS.items():
        points[code] = [round(v, 1) for v in to_grid(*equal_earth(lon, lat))]
    return {
        "width": width,
        "height": height,
        "shapes": dict(sorted(shapes.items())),
        "land": [path_data(rings_by_code[None])] if None in rings_by_code else [],
        "points": dict(sorted(points.items())),
    }


def missing_countries(world):
    """ISO countries with no point on the map (build() should leave none)."""
    return sorted(set(NUMERIC_TO_ALPHA2.values()) - DROPPED - set(world["points"]))

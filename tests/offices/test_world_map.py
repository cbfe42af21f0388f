"""The world map's build: TopoJSON decoding, the projection, simplification,
the ISO code table, and build_world_map on a tiny hand-made topology."""

import json
import math
import re

import pytest
from django.core.management import CommandError, call_command

from offices.map import geometry
from offices.map.build import DROPPED, MISSING_POINTS, build, country_code
from offices.map.countries import NUMERIC_TO_ALPHA2
from offices.map.render import LAND_FILE, WORLD_FILE, land_svg, number, world

# Two unit squares side by side sharing arc 1 (their border), a one-point
# "island" that is too small to draw, and Antarctica.
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [1, 1], "translate": [0, 0]},
    "arcs": [
        [[10, 10], [-10, 0], [0, -10], [10, 0]],  # A's west side: (10,10)…(10,0)
        [[10, 0], [0, 10]],  # the border, (10,0) -> (10,10)
        [[10, 10], [10, 0], [0, -10], [-10, 0]],  # B's east side: (10,10)…(10,0)
        [[40, 40], [0, 0], [0, 0]],  # a speck
        [[-170, -80], [340, 0], [0, -5], [-340, 0], [0, 5]],  # Antarctica
    ],
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "id": "368"},
                {"type": "MultiPolygon", "arcs": [[[2, ~1]], [[3]]], "id": "760"},
                {"type": "Polygon", "arcs": [[4]], "id": "010"},
                {"type": "Polygon", "arcs": [[0, 1]], "properties": {"name": "Kosovo"}},
            ],
        }
    },
}


def test_arcs_are_delta_decoded_and_transformed():
    topology = {
        "transform": {"scale": [0.5, 2], "translate": [-180, -90]},
        "arcs": [[[4, 1], [2, 3], [-1, 0]]],
    }

    assert geometry.decode_arcs(topology) == [[(-178, -88), (-177, -82), (-177.5, -82)]]


def test_arcs_without_a_transform_are_absolute():
    assert geometry.decode_arcs({"arcs": [[[1, 2], [3, 4]]]}) == [[(1, 2), (3, 4)]]


def test_a_ring_joins_its_arcs_and_reverses_a_negative_index():
    arcs = [[(0, 0), (1, 0), (1, 1)], [(0, 0), (0, 1), (1, 1)]]

    assert geometry.ring([0, ~1], arcs) == [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]


def test_equal_earth_keeps_the_origin_and_the_known_extremes():
    assert geometry.equal_earth(0, 0) == (0, 0)
    x, _ = geometry.equal_earth(180, 0)
    _, y = geometry.equal_earth(0, 90)
    # π / (M·A1) and the projection's published half-height.
    assert x == pytest.approx(math.pi / (geometry.M * geometry.A1))
    assert y == pytest.approx(1.3173, abs=1e-4)


def test_equal_earth_is_symmetric_and_north_is_up():
    x1, y1 = geometry.equal_earth(30, 40)
    x2, y2 = geometry.equal_earth(-30, -40)

    assert (x1, y1) == pytest.approx((-x2, -y2))
    assert y1 > 0 and x1 > 0


def test_simplify_drops_points_within_tolerance_and_keeps_the_ends():
    line = [(0, 0), (1, 0.1), (2, -0.1), (3, 5), (4, 0)]

    assert geometry.simplify(line, 0.5) == [(0, 0), (2, -0.1), (3, 5), (4, 0)]
    assert geometry.simplify(line, 10) == [(0, 0), (4, 0)]


def test_path_data_is_relative_and_drops_repeated_and_collinear_points():
    square = [(0, 0), (5, 0), (10, 0), (10, 0), (10, 10), (0, 10), (0, 0)]

    assert geometry.path_data([square]) == "M0 0l10 0 0 10-10 0z"
    assert geometry.path_data([square, [(20, 20), (21, 20), (20, 21)]]) == (
        "M0 0l10 0 0 10-10 0zm20 20l1 0-1 1z"
    )


def test_a_label_point_lies_inside_a_crescent():
    # A "C": its centroid falls in the opening.
    c_shape = [(0, 0), (10, 0), (10, 2), (2, 2), (2, 8), (10, 8), (10, 10), (0, 10)]

    assert not geometry.inside(geometry.centroid(c_shape), c_shape)
    assert geometry.inside(geometry.label_point(c_shape), c_shape)


def test_the_code_table_has_every_iso_country_once():
    assert len(NUMERIC_TO_ALPHA2) == 249
    assert len(set(NUMERIC_TO_ALPHA2.values())) == 249
    assert all(re.fullmatch(r"\d{3}", n) for n in NUMERIC_TO_ALPHA2)
    assert all(re.fullmatch(r"[A-Z]{2}", a) for a in NUMERIC_TO_ALPHA2.values())
    assert NUMERIC_TO_ALPHA2["368"] == "IQ"
    assert NUMERIC_TO_ALPHA2["275"] == "PS"
    assert NUMERIC_TO_ALPHA2["048"] == "BH"


def test_a_shape_without_an_id_is_named():
    assert country_code({"properties": {"name": "N. Cyprus"}}) == "CY"
    assert country_code({"properties": {"name": "Siachen Glacier"}}) is None


def test_build_keys_shapes_by_alpha2_and_drops_antarctica():
    result = build(TOPOLOGY, width=100, tolerance=0.5, min_area=1)

    assert set(result["shapes"]) == {"IQ", "SY", "XK"}
    assert "AQ" not in result["points"]
    assert result["width"] == 100
    # Scaled as the width is: the land spans 0° to 40° both ways.
    x, y = geometry.equal_earth(40, 40)
    assert result["height"] == math.ceil(y * 100 / x)
    # The speck is too small to draw; Syria keeps its square.
    assert result["shapes"]["SY"].count("z") == 1


def test_neighbours_share_their_border_points():
    result = build(TOPOLOGY, width=100, tolerance=0.5, min_area=1)

    def absolute_points(d):
        x = y = 0
        points = set()
        for command, numbers in re.findall(r"([MmLlz])([^MmLlz]*)", d):
            values = [int(v) for v in re.findall(r"-?\d+", numbers)]
            pairs = list(zip(values[::2], values[1::2], strict=True))
            for i, (dx, dy) in enumerate(pairs):
                x, y = (dx, dy) if command == "M" and i == 0 else (x + dx, y + dy)
                points.add((x, y))
        return points

    shared = absolute_points(result["shapes"]["IQ"]) & absolute_points(
        result["shapes"]["SY"]
    )
    assert len(shared) == 2


def test_every_country_has_a_point_even_without_a_shape():
    result = build(TOPOLOGY, width=100)

    assert set(MISSING_POINTS) <= set(result["points"])
    x, y = result["points"]["IQ"]
    assert 0 <= x <= 100 and 0 <= y <= result["height"]


def test_the_command_writes_the_map_with_its_source(tmp_path):
    source = tmp_path / "tiny.json"
    source.write_text(json.dumps(TOPOLOGY))
    output = tmp_path / "world.json"

    call_command(
        "build_world_map",
        source,
        output=output,
        land=tmp_path / "world.svg",
        width=100,
        verbosity=0,
    )

    written = json.loads(output.read_text())
    assert written["source"]["file"] == "tiny.json"
    assert re.fullmatch(r"[0-9a-f]{64}", written["source"]["sha256"])
    assert set(written["shapes"]) == {"IQ", "SY", "XK"}
    # The land layer beside it, every shape in its one path.
    land = (tmp_path / "world.svg").read_text()
    assert land == land_svg(written)
    assert all(d in land for d in written["shapes"].values())


def test_the_committed_land_layer_is_the_committed_maps():
    """static/offices/map/world.svg, which the index draws with <use>, is
    what world.json gives: build_world_map writes both."""
    assert LAND_FILE.read_text(encoding="utf-8") == land_svg(world())


def test_the_command_refuses_a_file_that_is_not_a_topology(tmp_path):
    source = tmp_path / "nothing.json"
    source.write_text("{}")

    with pytest.raises(CommandError, match="not a TopoJSON"):
        call_command("build_world_map", source, output=tmp_path / "out.json")


def test_the_committed_map_is_small_and_complete():
    data = world()

    assert WORLD_FILE.stat().st_size < 60_000
    assert sum(len(d) for d in data["shapes"].values()) < 60_000
    expected = set(NUMERIC_TO_ALPHA2.values()) - DROPPED
    assert expected <= set(data["points"])
    assert data["source"]["file"] == "countries-50m.json"


def test_coordinates_are_never_localized(settings):
    settings.USE_THOUSAND_SEPARATOR = True

    assert number(1234.56) == "1234.6"
    assert number(12.0) == "12"


def test_a_ring_across_the_antimeridian_is_cut_at_the_edge():
    # An island from 170°E to 170°W.
    island = [(170, 0), (-170, 0), (-170, 10), (170, 10), (170, 0)]

    pieces = geometry.split_at_antimeridian(island)

    assert len(pieces) == 2
    for piece in pieces:
        longitudes = {lon for lon, _ in piece}
        assert longitudes in ({170, 180}, {-180, -170})
        assert geometry.area(piece)


def test_the_part_of_a_ring_beyond_the_edge_leaves_only_the_crossing():
    # A long coast beyond 180° folds onto the edge; only where it crosses stays.
    ring = [(170, 60), (-170, 60), (-160, 50), (-170, 40), (170, 40), (170, 60)]

    west, east = sorted(geometry.split_at_antimeridian(ring))

    # The edge follows the meridian, a degree at a time.
    edge = [(180, lat) for lat in range(60, 39, -1)]
    assert east == [(170, 60), *edge, (170, 40), (170, 60)]
    # Restarted off the edge, so the edge is one run, not two that wrap.
    assert west[:4] == [(-170, 60), (-160, 50), (-170, 40), (-180, 40)]
    assert west[4:] == [*((-180, lat) for lat in range(41, 61)), (-170, 60)]


def test_a_ring_that_does_not_cross_the_antimeridian_is_kept():
    square = [(0, 0), (10, 0), (10, 10), (0, 0)]

    assert geometry.split_at_antimeridian(square) == [square]


def test_no_edge_of_the_committed_map_crosses_the_world():
    """A ring across ±180° drawn flat would be a line across the map."""
    for d in world()["shapes"].values():
        for steps in re.findall(r"l([^mMz]*)", d):
            values = [int(v) for v in re.findall(r"-?\d+", steps)]
            assert all(abs(dx) < 200 for dx in values[::2]), d[:40]

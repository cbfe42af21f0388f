"""TopoJSON decoding, the Equal Earth projection and line simplification,
by hand: what build_world_map needs to turn Natural Earth's shapes into SVG
paths. Pure functions on lists of points; nothing here runs per request."""

import math
from itertools import pairwise

# Equal Earth (Šavrič, Patterson and Jenny, 2018): equal-area, so no country
# looks bigger than it is, and a pleasant outline for a world map.
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(longitude, latitude):
    """(x, y) of a point given in degrees, y growing northwards; the world
    spans about ±2.7 by ±1.3."""
    lam, phi = math.radians(longitude), math.radians(latitude)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def decode_arcs(topology):
    """The topology's arcs as lists of (longitude, latitude).

    A quantized topology stores each arc's first position and then deltas,
    as integers; its transform scales and translates them back.
    """
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [tuple(p[:2]) for p in arc]
        arcs.append(points)
    return arcs


def ring(arc_indexes, arcs):
    """One closed ring from arc indexes; ~i is arc i reversed. Consecutive
    arcs share their joining point, which is kept once."""
    points = []
    for index in arc_indexes:
        arc = arcs[~index][::-1] if index < 0 else arcs[index]
        points.extend(arc[1:] if points else arc)
    return points


def polygons(geometry):
    """A Polygon's or MultiPolygon's arc indexes as a list of polygons, each
    a list of rings (the first the outer ring); other types have none."""
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["arcs"]
    return []


def simplify(points, tolerance):
    """Douglas-Peucker: the points that keep the line within tolerance of
    the original. The first and last are always kept."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        farthest, distance = None, tolerance
        for i in range(first + 1, last):
            px, py = points[i]
            if length:
                d = abs(dy * (px - x1) - dx * (py - y1)) / length
            else:
                d = math.hypot(px - x1, py - y1)
            if d > distance:
                farthest, distance = i, d
        if farthest is not None:
            keep[farthest] = True
            stack.extend(((first, farthest), (farthest, last)))
    return [p for p, k in zip(points, keep, strict=True) if k]


def area(points):
    """The signed area of a closed ring (shoelace formula)."""
    return (
        sum(
            x1 * y2 - x2 * y1
            for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
        )
        / 2
    )


def centroid(points):
    """The centroid of a closed ring's surface (its vertices' mean if flat)."""
    a = area(points)
    if not a:
        n = len(points)
        return sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return cx / (6 * a), cy / (6 * a)


def crossings(points, y):
    """The x of every edge of a closed ring that the horizontal line at y crosses."""
    xs = []
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        if (y1 <= y < y2) or (y2 <= y < y1):
            xs.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
    return sorted(xs)


def inside(point, points):
    """Whether point lies inside a closed ring (even-odd rule)."""
    x, y = point
    return sum(1 for cx in crossings(points, y) if cx > x) % 2 == 1


def label_point(points):
    """A point inside the ring to mark it: its centroid if that is inside,
    else the middle of the widest stretch of the horizontal line through it
    (a crescent's or a long coast's centroid can fall in the sea)."""
    c = centroid(points)
    if inside(c, points):
        return c
    xs = crossings(points, c[1])
    spans = list(zip(xs[::2], xs[1::2], strict=True))
    if not spans:
        return c
    left, right = max(spans, key=lambda span: span[1] - span[0])
    return (left + right) / 2, c[1]


def path_data(rings):
    """SVG path data for rings of integer points: relative moves, implicit
    lineto, each ring closed; repeated and collinear points dropped."""
    parts = []
    cursor = (0, 0)
    for points in rings:
        points = drop_redundant(points)
        if len(points) < 3:
            continue
        x0, y0 = points[0]
        move = f"m{x0 - cursor[0]} {y0 - cursor[1]}" if parts else f"M{x0} {y0}"
        steps = [f"{xb - xa} {yb - ya}" for (xa, ya), (xb, yb) in pairwise(points)]
        parts.append(move + "l" + " ".join(steps).replace(" -", "-") + "z")
        # After z the current point is the ring's first point.
        cursor = (x0, y0)
    return "".join(parts).replace(" -", "-")


def drop_redundant(points):
    """points without repeats, without middle points of straight runs and
    without the closing point that repeats the first."""
    kept = []
    for p in points:
        if kept and p == kept[-1]:
            continue
        if len(kept) >= 2:
            (x1, y1), (x2, y2) = kept[-2], kept[-1]
            if (x2 - x1) * (p[1] - y1) == (y2 - y1) * (p[0] - x1):
                kept[-1] = p
                continue
        kept.append(p)
    if len(kept) > 1 and kept[0] == kept[-1]:
        kept.pop()
    return kept


def crosses_antimeridian(points):
    """Whether a ring of (longitude, latitude) jumps across ±180°."""
    return any(abs(b[0] - a[0]) > 180 for a, b in pairwise(points))


def split_at_antimeridian(points):
    """A ring that crosses ±180° as the pieces on either side, each clamped
    to the map's edge; any other ring as it is.

    TopoJSON keeps such a ring (Russia's Chukotka, Fiji) whole on the
    sphere; drawn flat, its edge from 179° to -179° would cross the map.
    The ring is made continuous (longitudes beyond 180°), then drawn once
    as it is and once shifted by 360°, each clamped to [-180°, 180°]: the
    part beyond the edge folds onto it as a line of no area.
    """
    if not crosses_antimeridian(points):
        return [points]
    unwrapped, shift = [points[0]], 0
    for (lon0, _), (lon1, lat1) in pairwise(points):
        if lon1 - lon0 > 180:
            shift -= 360
        elif lon0 - lon1 > 180:
            shift += 360
        unwrapped.append((lon1 + shift, lat1))
    pieces = []
    for offset in (-360, 0, 360):
        shifted = [(lon + offset, lat) for lon, lat in unwrapped]
        if any(-180 < lon < 180 for lon, _ in shifted):
            clamped = [(min(max(lon, -180), 180), lat) for lon, lat in shifted]
            pieces.append(_without_folds(clamped))
    return pieces


def _without_folds(points):
    """points with each run along the edge (±180°) cut to its two ends, and
    the edge between them drawn along the (curved) meridian: the rest of the
    ring folded onto the edge would draw a line along it."""
    # Start the ring off the edge, so that no run wraps around its start.
    if points[0] == points[-1]:
        start = next((i for i, p in enumerate(points) if abs(p[0]) != 180), 0)
        points = points[start:-1] + points[:start] + [points[start]]
    kept = []
    run = []
    for point in [*points, None]:
        if point is not None and abs(point[0]) == 180:
            run.append(point)
            continue
        if run:
            (lon, first), (_, last) = run[0], run[-1]
            low, high = sorted((first, last))
            lats = range(math.floor(low) + 1, math.ceil(high))
            middle = [(lon, lat) for lat in (lats if first < last else reversed(lats))]
            kept.extend([run[0], *middle, run[-1]] if len(run) > 1 else run)
            run = []
        if point is not None:
            kept.append(point)
    return kept

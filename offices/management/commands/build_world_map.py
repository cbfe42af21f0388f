"""Write offices/map/world.json, the index map's shapes, from world-atlas's
TopoJSON of Natural Earth's countries (see offices/map/README.md).

Run by hand when the source changes; its output is committed, so nothing is
fetched or built when the site runs.
"""

import hashlib
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from offices.map.build import build, missing_countries
from offices.map.render import LAND_FILE, WORLD_FILE, land_svg


class Command(BaseCommand):
    help = (
        "Build offices/map/world.json from world-atlas's countries-50m.json "
        "(TopoJSON): projected, simplified, keyed by ISO 3166-1 alpha-2."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="countries-50m.json")
        parser.add_argument(
            "--output",
            type=Path,
            default=WORLD_FILE,
            help="Write here (default: offices/map/world.json).",
        )
        parser.add_argument(
            "--land",
            type=Path,
            default=LAND_FILE,
            help="Write the land layer here (default: static/offices/map/world.svg).",
        )
        parser.add_argument(
            "--width",
            type=int,
            default=1000,
            help="Map width in grid units (default: 1000).",
        )
        parser.add_argument(
            "--tolerance",
            type=float,
            default=0.5,
            help="Simplification tolerance in grid units (default: 0.5).",
        )

    def handle(self, *, source, output, width, tolerance, verbosity, **options):
        try:
            raw = source.read_bytes()
            topology = json.loads(raw)
            countries = topology["objects"]["countries"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CommandError(
                f"{source} is not a TopoJSON with a countries object: {error}"
            ) from error
        try:
            world = build(topology, width=width, tolerance=tolerance)
        except KeyError as error:
            raise CommandError(f"A shape has an unknown code: {error}") from error
        world = {
            "source": {
                "file": source.name,
                "sha256": hashlib.sha256(raw).hexdigest(),
                "shapes": len(countries["geometries"]),
            },
            **world,
        }
        text = json.dumps(world, separators=(",", ":"), ensure_ascii=False)
        output.write_text(text + "\n", encoding="utf-8")
        land = options["land"]
        land.parent.mkdir(parents=True, exist_ok=True)
        land.write_text(land_svg(world), encoding="utf-8")
        if missing := missing_countries(world):
            self.stderr.write(f"No point for: {', '.join(missing)}")
        if verbosity:
            paths = sum(len(d) for d in world["shapes"].values())
            self.stdout.write(
                f"Wrote {output} and {land}: {len(world['shapes'])} shapes, "
                f"{len(world['points'])} points, {paths:,} characters of path data."
            )

"""Time Office search on many offices, stored vectors against per-row ones.

    DATABASE_URL=postgres://... .venv/bin/python bench/search.py \
        [--offices 1000 5000] [--repeat 5]

Creates the database bench_<name> next to DATABASE_URL's, loads the demo
offices and fills it with generated ones up to each size (four field offices,
two mandates and a profile of about 1,200 characters each), then prints the
milliseconds per search, fetching every result: "stored" is
Office.objects.published().search(q) as it is, "per row" the vector it
computed for every office on every request before (kept here to compare).
Drops the database at the end.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrprofile.settings")

import django

django.setup()

from django.contrib.postgres.search import (  # noqa: E402
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection  # noqa: E402
from django.db.models import Exists, OuterRef, Q, StringAgg, Subquery, Value  # noqa: E402

from mandates.models import Mandate  # noqa: E402
from offices.demo import load_demo  # noqa: E402
from offices.models import SEARCH_CONFIG, FieldOffice, Office  # noqa: E402

# Words of a few demo offices (a city, a partial one, a region, a mandate
# phrase), and last a word of every profile.
QUERIES = ["Erbil", "Erb", "Kurdistan", "Security Council", "rights"]


def _aggregated_names(model, field):
    return Subquery(
        model.objects.filter(office=OuterRef("pk"))
        .order_by()
        .values("office")
        .annotate(names=StringAgg(field, delimiter=Value(" ")))
        .values("names")
    )


def search_per_row(offices, text):
    """OfficeQuerySet.search() before the vectors were stored."""
    vector = (
        SearchVector("name", "country", weight="A", config=SEARCH_CONFIG)
        + SearchVector(
            _aggregated_names(FieldOffice, "name"),
            _aggregated_names(Mandate, "title"),
            weight="B",
            config=SEARCH_CONFIG,
        )
        + SearchVector("profile", weight="C", config=SEARCH_CONFIG)
    )
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    substring = (
        Q(name__icontains=text)
        | Q(country__icontains=text)
        | Exists(
            FieldOffice.objects.filter(office=OuterRef("pk"), name__icontains=text)
        )
    )
    return (
        offices.alias(document=vector)
        .annotate(rank=SearchRank(vector, query))
        .filter(Q(document=query) | substring)
        .order_by("-rank", "name")
    )


def fill(start, stop, words):
    """Generated offices number start to stop-1, with their rows."""
    rng = random.Random(start)
    offices = Office.objects.bulk_create(
        Office(
            name=f"UN Human Rights Office {n}",
            slug=f"bench-{n}",
            country=f"Country {n}",
            region=Office.Region.AFRICA,
            engagement_type=Office.EngagementType.COUNTRY_OFFICE,
            year_established=2005,
            profile=" ".join(rng.choices(words, k=180)),
            status=Office.Status.PUBLISHED,
        )
        for n in range(start, stop)
    )
    FieldOffice.objects.bulk_create(
        FieldOffice(office=office, name=f"Town {office.pk}-{k}")
        for office in offices
        for k in range(4)
    )
    Mandate.objects.bulk_create(
        Mandate(
            office=office,
            kind=Mandate.Kind.THEMATIC,
            title=f"Human Rights Council resolution {office.pk}/{k}",
        )
        for office in offices
        for k in range(2)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def milliseconds(search, text, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        found = list(search(Office.objects.published(), text))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), [office.pk for office in found]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    test_settings = connection.settings_dict.setdefault("TEST", {})
    test_settings["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        load_demo()
        # The demo profiles' words, so generated profiles read alike, except
        # those searched for: only demo offices match them, as in real life.
        searched = {word.lower() for text in QUERIES[:-1] for word in text.split()}
        words = [
            word
            for word in " ".join(
                Office.objects.values_list("profile", flat=True)
            ).split()
            if not any(s in word.lower() for s in searched)
        ]
        searches = {
            "stored": lambda offices, text: offices.search(text),
            "per row": search_per_row,
        }
        print(
            f"{'offices':>7} {'query':18} {'results':>7} {'stored':>9} {'per row':>9}"
        )
        for size in sorted(args.offices):
            fill(Office.objects.count(), size, words)
            for text in QUERIES:
                (stored, found), (per_row, found_per_row) = (
                    milliseconds(search, text, args.repeat)
                    for search in searches.values()
                )
                # Same offices in the same order: the ranking is unchanged.
                assert found == found_per_row, text
                print(
                    f"{size:7d} {text!r:18} {len(found):7d} "
                    f"{stored:7.2f}ms {per_row:7.2f}ms"
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

"""Lists in the reader's language follow the names the reader sees.

Each list (the index, a term page, the API, the CSV, the vocabulary, a
profile's terms) sorts by the translation, else the English name, with the
language's ICU collation where the server has ICU (the PostgreSQL service,
any production server), else by a case- and accent-folded key (the embedded
PostgreSQL, built without ICU): hrprofile/collations.py.

Where the two differ (scripts other than Latin: ICU puts the reader's own
script first and sorts Chinese by pinyin; the folded key sorts by code point)
the expected order says which one it is: ORDERS[language]["icu"] on a server
with ICU, ["folded"] on one without. Both are asserted, never skipped.
"""

import csv
import io
import re

import pytest
from django.db import connection
from django.utils import translation

from hrprofile.collations import icu_collation
from mandates.models import Tag, ThematicPillar
from offices.models import Office
from tests.factories import (
    FieldOfficeFactory,
    OfficeFactory,
    TagFactory,
    ThematicPillarFactory,
)

pytestmark = pytest.mark.django_db

# In creation order, which is neither the English nor any translation's order.
# Haiti has no translation: it is shown, and sorted, by its English name.
COUNTRIES = [
    ("chad", "Chad", {"fr": "Tchad", "ru": "Чад", "ar": "تشاد", "zh_hans": "乍得"}),
    (
        "egypt",
        "Egypt",
        {"fr": "Égypte", "ru": "Египет", "ar": "مصر", "zh_hans": "埃及"},
    ),
    ("haiti", "Haiti", {}),
    (
        "germany",
        "Germany",
        {"fr": "Allemagne", "ru": "Германия", "ar": "ألمانيا", "zh_hans": "德国"},
    ),
    (
        "colombia",
        "Colombia",
        # Lower case on purpose: case must not move a name.
        {"fr": "colombie", "ru": "колумбия", "ar": "كولومبيا", "zh_hans": "哥伦比亚"},
    ),
    ("iraq", "Iraq", {"fr": "Irak", "ru": "Ирак", "ar": "العراق", "zh_hans": "伊拉克"}),
]

ENGLISH_ORDER = ["chad", "colombia", "egypt", "germany", "haiti", "iraq"]

# The order of the slugs under each language's pages.
ORDERS = {
    # Latin script: ICU and the folded key agree ("Égypte" after
    # "colombie", before "Haiti": not after "Tchad" as by code point).
    "fr": {
        "icu": ["germany", "colombia", "egypt", "haiti", "iraq", "chad"],
        "folded": ["germany", "colombia", "egypt", "haiti", "iraq", "chad"],
    },
    # ICU (ru): Cyrillic first, in the alphabet's order, then Latin.
    # Folded: Latin first (code point), then Cyrillic, "колумбия" among the
    # capitals all the same.
    "ru": {
        "icu": ["germany", "egypt", "iraq", "colombia", "chad", "haiti"],
        "folded": ["haiti", "germany", "egypt", "iraq", "colombia", "chad"],
    },
    # ICU (ar): Arabic first, the hamza on "ألمانيا" no more than an accent
    # (after "العراق"); folded: Latin first, then by code point (alif with
    # hamza, U+0623, before alif, U+0627).
    "ar": {
        "icu": ["iraq", "germany", "chad", "colombia", "egypt", "haiti"],
        "folded": ["haiti", "germany", "iraq", "chad", "colombia", "egypt"],
    },
    # ICU (zh-Hans): Han first, by pinyin (ai, de, ge, yi, zha); folded:
    # Latin first, then by code point (乍 伊 哥 埃 德).
    "zh-hans": {
        "icu": ["egypt", "germany", "colombia", "iraq", "chad", "haiti"],
        "folded": ["haiti", "chad", "iraq", "colombia", "egypt", "germany"],
    },
}
LANGUAGES = list(ORDERS)


def server_has_icu():
    """Whether this server has ICU collations: asked here, not of the code."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT FROM pg_collation WHERE collname = %s)", ["fr-x-icu"]
        )
        return cursor.fetchone()[0]


def expected(language):
    """The order the reader of language gets on this server.

    ICU-DEPENDENT: the ICU order where the server has ICU, the folded key's
    where it does not (test_collation_follows_the_server says which)."""
    return ORDERS[language]["icu" if server_has_icu() else "folded"]


def translations(names):
    return {f"name_{code}": name for code, name in names.items()}


@pytest.fixture
def countries():
    """The offices of COUNTRIES, published, in one region (the index groups by
    region first), all working on the pillar "water"."""
    pillar = ThematicPillarFactory(slug="water")
    for slug, english, names in COUNTRIES:
        OfficeFactory(
            slug=slug,
            name=english,
            region=Office.Region.AFRICA,
            pillars=[pillar],
            **translations(names),
        )
    return pillar


def slugs_in_page(html, language):
    return re.findall(
        rf'class="office__name" href="/{language}/offices/([-\w]+)/"', html
    )


def test_the_orders_differ_from_creation_and_from_english():
    created = [slug for slug, _english, _names in COUNTRIES]
    for orders in ORDERS.values():
        for order in orders.values():
            assert order not in (created, ENGLISH_ORDER)
    assert sorted(ENGLISH_ORDER) == ENGLISH_ORDER


def test_collation_follows_the_server():
    """ICU-DEPENDENT: the language's ICU collation where the server has one,
    None (the folded key) where it has none."""
    if server_has_icu():
        assert icu_collation(connection, "fr") == "fr-x-icu"
        assert icu_collation(connection, "zh-hans") == "zh-Hans-x-icu"
        assert icu_collation(connection, "en") == "en-x-icu"
    else:
        assert icu_collation(connection, "fr") is None
        assert icu_collation(connection, "zh-hans") is None
        assert icu_collation(connection, "en") is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_index_lists_offices_in_the_readers_order(client, countries, language):
    page = client.get(f"/{language}/offices/").content.decode()

    assert slugs_in_page(page, language) == expected(language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_term_page_lists_offices_in_the_readers_order(client, countries, language):
    page = client.get(f"/{language}/pillars/water/").content.decode()

    assert slugs_in_page(page, language) == expected(language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_api_lists_offices_in_the_readers_order(client, countries, language):
    answer = client.get("/api/v1/offices/", {"lang": language}).json()

    assert [office["slug"] for office in answer["results"]] == expected(language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_api_pages_follow_the_readers_order(client, countries, language):
    """The order is the database's: each page is the next part of it."""
    slugs = []
    for page in (1, 2, 3):
        answer = client.get(
            "/api/v1/offices/", {"lang": language, "page_size": 2, "page": page}
        ).json()
        slugs += [office["slug"] for office in answer["results"]]

    assert slugs == expected(language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_csv_lists_offices_in_the_readers_order(client, countries, language):
    text = (
        client.get(f"/{language}/offices.csv").content.decode().removeprefix("\ufeff")
    )

    assert [row["slug"] for row in csv.DictReader(io.StringIO(text))] == expected(
        language
    )


def test_english_is_in_english_order(client, countries):
    page = client.get("/en/offices/").content.decode()

    assert slugs_in_page(page, "en") == ENGLISH_ORDER


def test_french_accents_and_case_sort_as_letters(client):
    """On either server: "Égypte" between "Colombie" and "Irak", not after
    "Zambie"; "colombie" among the capitals."""
    for slug, english, french in [
        ("zambia", "Zambia", "Zambie"),
        ("egypt", "Egypt", "Égypte"),
        ("iraq", "Iraq", "Irak"),
        ("colombia", "Colombia", "colombie"),
        ("ecuador", "Ecuador", "Équateur"),
        ("spain", "Spain", "Espagne"),
    ]:
        OfficeFactory(slug=slug, name=english, name_fr=french)

    with translation.override("fr"):
        names = [office.name for office in Office.objects.in_reader_order()]

    assert names == ["colombie", "Égypte", "Équateur", "Espagne", "Irak", "Zambie"]


def test_search_ranks_first_then_follows_the_readers_names(client, countries):
    """Equal relevance: the reader's order decides, not English or creation."""
    page = client.get("/fr/offices/", {"q": "Country"}).content.decode()

    assert slugs_in_page(page, "fr") == ORDERS["fr"]["icu"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_vocabulary_follows_the_readers_order(client, language):
    for slug, english, names in COUNTRIES:
        TagFactory(slug=slug, name=english, **translations(names))
        # Same position: the name decides.
        ThematicPillarFactory(
            slug=slug, name=english, position=1, **translations(names)
        )

    for path in ("/api/v1/tags/", "/api/v1/pillars/"):
        answer = client.get(path, {"lang": language}).json()
        assert [term["slug"] for term in answer] == expected(language), path
    with translation.override(language):
        assert list(Tag.objects.values_list("slug", flat=True)) == expected(language)
        assert list(ThematicPillar.objects.values_list("slug", flat=True)) == expected(
            language
        )


def test_terms_position_still_comes_first(client):
    ThematicPillarFactory(slug="second", name="A", name_fr="A", position=2)
    ThematicPillarFactory(slug="first", name="Z", name_fr="Z", position=1)

    with translation.override("fr"):
        assert list(ThematicPillar.objects.values_list("slug", flat=True)) == [
            "first",
            "second",
        ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_profile_lists_its_terms_and_field_offices_in_the_readers_order(
    client, language
):
    pillars = [
        # Same position: the name decides.
        ThematicPillarFactory(
            slug=slug, name=english, position=1, **translations(names)
        )
        for slug, english, names in COUNTRIES
    ]
    office = OfficeFactory(slug="region", pillars=pillars)
    for slug, english, names in COUNTRIES:
        # Each field office's note is the slug of its country, to find it by.
        FieldOfficeFactory(
            office=office, name=english, note=slug, position=1, **translations(names)
        )

    page = client.get(f"/{language}/offices/region/").content.decode()

    pillar_slugs = re.findall(rf'href="/{language}/pillars/([-\w]+)/"', page)
    assert pillar_slugs == expected(language)
    assert re.findall(r"<bdi[^>]*>([-\w]+)</bdi>", page) == expected(language)


def test_a_request_never_asks_for_the_collations(
    client, countries, django_assert_max_num_queries
):
    """The server's collations are known once its first connection opened:
    a page in another language costs no query for them."""
    for language in ["fr", "zh-hans"]:
        with django_assert_max_num_queries(50) as page:
            client.get(f"/{language}/offices/")
        asked = [query["sql"] for query in page.captured_queries]
        assert not any("pg_collation" in sql for sql in asked)
        # ICU-DEPENDENT: the language's collation, or the folded key.
        if server_has_icu():
            collation = "fr-x-icu" if language == "fr" else "zh-Hans-x-icu"
            assert any(f'COLLATE "{collation}"' in sql for sql in asked)
        else:
            assert any("LOWER(UNACCENT(" in sql for sql in asked)

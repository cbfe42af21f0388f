"""JSON-LD and Open Graph on the public pages, read as crawlers read them."""

import datetime
import json
import pathlib
import re
import struct

import extruct
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from offices.models import Office
from tests.factories import (
    FieldOfficeFactory,
    OfficeFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    ThematicPillarFactory,
)


def structured_data(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    items = extruct.extract(html, syntaxes=["json-ld"], uniform=False)["json-ld"]
    return {item["@type"]: item for item in items}


@pytest.fixture
def iraq(db):
    office = OfficeFactory(
        slug="iraq",
        name="UN Human Rights in Iraq",
        country="Iraq",
        country_code="IQ",
        region=Office.Region.MIDDLE_EAST_NORTH_AFRICA,
    )
    FieldOfficeFactory(office=office, name="Baghdad")
    return office


def test_extruct_reads_the_organization_and_its_breadcrumbs(client, iraq):
    items = structured_data(client, "/en/offices/iraq/")

    # The page itself too, with the language it is written in (inLanguage).
    assert set(items) == {"GovernmentOrganization", "WebPage", "BreadcrumbList"}
    assert all(item["@context"] == "https://schema.org" for item in items.values())


def test_organization_is_identified_by_its_canonical_url(client, iraq, site_url):
    organization = structured_data(client, "/en/offices/iraq/")[
        "GovernmentOrganization"
    ]

    assert organization["@id"] == f"{site_url}/en/offices/iraq/#organization"
    assert organization["url"] == f"{site_url}/en/offices/iraq/"


def test_area_served_names_the_iso_country_code(client, iraq):
    organization = structured_data(client, "/en/offices/iraq/")[
        "GovernmentOrganization"
    ]

    assert organization["areaServed"] == {
        "@type": "Country",
        "name": "Iraq",
        "identifier": "IQ",
    }


def test_area_served_without_a_code_names_the_country(client, db):
    OfficeFactory(slug="x", country="Atlantis", country_code="")

    organization = structured_data(client, "/en/offices/x/")["GovernmentOrganization"]

    assert organization["areaServed"] == {"@type": "Country", "name": "Atlantis"}


def test_a_regional_presence_serves_no_one_country(client, db):
    OfficeFactory(slug="x", country="", country_code="")

    organization = structured_data(client, "/en/offices/x/")["GovernmentOrganization"]

    assert "areaServed" not in organization


def test_a_closed_presence_has_its_dissolution_date(client, db):
    closed_on = timezone.localdate() - datetime.timedelta(days=10)
    OfficeFactory(slug="x", closed_on=closed_on)

    organization = structured_data(client, "/en/offices/x/")["GovernmentOrganization"]

    assert organization["dissolutionDate"] == closed_on.isoformat()


@pytest.mark.parametrize("closed_on", [None, "future"])
def test_an_open_or_closing_presence_has_none(client, db, closed_on):
    if closed_on == "future":
        closed_on = timezone.localdate() + datetime.timedelta(days=10)
    OfficeFactory(slug="x", closed_on=closed_on)

    organization = structured_data(client, "/en/offices/x/")["GovernmentOrganization"]

    assert "dissolutionDate" not in organization


def test_breadcrumbs_lead_home_through_the_region(client, iraq, site_url):
    breadcrumbs = structured_data(client, "/en/offices/iraq/")["BreadcrumbList"]

    assert breadcrumbs["itemListElement"] == [
        {
            "@type": "ListItem",
            "position": 1,
            "name": "Field presences",
            "item": f"{site_url}/en/offices/",
        },
        {
            "@type": "ListItem",
            "position": 2,
            "name": "Middle East and North Africa",
            "item": f"{site_url}/en/offices/?region=mena",
        },
        {
            "@type": "ListItem",
            "position": 3,
            "name": "UN Human Rights in Iraq",
            "item": f"{site_url}/en/offices/iraq/",
        },
    ]


# ---------------------------------------------------------------- Open Graph


def meta(html, attribute, name):
    match = re.search(
        rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html
    )
    assert match, name
    return match.group(1)


def test_profile_has_an_open_graph_image_and_a_twitter_card(client, iraq, site_url):
    html = client.get("/en/offices/iraq/").content.decode()

    image = meta(html, "property", "og:image")
    assert image.startswith(f"{site_url}/static/img/og-card")
    assert image.endswith(".png")
    assert meta(html, "property", "og:image:width") == "1200"
    assert meta(html, "property", "og:image:height") == "630"
    assert meta(html, "property", "og:image:alt")
    assert meta(html, "name", "twitter:card") == "summary_large_image"


def test_open_graph_image_is_a_1200_by_630_png_in_our_static_files():
    path = finders.find("img/og-card.png")

    data = pathlib.Path(path).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (1200, 630)


# ---------------------------------------------------------------- every public page

# Open Graph names a language by its locale: the page's own, then the others.
LOCALES = {
    "en": "en_US",
    "fr": "fr_FR",
    "es": "es_ES",
    "ru": "ru_RU",
    "ar": "ar_AR",
    "zh-hans": "zh_CN",
}

# Every kind of public page, without its language prefix.
PUBLIC_PAGES = {
    "home": "/",
    "index": "/offices/",
    "filtered index": "/offices/?region=mena",
    "profile": "/offices/iraq/",
    "pillar": "/pillars/accountability/",
    "shift": "/shifts/prevention/",
    "population": "/populations/women/",
}

# The tags a profile has always had: the others have them too.
SHARED_PROPERTIES = [
    "og:type",
    "og:site_name",
    "og:title",
    "og:description",
    "og:url",
    "og:image",
    "og:image:width",
    "og:image:height",
    "og:image:alt",
]


@pytest.fixture
def site(iraq):
    pillar = ThematicPillarFactory(
        slug="accountability",
        name="Accountability",
        name_ar="المساءلة",
        name_zh_hans="问责",
        description="Strengthening rule of law and accountability",
    )
    shift = ShiftFactory(slug="prevention", name="Prevention")
    population = SpotlightPopulationFactory(slug="women", name="Women")
    iraq.pillars.add(pillar)
    iraq.shifts.add(shift)
    iraq.spotlight_populations.add(population)
    Office.objects.filter(pk=iraq.pk).update(
        name_ar="الأمم المتحدة لحقوق الإنسان في العراق",
        name_zh_hans="联合国人权事务在伊拉克",
    )
    return iraq


def open_graph(client, url):
    """The page's Open Graph properties, in order, as extruct reads them."""
    response = client.get(url)
    assert response.status_code == 200
    [graph] = extruct.extract(
        response.content.decode(), syntaxes=["opengraph"], uniform=False
    )["opengraph"]
    return graph["properties"]


def test_every_language_has_a_locale():
    assert set(LOCALES) == {code for code, _ in settings.LANGUAGES}


@pytest.mark.parametrize("language", LOCALES)
@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_every_public_page_names_its_locale_and_the_five_others(
    client, site, path, language
):
    properties = open_graph(client, f"/{language}{path}")

    locales = [value for name, value in properties if name == "og:locale"]
    alternates = [value for name, value in properties if name == "og:locale:alternate"]
    assert locales == [LOCALES[language]]
    assert sorted(alternates) == sorted(set(LOCALES.values()) - set(locales))


@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_every_public_page_has_the_profiles_open_graph(client, site, site_url, path):
    response = client.get(f"/fr{path}")
    properties = dict(open_graph(client, f"/fr{path}"))
    html = response.content.decode()

    assert set(SHARED_PROPERTIES) <= set(properties)
    assert all(properties[name] for name in SHARED_PROPERTIES)
    assert properties["og:url"] == response.context["canonical_url"]
    assert properties["og:url"].startswith(f"{site_url}/fr/")
    assert meta(html, "name", "twitter:card") == "summary_large_image"


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/en/", "UN Human Rights field presences"),
        ("/en/pillars/accountability/", "Accountability"),
        ("/ar/pillars/accountability/", "المساءلة"),
    ],
)
def test_open_graph_title_is_the_pages_own(client, site, path, title):
    assert dict(open_graph(client, path))["og:title"] == title


def test_a_term_pages_open_graph_description_is_its_meta_description(client, site):
    html = client.get("/en/shifts/prevention/").content.decode()

    description = meta(html, "name", "description")
    assert description == "UN Human Rights field presences working on Prevention."
    assert meta(html, "property", "og:description") == description


# ---------------------------------------------------------------- the index


def index_links(html):
    """The profile addresses the index lists, in the order it shows them."""
    return re.findall(r'<a class="office__name" href="([^"]+)"', html)


@pytest.fixture
def three_offices(db):
    """Listed by region, then name: Beta and Zeta (Africa), then Alpha (MENA)."""
    for name, slug, region in [
        ("Zeta", "zeta", Office.Region.AFRICA),
        ("Alpha", "alpha", Office.Region.MIDDLE_EAST_NORTH_AFRICA),
        ("Beta", "beta", Office.Region.AFRICA),
    ]:
        OfficeFactory(name=name, slug=slug, region=region)
    OfficeFactory(slug="draft", status=Office.Status.DRAFT)


def item_list(client, url):
    page = structured_data(client, url)["CollectionPage"]
    return page["mainEntity"]


@pytest.mark.parametrize("path", ["/en/", "/en/offices/"])
def test_the_index_is_a_collection_page(client, three_offices, site_url, path):
    page = structured_data(client, path)["CollectionPage"]

    assert page["@context"] == "https://schema.org"
    assert page["@id"] == page["url"] == f"{site_url}/en/offices/"
    assert page["name"] == "UN Human Rights field presences"
    assert page["description"].startswith("Profiles of the UN Human Rights Office")
    assert page["inLanguage"] == "en"
    assert page["mainEntity"]["@type"] == "ItemList"


def test_the_index_item_list_names_the_offices_in_the_order_shown(
    client, three_offices, site_url
):
    html = client.get("/en/offices/").content.decode()
    items = item_list(client, "/en/offices/")

    assert items["numberOfItems"] == 3
    assert items["itemListElement"] == [
        {
            "@type": "ListItem",
            "position": position,
            "name": name,
            "url": f"{site_url}/en/offices/{slug}/",
        }
        for position, (name, slug) in enumerate(
            [("Beta", "beta"), ("Zeta", "zeta"), ("Alpha", "alpha")], start=1
        )
    ]
    shown = [site_url + path for path in index_links(html)]
    assert [item["url"] for item in items["itemListElement"]] == shown


@pytest.mark.parametrize(
    ("query", "slugs"),
    [("?region=mena", ["alpha"]), ("?q=zeta", ["zeta"]), ("?q=nothing", [])],
)
def test_a_filtered_index_lists_only_its_selection(client, three_offices, query, slugs):
    items = item_list(client, f"/en/offices/{query}")

    assert items["numberOfItems"] == len(slugs)
    urls = [item["url"] for item in items["itemListElement"]]
    assert [url.rsplit("/", 2)[-2] for url in urls] == slugs


def test_the_stored_index_content_keeps_each_selections_list(client, three_offices):
    """The list is part of the results stored by their parameters: another
    address with the same selection reuses it, another selection does not."""
    client.get("/en/offices/?region=mena")

    reused = item_list(client, "/en/offices/?utm_source=news&region=mena")
    other = item_list(client, "/en/offices/?region=africa")

    assert [item["name"] for item in reused["itemListElement"]] == ["Alpha"]
    assert [item["name"] for item in other["itemListElement"]] == ["Beta", "Zeta"]


@pytest.mark.parametrize("count", [3, 30])
def test_the_item_list_costs_no_query(
    client, three_offices, count, django_assert_max_num_queries
):
    OfficeFactory.create_batch(count)

    # As many as the index without it: the version, the form's three
    # vocabularies and the offices.
    with django_assert_max_num_queries(5):
        items = item_list(client, "/en/offices/")

    assert items["numberOfItems"] == count + 3


# ---------------------------------------------------------------- term pages


@pytest.mark.parametrize(
    ("path", "vocabulary", "api_name"),
    [
        ("/en/pillars/accountability/", "Thematic pillars", "api:pillar-list"),
        ("/en/shifts/prevention/", "Shifts", "api:shift-list"),
        ("/en/populations/women/", "Spotlight populations", "api:population-list"),
    ],
)
def test_a_term_page_is_a_defined_term_of_its_vocabulary(
    client, site, site_url, path, vocabulary, api_name
):
    term = structured_data(client, path)["DefinedTerm"]

    assert term["@context"] == "https://schema.org"
    assert term["url"] == f"{site_url}{path}"
    assert term["inLanguage"] == "en"
    assert term["inDefinedTermSet"] == {
        "@type": "DefinedTermSet",
        "@id": f"{site_url}{reverse(api_name)}",
        "name": vocabulary,
        "inLanguage": "en",
    }


def test_a_defined_term_has_the_terms_name_and_description(client, site, site_url):
    term = structured_data(client, "/en/pillars/accountability/")["DefinedTerm"]

    assert term["@id"] == f"{site_url}/en/pillars/accountability/#term"
    assert term["name"] == "Accountability"
    assert term["description"] == "Strengthening rule of law and accountability"


def test_an_untranslated_term_is_in_english_in_its_vocabulary_in_french(client, site):
    term = structured_data(client, "/fr/shifts/prevention/")["DefinedTerm"]

    assert term["name"] == "Prevention"
    assert term["inLanguage"] == "en"
    assert term["inDefinedTermSet"]["inLanguage"] == "fr"


# ---------------------------------------------------------------- Arabic and Chinese


@pytest.mark.parametrize(
    ("language", "office", "pillar"),
    [
        ("ar", "الأمم المتحدة لحقوق الإنسان في العراق", "المساءلة"),
        ("zh-hans", "联合国人权事务在伊拉克", "问责"),
    ],
)
@pytest.mark.parametrize(
    ("path", "kind", "read"),
    [
        ("/offices/", "CollectionPage", lambda d: d["mainEntity"]["itemListElement"]),
        ("/offices/iraq/", "GovernmentOrganization", lambda d: [d]),
        ("/pillars/accountability/", "DefinedTerm", lambda d: [d]),
    ],
    ids=["index", "profile", "term"],
)
def test_json_ld_is_valid_and_written_in_the_readers_language(
    client, site, language, office, pillar, path, kind, read
):
    html = client.get(f"/{language}{path}").content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)

    items = {item["@type"]: item for item in map(json.loads, blocks)}
    assert kind in items
    name = pillar if kind == "DefinedTerm" else office
    assert [item["name"] for item in read(items[kind])] == [name]
    # As text, as the page around it is: not \\u escapes at six bytes a letter.
    assert all(name in block for block in blocks if kind in block)

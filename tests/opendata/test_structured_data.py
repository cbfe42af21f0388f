"""JSON-LD and Open Graph on profile pages, read as crawlers read them."""

import datetime
import pathlib
import re
import struct

import extruct
import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from offices.models import Office
from tests.factories import FieldOfficeFactory, OfficeFactory


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

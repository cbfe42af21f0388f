"""Absolute URLs name SITE_URL, never the Host header a request sent.

A client (or a misconfigured proxy) writes Host and X-Forwarded-Host; the
sitemap, robots.txt, feed, canonical links, Open Graph and JSON-LD must not
send crawlers and readers there.
"""

import pathlib
import re
import xml.etree.ElementTree as ET

import pytest
from lxml import etree

from offices.models import Office
from tests.factories import OfficeFactory, ThematicPillarFactory
from tests.opendata.conftest import OTHER_HOST_HEADERS, OTHER_HOSTS

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
SCHEMA = etree.XMLSchema(etree.parse(pathlib.Path(__file__).with_name("sitemap.xsd")))


@pytest.fixture
def site(db):
    pillar = ThematicPillarFactory(slug="accountability")
    OfficeFactory(slug="iraq", pillars=[pillar])
    OfficeFactory(slug="closed", pillars=[pillar])
    OfficeFactory(slug="secret", status=Office.Status.DRAFT)


def absolute_urls(text):
    return re.findall(r"https?://[^\s\"'<>]+", text)


def test_sitemap_validates_against_the_sitemaps_org_schema(client, site, site_url):
    response = client.get("/sitemap.xml")

    document = etree.fromstring(response.content)
    SCHEMA.assertValid(document)
    assert len(document.findall(f"{SITEMAP}url")) >= 4


def test_sitemap_alternates_are_checked_by_the_schema(client, site):
    document = etree.fromstring(client.get("/sitemap.xml").content)

    links = document.findall(f"{SITEMAP}url/{XHTML}link")
    # Six languages and the x-default for each of six addresses per page.
    assert len(links) == 7 * len(document.findall(f"{SITEMAP}url"))
    SCHEMA.assertValid(document)


@pytest.mark.parametrize(
    "link",
    [
        b'<xhtml:link rel="alternate" href="https://profiles.example.org/fr/"/>',
        b'<xhtml:link rel="alternate" hreflang="fr" href="/fr/"/>',
        b'<xhtml:link rel="next" hreflang="fr" href="https://profiles.example.org/fr/"/>',
    ],
)
def test_schema_catches_a_broken_alternate(link):
    broken = etree.fromstring(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        b' xmlns:xhtml="http://www.w3.org/1999/xhtml">'
        b"<url><loc>https://profiles.example.org/en/</loc>" + link + b"</url></urlset>"
    )

    assert not SCHEMA.validate(broken)


def test_schema_catches_a_broken_sitemap():
    broken = etree.fromstring(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://profiles.example.org/</loc>"
        b"<priority>2</priority></url></urlset>"
    )

    assert not SCHEMA.validate(broken)


@pytest.mark.parametrize("headers", OTHER_HOST_HEADERS)
def test_sitemap_locations_name_site_url(client, site, site_url, other_hosts, headers):
    root = ET.fromstring(client.get("/sitemap.xml", headers=headers).content)

    locations = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert f"{site_url}/en/offices/iraq/" in locations
    assert all(location.startswith(f"{site_url}/") for location in locations)


@pytest.mark.parametrize("headers", OTHER_HOST_HEADERS)
def test_robots_txt_names_site_url(client, db, site_url, other_hosts, headers):
    text = client.get("/robots.txt", headers=headers).content.decode()

    assert f"Sitemap: {site_url}/sitemap.xml" in text.splitlines()


@pytest.mark.parametrize("headers", OTHER_HOST_HEADERS)
@pytest.mark.parametrize(
    "url", ["/en/offices/", "/en/offices/iraq/", "/en/pillars/accountability/"]
)
def test_pages_name_only_site_url(client, site, site_url, other_hosts, headers, url):
    html = client.get(url, headers=headers).content.decode()

    assert f'<link rel="canonical" href="{site_url}/' in html
    assert not any(host in html for host in OTHER_HOSTS)
    assert "testserver" not in html


@pytest.mark.parametrize("headers", OTHER_HOST_HEADERS)
def test_feed_names_only_site_url(client, site, site_url, other_hosts, headers):
    text = client.get("/en/feed/", headers=headers).content.decode()

    urls = [url for url in absolute_urls(text) if "www.w3.org" not in url]
    assert urls
    assert all(url.startswith(f"{site_url}/") for url in urls), urls


def test_a_page_asked_on_another_host_is_served_from_the_same_cache_entry(
    client, site, site_url, other_hosts
):
    first = client.get("/en/offices/iraq/")

    other = client.get(
        "/en/offices/iraq/",
        headers={"host": "mirror.example.org", "if-none-match": first["ETag"]},
    )

    assert other.status_code == 304

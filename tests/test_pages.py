"""Site-wide pages and page-wide quality bars: sitemap, robots.txt, the feed,
error pages, the root redirect, and the markup rules every public page keeps."""

import datetime
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from itertools import pairwise

import pytest
from django.template.loader import get_template
from django.views.defaults import server_error

from offices.models import Office
from offices.reviews import mark_reviewed
from tests.factories import (
    FieldOfficeFactory,
    OfficeFactory,
    ShiftFactory,
    ThematicPillarFactory,
)

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def site(db):
    pillar = ThematicPillarFactory(slug="accountability", name="Accountability")
    shift = ShiftFactory(slug="prevention")
    iraq = OfficeFactory(slug="iraq", pillars=[pillar], shifts=[shift])
    FieldOfficeFactory(office=iraq, name="Baghdad", is_head_office=True)
    OfficeFactory(slug="secret", status=Office.Status.DRAFT)
    return iraq


# ---------------------------------------------------------------- root, sitemap, robots


def test_root_redirects_to_english(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/en/"


def test_sitemap_lists_published_profiles_and_term_pages(client, site, site_url):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    root = ET.fromstring(response.content)
    locations = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert f"{site_url}/en/offices/" in locations
    assert f"{site_url}/en/offices/iraq/" in locations
    assert f"{site_url}/en/pillars/accountability/" in locations
    assert f"{site_url}/en/shifts/prevention/" in locations
    assert not any("secret" in location for location in locations)


def test_sitemap_gives_profiles_their_last_modification(client, site):
    root = ET.fromstring(client.get("/sitemap.xml").content)

    entry = next(
        url
        for url in root.iter(f"{SITEMAP}url")
        if url.find(f"{SITEMAP}loc").text.endswith("/offices/iraq/")
    )
    assert entry.find(f"{SITEMAP}lastmod").text == site.updated_at.date().isoformat()


def test_robots_txt_points_at_the_sitemap(client, db, site_url):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert f"Sitemap: {site_url}/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines


# ---------------------------------------------------------------- feed


def test_feed_is_atom_with_recently_updated_profiles_first(client, site, site_url):
    older = OfficeFactory(name="Older profile", slug="older")
    Office.objects.filter(pk=older.pk).update(
        updated_at=site.updated_at - datetime.timedelta(days=3)
    )
    response = client.get("/en/feed/")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    assert links == [
        f"{site_url}/en/offices/iraq/",
        f"{site_url}/en/offices/older/",
    ]
    assert entries[0].find(f"{ATOM}summary").text == (
        "The office works to advance human rights."
    )


def test_feed_leaves_out_drafts(client, site):
    root = ET.fromstring(client.get("/en/feed/").content)

    assert "secret" not in ET.tostring(root, encoding="unicode")


def test_feed_survives_control_characters_pasted_into_a_profile(client, db):
    # Word processors paste vertical tabs and other control characters, which
    # XML 1.0 cannot carry.
    OfficeFactory(name="UN Human\x1b Rights", profile="Line\x0bone\x02 ends here.")

    response = client.get("/en/feed/")

    assert response.status_code == 200
    entry = ET.fromstring(response.content).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "UN Human Rights"
    assert entry.find(f"{ATOM}summary").text == "Line one ends here."


def test_reviewing_a_profile_brings_it_to_the_top_of_the_feed(
    client, site, admin_user, site_url
):
    older = OfficeFactory(name="Older profile", slug="older")
    Office.objects.filter(pk=older.pk).update(
        updated_at=site.updated_at - datetime.timedelta(days=3)
    )

    mark_reviewed([older], by=admin_user)

    root = ET.fromstring(client.get("/en/feed/").content)
    first = root.find(f"{ATOM}entry").find(f"{ATOM}link").get("href")
    assert first == f"{site_url}/en/offices/older/"


# ---------------------------------------------------------- caching, query budgets


@pytest.mark.parametrize("url", ["/sitemap.xml", "/robots.txt", "/en/feed/"])
def test_site_wide_files_are_publicly_cacheable(client, site, url):
    response = client.get(url)

    assert response.status_code == 200
    assert set(response.headers["Cache-Control"].split(", ")) == {
        "public",
        "max-age=300",
        "s-maxage=1",
        "stale-while-revalidate=60",
        "stale-if-error=86400",
    }


# A full answer's queries, and the content version's that keys the page cache.
@pytest.mark.parametrize("count", [1, 60])
@pytest.mark.parametrize(("url", "queries"), [("/sitemap.xml", 5), ("/en/feed/", 2)])
def test_site_wide_file_query_budget(
    client, db, django_assert_max_num_queries, count, url, queries
):
    for office in OfficeFactory.create_batch(count, status=Office.Status.PUBLISHED):
        office.pillars.add(ThematicPillarFactory())
        office.shifts.add(ShiftFactory())

    with django_assert_max_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.count(b"/en/offices/country-") >= min(count, 20)


# ---------------------------------------------------------------- error pages


def test_404_template_renders_without_database_or_request(
    db, django_assert_num_queries
):
    with django_assert_num_queries(0):
        html = get_template("404.html").render({})

    assert "<h1>Page not found</h1>" in html
    assert "UN Human Rights" in html


def test_500_template_renders_without_database_or_request(
    db, django_assert_num_queries
):
    with django_assert_num_queries(0):
        html = get_template("500.html").render({})

    assert "<h1>Sorry, something went wrong</h1>" in html
    assert 'lang="en"' in html


def test_server_error_handler_serves_the_branded_page(rf, db):
    response = server_error(rf.get("/en/offices/"))

    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()


def test_unknown_page_gets_the_branded_404(client, db):
    response = client.get("/en/nothing-here/")

    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


# ---------------------------------------------------------------- markup rules


class PageAudit(HTMLParser):
    """Collect what the markup rules look at."""

    def __init__(self):
        super().__init__()
        self.tags = []  # (tag, attrs) in document order
        self.headings = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))

    def find(self, tag, **attrs):
        return [
            a
            for t, a in self.tags
            if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def audit(html):
    parser = PageAudit()
    parser.feed(html)
    return parser


PAGES = [
    "/en/",
    "/en/offices/",
    "/en/offices/?q=zzz&region=atlantis",
    "/en/offices/iraq/",
    "/en/pillars/accountability/",
    "/en/shifts/prevention/",
    "/en/offices/no-such-office/",
]


@pytest.fixture(params=PAGES)
def rendered(request, client, site):
    return client.get(request.param).content.decode()


def test_page_has_exactly_one_h1(rendered):
    assert audit(rendered).headings.count(1) == 1


def test_page_headings_never_skip_a_level(rendered):
    levels = audit(rendered).headings
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in pairwise(levels))


def test_page_has_no_style_attributes(rendered):
    assert not [tag for tag, attrs in audit(rendered).tags if "style" in attrs]
    assert "<style" not in rendered


def test_page_has_no_scripts_but_json_ld(rendered):
    scripts = audit(rendered).find("script")
    assert all(attrs == {"type": "application/ld+json"} for attrs in scripts)


def test_page_declares_language_and_direction(rendered):
    assert audit(rendered).find("html") == [{"lang": "en", "dir": "ltr"}]


def test_page_has_landmarks_and_a_skip_link(rendered):
    page = audit(rendered)
    assert len(page.find("header")) == 1
    assert len(page.find("footer")) == 1
    assert len(page.find("main", id="main-content")) == 1
    assert len(page.find("main")) == 1
    assert all(nav.get("aria-label") for nav in page.find("nav"))
    first_link = page.find("a")[0]
    assert first_link == {"class": "skip-link", "href": "#main-content"}


def test_page_labels_every_form_control(rendered):
    page = audit(rendered)
    labelled = {label["for"] for label in page.find("label")}
    controls = page.find("input") + page.find("select") + page.find("textarea")
    assert {control["id"] for control in controls} <= labelled


def test_page_links_screen_and_print_stylesheets(rendered):
    sheets = audit(rendered).find("link", rel="stylesheet")
    assert [sheet.get("media") for sheet in sheets] == [None, "print"]

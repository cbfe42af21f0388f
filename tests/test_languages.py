"""Every public page in the six UN languages: served under each prefix, the
root redirect by Accept-Language, the language switcher, hreflang alternates,
canonical links, the sitemap's alternates and the error pages per language."""

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import OperationalError
from django.template.loader import render_to_string
from django.urls import set_script_prefix
from django.utils import translation

from hrprofile.i18n import NATIVE_NAMES, language_links, path_in
from offices.models import Office
from offices.views import OfficeListView
from tests.factories import (
    FieldOfficeFactory,
    OfficeFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    ThematicPillarFactory,
)

LANGUAGES = ["ar", "zh-hans", "en", "fr", "ru", "es"]
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def site(db, site_url):
    pillar = ThematicPillarFactory(slug="accountability")
    shift = ShiftFactory(slug="prevention")
    population = SpotlightPopulationFactory(slug="women")
    iraq = OfficeFactory(
        slug="iraq",
        pillars=[pillar],
        shifts=[shift],
        spotlight_populations=[population],
    )
    FieldOfficeFactory(office=iraq, name="Baghdad", is_head_office=True)
    return iraq


class Links(HTMLParser):
    """The <html> element, the <link>s and the <a>s of a page, with their attributes."""

    def __init__(self, html):
        super().__init__()
        self.html, self.links, self.anchors, self.navs = None, [], [], []
        self._nav = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html = attrs
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "nav":
            self._nav = attrs
            self.navs.append((attrs, []))
        elif tag == "a":
            self.anchors.append(attrs)
            if self._nav is not None:
                self.navs[-1][1].append(attrs)

    def handle_endtag(self, tag):
        if tag == "nav":
            self._nav = None

    def switcher(self):
        """The links of the nav whose links all carry hreflang."""
        [links] = [
            links
            for _, links in self.navs
            if links and all("hreflang" in link for link in links)
        ]
        return links

    def alternates(self):
        return {
            link["hreflang"]: link["href"]
            for link in self.links
            if link.get("rel") == "alternate" and "hreflang" in link
        }

    def canonical(self):
        return [link["href"] for link in self.links if link.get("rel") == "canonical"]


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return Links(response.content.decode())


# ---------------------------------------------------------------- settings


def test_the_six_un_languages_are_switched_on():
    assert [code for code, _ in settings.LANGUAGES] == LANGUAGES
    assert settings.LANGUAGE_CODE == "en"


def test_every_language_has_its_own_name():
    assert set(NATIVE_NAMES) == set(LANGUAGES)


# ------------------------------------------------------------ every page, every prefix

PAGES = [
    ("/", 200),
    ("/offices/", 200),
    ("/offices/?q=iraq", 200),
    ("/offices/?region=atlantis", 200),
    ("/offices/iraq/", 200),
    ("/pillars/accountability/", 200),
    ("/shifts/prevention/", 200),
    ("/populations/women/", 200),
    ("/feed/", 200),
    ("/offices.csv", 200),
    ("/offices/no-such-office/", 404),
    ("/nothing-here/", 404),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("path", "status"), PAGES)
def test_every_public_page_answers_under_every_prefix(
    client, site, language, path, status
):
    response = client.get(f"/{language}{path}")

    assert response.status_code == status
    assert response.headers["Content-Language"] == language


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "path", ["/", "/offices/", "/offices/iraq/", "/pillars/accountability/"]
)
def test_pages_declare_their_language(client, site, language, path):
    html = page(client, f"/{language}{path}").html

    assert html == {"lang": language, "dir": "rtl" if language == "ar" else "ltr"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_not_found_page_is_in_the_prefix_language(client, site, language):
    html = page(client, f"/{language}/offices/atlantis/", status=404).html

    assert html["lang"] == language


def test_sitemap_and_robots_are_one_for_every_language(client, site):
    assert client.get("/sitemap.xml").status_code == 200
    assert client.get("/robots.txt").status_code == 200
    assert client.get("/fr/sitemap.xml").status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
def test_feed_links_to_the_pages_in_its_language(client, site, site_url, language):
    root = ET.fromstring(client.get(f"/{language}/feed/").content)

    entry_link = root.find("{http://www.w3.org/2005/Atom}entry/{*}link").get("href")
    assert entry_link == f"{site_url}/{language}/offices/iraq/"


# -------------------------------------------------------------------- the root


@pytest.mark.parametrize(
    ("accept_language", "language"),
    [
        (None, "en"),
        ("de-DE,de;q=0.9", "en"),
        ("ar", "ar"),
        ("ar-EG,ar;q=0.9,en;q=0.5", "ar"),
        ("zh", "zh-hans"),
        ("zh-CN,zh;q=0.9", "zh-hans"),
        ("zh-Hans", "zh-hans"),
        ("zh-Hans-CN", "zh-hans"),
        ("fr-CA,fr;q=0.9", "fr"),
        ("ru", "ru"),
        ("es-419,es;q=0.9", "es"),
        ("de;q=1.0,es;q=0.5", "es"),
    ],
)
def test_root_redirects_to_the_best_language(client, db, accept_language, language):
    headers = {"accept-language": accept_language} if accept_language else {}

    response = client.get("/", headers=headers)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/{language}/"


def test_root_redirect_varies_with_accept_language(client, db):
    response = client.get("/", headers={"accept-language": "fr"})

    vary = {value.strip().lower() for value in response.headers["Vary"].split(",")}
    assert "accept-language" in vary
    # Never cached for everyone: without Vary a proxy would send all to French.
    assert "public" not in response.headers.get("Cache-Control", "")


def test_unprefixed_page_redirects_to_its_address_in_the_best_language(client, site):
    response = client.get("/offices/iraq/?x=1", headers={"accept-language": "ru"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/ru/offices/iraq/?x=1"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_page_cache_keeps_one_page_per_language(client, site, language):
    client.get("/ar/offices/iraq/")  # stored in Arabic first

    html = page(client, f"/{language}/offices/iraq/").html

    assert html["lang"] == language


# ------------------------------------------------------------ language switcher

SWITCHED_PAGES = [
    "/offices/",
    "/offices/iraq/",
    "/pillars/accountability/",
    "/offices/?q=caf%C3%A9&region=asia-pacific",
]


@pytest.mark.parametrize("language", ["ar", "en", "zh-hans"])
@pytest.mark.parametrize("path", SWITCHED_PAGES)
def test_switcher_links_to_the_same_page_in_every_language(
    client, site, language, path
):
    links = page(client, f"/{language}{path}").switcher()

    assert [link["href"] for link in links] == [f"/{code}{path}" for code in LANGUAGES]
    assert [link["hreflang"] for link in links] == LANGUAGES
    assert [link["lang"] for link in links] == LANGUAGES


def test_switcher_names_each_language_in_itself(client, site):
    response = client.get("/en/offices/")

    html = response.content.decode()
    for code, name in NATIVE_NAMES.items():
        assert f'hreflang="{code}"' in html
        assert f">{name}</a>" in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_switcher_marks_the_current_language(client, site, language):
    links = page(client, f"/{language}/offices/iraq/").switcher()

    current = [link["hreflang"] for link in links if "aria-current" in link]
    assert current == [language]


def test_switcher_marks_arabic_right_to_left_on_every_page(client, site):
    links = page(client, "/en/offices/").switcher()

    assert [link.get("dir") for link in links] == ["rtl"] + [None] * 5


def test_switcher_is_a_labelled_navigation_without_script(client, site):
    response = client.get("/fr/offices/")
    parsed = Links(response.content.decode())

    [label] = [
        attrs["aria-label"]
        for attrs, links in parsed.navs
        if links and all("hreflang" in link for link in links)
    ]
    assert label
    assert b"<script>" not in response.content


def test_switcher_on_the_not_found_page_keeps_the_address(client, site):
    links = page(client, "/es/offices/atlantis/?from=mail", status=404).switcher()

    assert links[0]["href"] == "/ar/offices/atlantis/?from=mail"


def test_switcher_on_the_too_many_requests_page(client, site, settings):
    settings.SEARCH_RATE_LIMIT = 1
    client.get("/ar/offices/?q=a")

    response = client.get("/ar/offices/?q=b")

    assert response.status_code == 429
    parsed = Links(response.content.decode())
    assert parsed.html == {"lang": "ar", "dir": "rtl"}
    assert parsed.switcher()[2]["href"] == "/en/offices/?q=b"


def test_path_in_swaps_only_the_language_prefix():
    assert path_in("fr", "/en/offices/en/?q=/en/") == "/fr/offices/en/?q=/en/"
    assert path_in("ar", "/zh-hans/") == "/ar/"
    assert path_in("ar", "/zh-hans") == "/ar/"
    assert path_in("ru", "/nothing-here/") == "/ru/nothing-here/"
    assert path_in("ru", "/english/") == "/ru/english/"
    assert path_in("es", "/") == "/es/"


def test_path_in_keeps_the_script_prefix():
    set_script_prefix("/profiles/")
    try:
        assert path_in("fr", "/profiles/en/offices/") == "/profiles/fr/offices/"
    finally:
        set_script_prefix("/")


def test_language_links_mark_the_active_language():
    with translation.override("ru"):
        links = language_links("/ru/offices/")

    assert [link["code"] for link in links if link["is_current"]] == ["ru"]


# -------------------------------------------------- hreflang alternates, canonical


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/", "/offices/"),
        ("/offices/", "/offices/"),
        ("/offices/?q=iraq", "/offices/"),
        ("/offices/iraq/", "/offices/iraq/"),
        ("/pillars/accountability/", "/pillars/accountability/"),
        ("/populations/women/", "/populations/women/"),
    ],
)
def test_page_names_its_canonical_and_alternates(
    client, site, site_url, language, path, canonical
):
    parsed = page(client, f"/{language}{path}")

    assert parsed.canonical() == [f"{site_url}/{language}{canonical}"]
    assert parsed.alternates() == {
        **{code: f"{site_url}/{code}{canonical}" for code in LANGUAGES},
        "x-default": f"{site_url}/en{canonical}",
    }


def test_not_found_page_names_no_canonical_or_alternates(client, site):
    parsed = page(client, "/fr/offices/atlantis/", status=404)

    assert parsed.canonical() == []
    assert parsed.alternates() == {}


def test_alternates_follow_site_url_not_the_host(client, site, site_url, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example.org"]

    parsed = page(client, "/fr/offices/iraq/?x=1")

    assert all(url.startswith(site_url) for url in parsed.alternates().values())


# --------------------------------------------------------------------- sitemap


def sitemap_urls(client):
    root = ET.fromstring(client.get("/sitemap.xml").content)
    return {
        url.find(f"{SITEMAP}loc").text: {
            link.get("hreflang"): link.get("href")
            for link in url.findall(f"{XHTML}link")
            if link.get("rel") == "alternate"
        }
        for url in root.findall(f"{SITEMAP}url")
    }


@pytest.mark.parametrize(
    "path",
    [
        "/offices/",
        "/offices/iraq/",
        "/pillars/accountability/",
        "/shifts/prevention/",
        "/populations/women/",
    ],
)
def test_sitemap_lists_every_language_with_its_alternates(client, site, site_url, path):
    urls = sitemap_urls(client)
    expected = {
        **{code: f"{site_url}/{code}{path}" for code in LANGUAGES},
        "x-default": f"{site_url}/en{path}",
    }

    for code in LANGUAGES:
        assert urls[f"{site_url}/{code}{path}"] == expected


def test_sitemap_leaves_out_drafts_in_every_language(client, site):
    OfficeFactory(slug="secret", status=Office.Status.DRAFT)

    assert not any("secret" in url for url in sitemap_urls(client))


# ----------------------------------------------------------------- error pages


@pytest.mark.parametrize("language", LANGUAGES)
def test_outage_page_is_in_the_prefix_language(client, site, monkeypatch, language):
    def unreachable(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(OfficeListView, "get_queryset", unreachable)
    client.raise_request_exception = False

    response = client.get(f"/{language}/offices/?q=x")

    assert response.status_code == 503
    html = Links(response.content.decode())
    assert html.html == {"lang": language, "dir": "rtl" if language == "ar" else "ltr"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_server_error_page_is_in_the_prefix_language(
    client, site, monkeypatch, language
):
    def broken(self):
        raise ValueError("a bug")

    monkeypatch.setattr(OfficeListView, "get_queryset", broken)
    client.raise_request_exception = False

    response = client.get(f"/{language}/offices/?q=x")

    assert response.status_code == 500
    parsed = Links(response.content.decode())
    assert parsed.html["lang"] == language
    # The way home stays in the reader's language.
    assert {"href": f"/{language}/"} in parsed.anchors


@pytest.mark.parametrize("template", ["500.html", "503.html"])
def test_standalone_error_pages_link_home_in_their_language(template):
    with translation.override("zh-hans"):
        html = render_to_string(template)

    assert 'href="/zh-hans/"' in html
    assert 'href="/"' not in html

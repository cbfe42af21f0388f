"""The Atom feed as feed readers see it."""

import feedparser
import pytest
from django.utils.http import http_date

from offices.models import Office
from tests.factories import OfficeFactory
from tests.opendata.conftest import (
    ORIGIN,
    OTHER_HOST_HEADERS,
    assert_any_origin_may_read,
    preflight,
)

TRICKY = 'Protects children <18 & "quotes" in law.'


@pytest.fixture
def office(db):
    return OfficeFactory(
        slug="iraq", name='Rights <&> "Iraq"', profile=f"{TRICKY}\n\nMore."
    )


def parse(client, **headers):
    response = client.get("/en/feed/", headers=headers)
    assert response.status_code == 200
    return feedparser.parse(response.content)


def test_feed_parses_without_errors(client, office):
    feed = parse(client)

    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == 1


def test_summary_is_plain_text_that_comes_back_unchanged(client, office):
    (entry,) = parse(client).entries

    assert entry.summary_detail.type == "text/plain"
    assert entry.summary == TRICKY
    assert entry.title == 'Rights <&> "Iraq"'


def test_entry_ids_are_tag_uris(client, office):
    (entry,) = parse(client).entries

    assert entry.id.startswith("tag:")


def test_feed_answers_if_none_match(client, office):
    first = client.get("/en/feed/")

    again = client.get("/en/feed/", headers={"if-none-match": first.headers["ETag"]})

    assert again.status_code == 304
    assert again.content == b""


def test_feed_answers_if_modified_since(client, office):
    first = client.get("/en/feed/")

    again = client.get(
        "/en/feed/", headers={"if-modified-since": first.headers["Last-Modified"]}
    )

    assert again.status_code == 304


def test_an_edit_makes_if_modified_since_fetch_the_feed_again(client, office):
    first = client.get("/en/feed/")
    Office.objects.filter(pk=office.pk).touch(name="Renamed")

    again = client.get("/en/feed/", headers={"if-none-match": first.headers["ETag"]})

    assert again.status_code == 200
    assert b"Renamed" in again.content


def test_an_old_if_modified_since_fetches_the_feed(client, office):
    response = client.get("/en/feed/", headers={"if-modified-since": http_date(0)})

    assert response.status_code == 200


@pytest.mark.parametrize("headers", OTHER_HOST_HEADERS)
def test_feed_links_come_from_site_url(client, office, site_url, other_hosts, headers):
    feed = parse(client, **headers)

    links = [feed.feed.link, *(link.href for link in feed.feed.links)]
    links += [entry.link for entry in feed.entries]
    assert links
    assert all(link.startswith(f"{site_url}/") for link in links), links
    assert f"{site_url}/en/feed/" in links
    assert feed.entries[0].link == f"{site_url}/en/offices/iraq/"


# CORS: the feed is public data.


@pytest.mark.parametrize("language", ["en", "ar"])
def test_any_origin_may_read_the_feed(client, office, language):
    response = client.get(f"/{language}/feed/", headers={"origin": ORIGIN})

    assert response.status_code == 200
    assert_any_origin_may_read(response)


def test_a_cross_origin_script_may_revalidate_the_feed(client, office):
    allowed = preflight(client, "/en/feed/", "if-modified-since")
    first = client.get("/en/feed/", headers={"origin": ORIGIN})

    again = client.get(
        "/en/feed/",
        headers={
            "origin": ORIGIN,
            "if-modified-since": first.headers["Last-Modified"],
        },
    )

    assert "if-modified-since" in allowed.headers["Access-Control-Allow-Headers"]
    assert again.status_code == 304
    assert_any_origin_may_read(again)

"""Conditional GET on every public page, the feed and the sitemap.

The ETag and Last-Modified come from the content version's one small query,
before anything is rendered: a 304 costs that query and nothing else.
"""

import datetime
from email.utils import parsedate_to_datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from offices import editorial
from offices.models import Office
from tests.factories import (
    OfficeFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    TagFactory,
    ThematicPillarFactory,
)
from tests.support import stamped_later

PAGES = {
    "index": "/en/offices/",
    "home": "/en/",
    "filtered index": "/en/offices/?region=mena",
    "search": "/en/offices/?q=Iraq",
    "profile": "/en/offices/iraq/",
    "pillar": "/en/pillars/accountability/",
    "shift": "/en/shifts/prevention/",
    "population": "/en/populations/women/",
    "feed": "/en/feed/",
    "sitemap": "/sitemap.xml",
}
each_page = pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())


@pytest.fixture
def site(db):
    return OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        country="Iraq",
        region=Office.Region.MIDDLE_EAST_NORTH_AFRICA,
        pillars=[ThematicPillarFactory(slug="accountability")],
        shifts=[ShiftFactory(slug="prevention")],
        spotlight_populations=[SpotlightPopulationFactory(slug="women")],
        tags=[TagFactory()],
    )


def edited_later(office):
    """An edit a few seconds on: HTTP dates count whole seconds."""
    Office.objects.filter(pk=office.pk).update(
        name="UN Human Rights in the Republic of Iraq"
    )
    stamped_later()


@each_page
def test_a_matching_etag_gets_304_for_one_query(
    client, site, url, django_assert_max_num_queries
):
    first = client.get(url)

    with django_assert_max_num_queries(1):
        response = client.get(url, headers={"if-none-match": first.headers["ETag"]})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["ETag"] == first.headers["ETag"]
    assert response.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert response.headers["Cache-Control"] == (
        "public, max-age=300, s-maxage=1, "
        "stale-while-revalidate=60, stale-if-error=86400"
    )


@each_page
def test_an_unchanged_date_gets_304_for_one_query(
    client, site, url, django_assert_max_num_queries
):
    first = client.get(url)

    with django_assert_max_num_queries(1):
        response = client.get(
            url, headers={"if-modified-since": first.headers["Last-Modified"]}
        )

    assert response.status_code == 304


@each_page
def test_validators_come_before_rendering(
    client, site, url, django_assert_max_num_queries
):
    """Even with nothing stored yet, a revalidation renders nothing."""
    etag = client.get(url).headers["ETag"]
    cache.clear()  # nothing stored: the page is not even looked up

    with django_assert_max_num_queries(1):
        response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 304


@each_page
def test_an_edit_gets_200_for_the_old_validators(client, site, url):
    first = client.get(url)
    edited_later(site)

    by_etag = client.get(url, headers={"if-none-match": first.headers["ETag"]})
    by_date = client.get(
        url, headers={"if-modified-since": first.headers["Last-Modified"]}
    )

    assert by_etag.status_code == by_date.status_code == 200
    assert by_etag.headers["ETag"] != first.headers["ETag"]
    assert parsedate_to_datetime(by_date.headers["Last-Modified"]) > (
        parsedate_to_datetime(first.headers["Last-Modified"])
    )


def test_the_feed_answers_if_modified_since(client, site):
    first = client.get("/en/feed/")
    last_modified = first.headers["Last-Modified"]
    earlier = parsedate_to_datetime(last_modified) - datetime.timedelta(hours=1)

    unchanged = client.get("/en/feed/", headers={"if-modified-since": last_modified})
    older_copy = client.get(
        "/en/feed/",
        headers={"if-modified-since": earlier.strftime("%a, %d %b %Y %H:%M:%S GMT")},
    )

    assert unchanged.status_code == 304
    assert older_copy.status_code == 200


def test_the_feed_is_modified_when_an_entry_leaves_it(client, site, admin_user):
    """Its newest entry's date stays; the site's Last-Modified moves."""
    other = OfficeFactory(slug="other")
    first = client.get("/en/feed/")
    editorial.unpublish(other, by=admin_user)
    stamped_later()

    response = client.get(
        "/en/feed/", headers={"if-modified-since": first.headers["Last-Modified"]}
    )

    assert response.status_code == 200
    assert b"/en/offices/other/" not in response.content


def test_a_weak_etag_from_a_compressing_proxy_still_matches(client, site):
    etag = client.get("/en/offices/").headers["ETag"]

    response = client.get("/en/offices/", headers={"if-none-match": f"W/{etag}"})

    assert response.status_code == 304


def test_a_head_request_gets_304(client, site):
    etag = client.get("/en/offices/iraq/").headers["ETag"]

    assert (
        client.head("/en/offices/iraq/", headers={"if-none-match": etag}).status_code
        == 304
    )


def test_etags_differ_between_pages_and_languages(client, site, settings):
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    english = client.get("/en/offices/").headers["ETag"]

    french = client.get("/fr/offices/", headers={"if-none-match": english})
    search = client.get("/en/offices/?q=Iraq", headers={"if-none-match": english})

    assert french.status_code == search.status_code == 200
    assert len({english, french.headers["ETag"], search.headers["ETag"]}) == 3


def test_last_modified_is_never_before_today(client, site):
    """The date alone turns "closing" into "closed": no copy from yesterday is
    confirmed by date."""
    Office.objects.update(updated_at=timezone.now() - datetime.timedelta(days=3))

    last_modified = parsedate_to_datetime(
        client.get("/en/offices/").headers["Last-Modified"]
    )

    midnight = datetime.datetime.combine(
        timezone.localdate(), datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    assert last_modified >= midnight


def test_yesterdays_validators_get_200_after_midnight(client, site, monkeypatch):
    first = client.get("/en/offices/iraq/")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)

    response = client.get(
        "/en/offices/iraq/", headers={"if-none-match": first.headers["ETag"]}
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    "url", ["/en/offices/nowhere/", "/en/pillars/nowhere/"], ids=["profile", "term"]
)
def test_a_missing_page_has_no_validators(client, db, url):
    response = client.get(url, headers={"if-none-match": "*"})

    assert response.status_code == 404
    assert "ETag" not in response.headers
    assert "public" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("url", ["/en/offices/", "/en/offices/iraq/", "/en/feed/"])
def test_staff_are_not_answered_with_the_public_validators(
    client, site, staff_user, url
):
    etag = client.get(url).headers["ETag"]
    client.force_login(staff_user)

    assert client.get(url, headers={"if-none-match": etag}).status_code == 200

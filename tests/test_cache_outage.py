"""The shared cache out, in one process: the breaker's clock (moved by hand,
never slept), what each feature does without the cache (pages and rate
limits carry on, sign-in answers a branded 503), and the stored pages that
answer while the database is out. The same against real Redis and
PostgreSQL failures, under gunicorn: operations/test_faults.py."""

import json
import logging
import time
from unittest import mock

import pytest
from django.core.cache import cache, caches
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from hrprofile import cache as bounded
from hrprofile import pagecache, throttle
from hrprofile.cache import BoundedRedisCache, Breaker, CacheUnavailable
from offices.editorial import workflow
from tests.factories import OfficeFactory, UserFactory
from tests.servers import free_port
from tests.support import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_breakers(monkeypatch):
    """Each test starts with the cache untried in this process."""
    monkeypatch.setattr(bounded, "_breakers", {})
    monkeypatch.setattr(throttle, "_warned", {})


@pytest.fixture
def clock(monkeypatch):
    """The breakers' clock, moved forward by hand: `clock.now += 10`."""
    clock = mock.Mock(now=1000.0)
    monkeypatch.setattr(Breaker, "clock", staticmethod(lambda: clock.now))
    return clock


@pytest.fixture
def cache_down(settings):
    """The default cache is a Redis nobody listens for: refused at once."""
    settings.CACHES = {
        "default": {
            "BACKEND": "hrprofile.cache.BoundedRedisCache",
            "LOCATION": f"redis://:secret@127.0.0.1:{free_port()}/0",
        }
    }
    return cache


def failing(calls):
    def method(*args, **kwargs):
        calls.append(args)
        raise ConnectionRefusedError("refused")

    return method


# The breaker


def test_a_failure_opens_the_breaker_for_ten_seconds_then_it_tries_again(clock):
    breaker, calls = Breaker("redis://cache"), []

    with pytest.raises(CacheUnavailable):
        breaker.call(failing(calls))
    clock.now += 9.9
    with pytest.raises(CacheUnavailable):
        breaker.call(failing(calls))
    assert len(calls) == 1  # skipped: the network is not touched

    clock.now += 0.2
    assert breaker.call(lambda: "answer") == "answer"
    assert not breaker.is_open()


def test_a_failed_retry_opens_the_breaker_again(clock):
    breaker, calls = Breaker("redis://cache"), []
    with pytest.raises(CacheUnavailable):
        breaker.call(failing(calls))

    clock.now += 10
    with pytest.raises(CacheUnavailable):
        breaker.call(failing(calls))
    clock.now += 5
    with pytest.raises(CacheUnavailable):
        breaker.call(failing(calls))

    assert len(calls) == 2


def test_the_outage_is_logged_once_and_its_end_once(clock, caplog):
    breaker, calls = Breaker("redis://cache"), []
    caplog.set_level(logging.WARNING, logger="hrprofile.cache")

    for _ in range(3):
        with pytest.raises(CacheUnavailable):
            breaker.call(failing(calls))
        clock.now += 10
    breaker.call(lambda: None)
    breaker.call(lambda: None)

    messages = [record.getMessage() for record in caplog.records]
    assert len(calls) == 3
    assert len(messages) == 2
    assert (
        "redis://cache is unavailable (ConnectionRefusedError: refused)"
        in (messages[0])
    )
    assert messages[1] == "The cache redis://cache answers again"


def test_the_window_is_the_cache_breaker_seconds_setting(cache_down, clock, settings):
    settings.CACHE_BREAKER_SECONDS = 3
    backend = caches["default"]

    with pytest.raises(CacheUnavailable):
        backend.get("key")
    clock.now += 2.9
    assert not backend.is_available()
    clock.now += 0.2
    assert backend.is_available()
    assert backend.breaker.seconds == 3
    assert Breaker("redis://cache", seconds=5).seconds == 5


def test_a_callers_mistake_is_not_an_outage(clock):
    breaker = Breaker("redis://cache")

    def incr_missing():
        raise ValueError("Key not found")

    with pytest.raises(ValueError):
        breaker.call(incr_missing)
    assert not breaker.is_open()


def test_the_backend_bounds_every_call_and_shares_one_breaker_per_process(
    cache_down, clock
):
    first = caches["default"]
    assert isinstance(first, BoundedRedisCache)
    assert first._options["socket_connect_timeout"] == 0.25
    assert first._options["socket_timeout"] == 0.25
    assert first._options["retry"].get_retries() == 0

    started = time.monotonic()
    with pytest.raises(CacheUnavailable):
        first.get("key")
    with pytest.raises(CacheUnavailable):
        first.incr("key")
    with pytest.raises(CacheUnavailable):
        first.get_or_set("key", 1)
    assert time.monotonic() - started < 1
    assert not first.is_available()
    # Another thread's backend object (Django makes one per thread).
    other = BoundedRedisCache(first._servers[0], {})
    assert other.breaker is first.breaker
    # The password stays out of the breaker's name, and so of the log.
    assert "secret" not in first.breaker.name


# What each feature does while the cache is out


def test_search_and_the_api_are_not_limited_without_the_cache(
    cache_down, settings, caplog, client
):
    settings.SEARCH_RATE_LIMIT = 1
    settings.API_RATE_LIMIT = "1/min"
    OfficeFactory(name="UN Human Rights in Iraq", slug="iraq")
    client = Client()
    caplog.set_level(logging.WARNING)

    searches = [client.get("/en/offices/?q=iraq").status_code for _ in range(3)]
    answers = [client.get("/api/v1/offices/").status_code for _ in range(3)]

    assert searches == [200, 200, 200]
    assert answers == [200, 200, 200]
    warnings = [
        r.getMessage() for r in caplog.records if r.name == "hrprofile.throttle"
    ]
    assert warnings == [
        "The search rate limit is not enforced while the cache is unavailable",
        "The api rate limit is not enforced while the cache is unavailable",
    ]


def test_staff_sign_in_answers_a_branded_503_without_the_cache(cache_down, caplog):
    UserFactory(username="editor", is_staff=True)
    client = Client()

    form = client.get(reverse("admin:login"))
    response = log_in(client, "editor")

    assert form.status_code == 200
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "no-store" in response["Cache-Control"]
    assert "Sign-in is unavailable for a moment." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert any(
        "Sign-in refused while the cache is unavailable" in r.getMessage()
        for r in caplog.records
    )
    # Said once at WARNING: no ERROR line (which would mail ADMINS) per attempt.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_sign_ins_retry_after_is_the_breakers_window(cache_down, settings):
    settings.CACHE_BREAKER_SECONDS = 4
    UserFactory(username="editor", is_staff=True)

    response = log_in(Client(), "editor")

    assert (response.status_code, response["Retry-After"]) == (503, "4")


def test_readyz_answers_200_and_reports_the_cache_outage(cache_down, client):
    response = Client().get("/readyz")

    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "cache": "failed"}
    assert "rate limits are not enforced (search, API)" in body["degraded"]


def test_readyz_names_the_database_first(cache_down, monkeypatch):
    from hrprofile import health

    def down():
        raise OperationalError("no database")

    monkeypatch.setitem(health.CHECKS, "database", down)

    response = Client().get("/readyz")

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["checks"] == {"database": "failed", "cache": "failed"}


# Stored pages while the database is out


@pytest.fixture
def database_down(monkeypatch):
    """The content version's query fails as an unreachable server does."""

    def down(page=None, scope=None):
        raise OperationalError("connection refused")

    def set_down(down_now=True):
        if down_now:
            monkeypatch.setattr(pagecache, "content_version", down)
        else:
            monkeypatch.undo()

    return set_down


def test_a_stored_page_answers_while_the_database_is_out(database_down, caplog):
    OfficeFactory(name="UN Human Rights in Iraq", slug="iraq")
    reader = Client(raise_request_exception=False)
    assert reader.get("/en/offices/iraq/").status_code == 200
    assert reader.get("/fr/offices/iraq/").status_code == 200
    database_down()

    response = reader.get("/en/offices/iraq/")

    assert response.status_code == 200
    assert response[pagecache.FALLBACK_HEADER] == "stored"
    assert "no-cache" in response["Cache-Control"]
    assert "UN Human Rights in Iraq" in response.content.decode()
    assert response["Content-Language"] == "en"
    assert reader.get("/fr/offices/iraq/")["Content-Language"] == "fr"
    assert any(
        "/en/offices/iraq/ answered from the stored page" in r.getMessage()
        for r in caplog.records
    )


def test_the_fallback_asks_the_cache_once_and_the_database_never(
    database_down, django_assert_num_queries
):
    OfficeFactory(slug="iraq")
    reader = Client()
    reader.get("/en/offices/iraq/")
    database_down()

    with (
        mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many,
        django_assert_num_queries(0),
    ):
        assert reader.get("/en/offices/iraq/").status_code == 200

    # The address's entry and the page it names, asked together.
    [(keys,)] = [call.args for call in get_many.call_args_list]
    assert len(keys) == 2


def test_a_page_never_stored_answers_the_branded_503(database_down):
    OfficeFactory(slug="iraq")
    reader = Client(raise_request_exception=False)
    reader.get("/en/offices/iraq/")
    database_down()

    for path in ["/en/offices/iraq/?utm_source=mail", "/ar/offices/iraq/"]:
        response = reader.get(path)
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert pagecache.FALLBACK_HEADER not in response


@pytest.mark.parametrize(
    "withdraw", ["unpublish", "delete", "move", "workflow unpublish", "soft delete"]
)
def test_a_withdrawn_page_never_comes_back_from_the_store(
    database_down, withdraw, staff_user
):
    office = OfficeFactory(slug="iraq")
    OfficeFactory(slug="sudan")
    reader = Client(raise_request_exception=False)
    for path in ["/en/offices/iraq/", "/fr/offices/iraq/", "/en/offices/sudan/"]:
        assert reader.get(path).status_code == 200
    if withdraw == "unpublish":
        office.status = office.Status.DRAFT
        office.save()
    elif withdraw == "delete":
        office.delete()
    elif withdraw == "workflow unpublish":
        workflow.unpublish(office, by=staff_user)
    elif withdraw == "soft delete":
        workflow.soft_delete(office, by=staff_user)
    else:
        office.slug = "iraq-office"
        office.record_old_slug("iraq")
        office.save()
    database_down()

    assert reader.get("/en/offices/iraq/").status_code == 503
    assert reader.get("/fr/offices/iraq/").status_code == 503
    # The other pages still answer from the store.
    assert reader.get("/en/offices/sudan/").status_code == 200


def test_the_index_answers_from_the_store_and_the_feed_too(database_down):
    OfficeFactory(name="UN Human Rights in Iraq", slug="iraq")
    reader = Client(raise_request_exception=False)
    for path in ["/en/offices/", "/en/feed/", "/en/offices/?q=iraq"]:
        assert reader.get(path).status_code == 200
    database_down()

    for path in ["/en/offices/", "/en/feed/", "/en/offices/?q=iraq"]:
        response = reader.get(path)
        assert response.status_code == 200, path
        assert response[pagecache.FALLBACK_HEADER] == "stored"
        assert "UN Human Rights in Iraq" in response.content.decode()


def test_pages_come_from_the_database_again_when_it_is_back(database_down):
    OfficeFactory(slug="iraq")
    reader = Client(raise_request_exception=False)
    reader.get("/en/offices/iraq/")
    database_down()
    assert reader.get("/en/offices/iraq/")[pagecache.FALLBACK_HEADER] == "stored"

    database_down(False)

    response = reader.get("/en/offices/iraq/")
    assert response.status_code == 200
    assert pagecache.FALLBACK_HEADER not in response
    assert "ETag" in response

"""Anonymous searches and filters get a fair share each; pages do not."""

import pytest
from django.core.cache import cache

from hrprofile import throttle
from tests.factories import OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 3
WINDOW = 60


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.SEARCH_RATE_LIMIT = LIMIT
    settings.SEARCH_RATE_WINDOW = WINDOW
    settings.TRUSTED_PROXY_COUNT = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch):
    """A settable clock for the throttle's windows (starts mid-window)."""
    now = {"t": 1_800_000_030.0}
    monkeypatch.setattr(throttle.time, "time", lambda: now["t"])
    return now


def search(client, query="?q=Erbil", ip="203.0.113.7", **headers):
    return client.get(f"/en/offices/{query}", REMOTE_ADDR=ip, headers=headers)


def test_searches_beyond_the_limit_get_a_branded_429(client, clock):
    answers = [search(client).status_code for _ in range(LIMIT)]
    refused = search(client)

    assert answers == [200] * LIMIT
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    assert "no-cache" in refused.headers["Cache-Control"]
    assert "public" not in refused.headers["Cache-Control"]
    assert "UN Human Rights" in refused.content.decode()


def test_a_flood_of_searches_is_held_to_the_limit(client, clock):
    """One client made 1,477 searches in 10 s and was never slowed."""
    statuses = [search(client, f"?q=word{i}").status_code for i in range(200)]

    assert statuses.count(200) == LIMIT
    assert statuses.count(429) == 200 - LIMIT


def test_filtered_index_pages_count_too(client, clock):
    for _ in range(LIMIT):
        search(client, "?region=africa")

    assert search(client, "?pillar=accountability").status_code == 429


def test_the_limit_is_per_client(client, clock):
    for _ in range(LIMIT + 1):
        search(client, ip="203.0.113.7")

    assert search(client, ip="198.51.100.9").status_code == 200


def test_the_limit_resets_with_the_next_window(client, clock):
    for _ in range(LIMIT + 1):
        search(client)
    clock["t"] += WINDOW

    assert search(client).status_code == 200


def test_the_plain_index_and_profiles_are_never_limited(client, clock):
    OfficeFactory(slug="iraq")
    for _ in range(LIMIT + 1):
        search(client)

    assert search(client, "").status_code == 200
    assert all(
        client.get("/en/offices/iraq/", REMOTE_ADDR="203.0.113.7").status_code == 200
        for _ in range(LIMIT * 3)
    )


def test_signed_in_staff_are_not_limited(client, clock):
    client.force_login(UserFactory(is_staff=True))

    assert all(search(client).status_code == 200 for _ in range(LIMIT * 3))


def test_behind_a_proxy_the_client_is_the_proxys_last_hop(client, clock, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for i in range(LIMIT):
        # A client can write anything at the left of the header; it changes nothing.
        search(client, ip=proxy, x_forwarded_for=f"192.0.2.{i}, 203.0.113.7")

    spoofed = search(client, ip=proxy, x_forwarded_for="192.0.2.99, 203.0.113.7")
    neighbour = search(client, ip=proxy, x_forwarded_for="198.51.100.9")

    assert spoofed.status_code == 429
    assert neighbour.status_code == 200


def test_without_trusted_proxies_forwarded_for_is_ignored(client, clock):
    for i in range(LIMIT):
        search(client, x_forwarded_for=f"192.0.2.{i}")

    assert search(client, x_forwarded_for="192.0.2.200").status_code == 429

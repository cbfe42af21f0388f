"""The API's rate limit holds under concurrency: many requests of one client
at the same moment, counted in the shared Redis as production counts them,
never let more than the limit through (DRF's stock throttle read the history,
then wrote it back, and let about 13 % more through)."""

import threading
import uuid
from types import SimpleNamespace

import pytest
import redis
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.test import RequestFactory

from hrprofile import throttle
from hrprofile.api.views import ApiThrottle

REDIS_URL = "redis://127.0.0.1:6379/11"
LIMIT = 20
CLIENTS = 4
REQUESTS_PER_CLIENT = 60


@pytest.fixture
def shared_redis_cache(settings):
    """The default cache in Redis, under a prefix of its own (other test runs
    may share the server), removed afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"No Redis answers at {REDIS_URL}: this test needs one")
    prefix = f"throttle-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.API_RATE_LIMIT = f"{LIMIT}/min"
    settings.TRUSTED_PROXY_COUNT = 0
    yield
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    caches["default"].close()


@pytest.fixture
def mid_window(monkeypatch):
    """The limit's windows are aligned to the clock: a burst that straddled
    two would rightly pass twice. Hold the throttle's clock mid-window."""
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: 1_800_000_030))


def api_request(address):
    request = RequestFactory().get("/api/v1/tags/", REMOTE_ADDR=address)
    request.user = AnonymousUser()  # as DRF's view leaves it
    return request


def call_at_once(count, address):
    """count API requests from address, released together; how many passed."""
    barrier = threading.Barrier(count)
    allowed = []

    def request():
        throttle = ApiThrottle()
        request = api_request(address)
        barrier.wait()
        allowed.append(throttle.allow_request(request, None))
        caches["default"].close()

    threads = [threading.Thread(target=request) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return allowed.count(True)


def test_concurrent_requests_never_pass_the_limit(shared_redis_cache, mid_window):
    passed = [
        call_at_once(REQUESTS_PER_CLIENT, f"203.0.113.{client}")
        for client in range(CLIENTS)
    ]

    assert passed == [LIMIT] * CLIENTS


def test_past_the_limit_the_wait_is_the_rest_of_the_window(
    shared_redis_cache, mid_window
):
    request = api_request("198.51.100.4")
    throttles = [ApiThrottle() for _ in range(LIMIT + 1)]

    answers = [throttle.allow_request(request, None) for throttle in throttles]

    assert answers == [True] * LIMIT + [False]
    assert throttles[-1].wait() == 30

"""The shared cache (Redis), bounded: an outage costs speed, never availability.

Every user of the cache goes through this backend (CACHES in settings): the
page cache and its stored parts, the search and API rate limits, the login
lockouts, the error emails' throttle, the readiness check. So each gets the
same behaviour when Redis fails:

- a call waits CONNECT_TIMEOUT to connect and SOCKET_TIMEOUT for an answer,
  with no retry: a Redis that is frozen (connections open, no answer) costs
  a request a quarter of a second, not the 10 s or more of redis-py's
  defaults and retries;
- after a failure the process skips the cache for CACHE_BREAKER_SECONDS (a
  setting, 10 s unless the environment says otherwise: a circuit breaker):
  calls raise CacheUnavailable at once, without touching the network; then
  the next call tries Redis again, and the cache is used as before if it
  answers. No restart is needed.
- the outage is logged once per process (and its end), not once per call.

What a caller does with CacheUnavailable is decided per feature and
documented in docs/deployment.md ("When a dependency fails"): the page cache
renders the page, rate limits let the request through (fail open), staff
sign-in answers a branded 503 (fail closed: the lockout counters have no
other home).
"""

import functools
import logging
import threading
import time
import urllib.parse

import redis
from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 0.25  # seconds to open a connection to Redis
SOCKET_TIMEOUT = 0.25  # seconds to wait for Redis to answer a command

# What tells that Redis is unreachable or not answering (a refused or
# dropped connection, a timeout), as opposed to a caller's mistake (incr of
# a missing key raises ValueError, and is passed on as it is).
FAILURES = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class CacheUnavailable(Exception):
    """The shared cache cannot be used now (it failed, or did so recently).

    outage: which outage of this process it is (1, 2, …), so that a caller
    can say something once per outage too.
    """

    def __init__(self, message, outage=0):
        super().__init__(message)
        self.outage = outage


class Breaker:
    """When this process next tries the cache after a failure.

    One per cache address and process, shared by its threads (Django makes a
    backend object per thread). `seconds` is how long the cache is skipped
    after a failure: settings.CACHE_BREAKER_SECONDS unless given. `clock` is
    time.monotonic, replaced in tests.
    """

    clock = staticmethod(time.monotonic)

    def __init__(self, name, seconds=None):
        self.name = name
        self.seconds = settings.CACHE_BREAKER_SECONDS if seconds is None else seconds
        self.open_until = None  # a clock() value while the cache is skipped
        self.failing = False  # whether the outage was logged (and not its end)
        self.outages = 0  # outages this process has seen
        self._lock = threading.Lock()

    def is_open(self):
        """Whether calls are skipped now (a failure less than `seconds` ago)."""
        until = self.open_until
        return until is not None and self.clock() < until

    def failed(self, error):
        with self._lock:
            self.open_until = self.clock() + self.seconds
            first = not self.failing
            self.failing = True
            self.outages += first
        if first:
            logger.warning(
                "The cache %s is unavailable (%s: %s): this process skips it "
                "for %d s at a time until it answers again",
                self.name,
                type(error).__name__,
                error,
                self.seconds,
            )

    def succeeded(self):
        if not self.failing:
            return
        with self._lock:
            recovered, self.failing, self.open_until = self.failing, False, None
        if recovered:
            logger.warning("The cache %s answers again", self.name)

    def call(self, method, *args, **kwargs):
        if self.is_open():
            raise CacheUnavailable(
                f"the cache {self.name} failed recently", self.outages
            )
        try:
            result = method(*args, **kwargs)
        except FAILURES as error:
            self.failed(error)
            raise CacheUnavailable(
                f"the cache {self.name} failed", self.outages
            ) from error
        self.succeeded()
        return result


_breakers = {}
_breakers_lock = threading.Lock()


def breaker_for(name):
    """The process's breaker for the cache at `name` (its address), whose
    window is settings.CACHE_BREAKER_SECONDS when it is first made."""
    with _breakers_lock:
        return _breakers.setdefault(name, Breaker(name))


def _without_password(url):
    """A Redis URL as the log may show it."""
    parts = urllib.parse.urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def _guarded(name):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        return self.breaker.call(method, self, *args, **kwargs)

    return guarded


class ReusedRedisClient(RedisCacheClient):
    """Django's Redis client, which makes one redis.Redis per server and
    keeps it: Django's makes a new one for every call, whose set-up (its
    response callbacks, a few hundred entries) cost more than a cached page's
    round trip to Redis. A redis.Redis is safe to share between threads: each
    command takes a connection from the pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class BoundedRedisCache(RedisCache):
    """Django's Redis cache with short timeouts, no retries and a breaker.

    Every operation RedisCache defines is guarded; the rest of Django's cache
    API (get_or_set, decr, the async methods) is built on them.
    """

    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**params.get("OPTIONS", {})}}
        options = params["OPTIONS"]
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT)
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, params)
        self._class = ReusedRedisClient
        self.breaker = breaker_for(",".join(map(_without_password, self._servers)))

    def is_available(self):
        """Whether this process uses the cache now (its breaker is closed)."""
        return not self.breaker.is_open()

    add = _guarded("add")
    get = _guarded("get")
    set = _guarded("set")
    touch = _guarded("touch")
    delete = _guarded("delete")
    get_many = _guarded("get_many")
    has_key = _guarded("has_key")
    incr = _guarded("incr")
    set_many = _guarded("set_many")
    delete_many = _guarded("delete_many")
    clear = _guarded("clear")

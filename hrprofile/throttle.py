"""Per-client limits kept in the shared cache: who is asking, and how often.

Django's cache `add` and `incr` are atomic on Redis, so every app instance
counts against the same window. The local-memory cache counts per process,
which is fine for one process and for tests (docs/deployment notes say so).
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from hrprofile.cache import CacheUnavailable

logger = logging.getLogger(__name__)

# The cache outage (hrprofile.cache.Breaker.outages) each scope's limit was
# last said to be off in: once per scope, process and outage.
_warned = {}


def client_ip(request):
    """The client's address, trusting only the proxies we run.

    Behind TRUSTED_PROXY_COUNT proxies, each appends the address it saw to
    X-Forwarded-For, so the client is that many hops from the right; anything
    further left was written by the client and proves nothing.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [
            hop.strip()
            for hop in request.headers.get("x-forwarded-for", "").split(",")
            if hop.strip()
        ]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")


def seconds_to_wait(scope, key, *, limit, window):
    """Count one request of key in a fixed window; 0 if allowed, else the wait.

    The window is aligned to the clock, so every instance agrees on it.
    While the shared cache is out, the limit is not enforced (fail open): a
    rate limit protects the database, and refusing every reader would do the
    outage's harm for it. The log says so (once per scope, process and
    outage) and /readyz reports it.
    """
    try:
        return _count(scope, key, limit=limit, window=window)
    except CacheUnavailable as outage:
        if _warned.get(scope) != outage.outage:
            _warned[scope] = outage.outage
            logger.warning(
                "The %s rate limit is not enforced while the cache is unavailable",
                scope,
            )
        return 0


def _count(scope, key, *, limit, window):
    now = int(time.time())
    start = now - now % window
    counter = f"throttle:{scope}:{key}:{start}"
    if cache.add(counter, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(counter)
        except ValueError:  # expired between add and incr
            cache.add(counter, 1, timeout=window + 5)
            count = 1
    return 0 if count <= limit else start + window - now

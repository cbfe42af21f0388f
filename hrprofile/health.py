"""Liveness and readiness, for load balancers and orchestrators.

/healthz says the process answers (no database, no cache); /readyz says
whether the database and the cache each answer within READY_TIMEOUT seconds:
503 naming the database when it failed (monitoring reads it), 200 with
"degraded" and what it costs when only the cache failed (the node serves).
The shipped probes use /healthz for readiness too: nodes that cannot reach
the database still serve stored pages (hrprofile/pagecache.py).
Neither is cached, rate-limited or logged at INFO (RequestLogMiddleware).
Anyone may ask: /readyz names the check that failed, and only the log says
why (an error's text names the database's address and user).
"""

import concurrent.futures
import logging
import uuid

from django.core.cache import cache
from django.db import connections
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

READY_TIMEOUT = 2  # seconds, for each dependency
logger = logging.getLogger(__name__)
HEALTH_PATHS = {"/healthz", "/readyz"}

# Checks run in worker threads so that a dependency that never answers costs
# READY_TIMEOUT, not the client's patience. Database connections are per
# thread in Django: each check closes its own.
_checks = concurrent.futures.ThreadPoolExecutor(
    max_workers=4, thread_name_prefix="readyz"
)


def _database():
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()


def _cache():
    key, value = f"readyz:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)


CHECKS = {"database": _database, "cache": _cache}


class HealthCheckMiddleware:
    """Answers /healthz and /readyz before anything else looks at the request.

    Load balancers and orchestrators probe by IP address, a Host that
    ALLOWED_HOSTS rightly refuses, and often over plain HTTP: the probes
    must not depend on either.
    """

    views = {}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = self.views.get(request.path)
        return view(request) if view else self.get_response(request)


@never_cache
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
def readyz(request):
    futures = {name: _checks.submit(check) for name, check in CHECKS.items()}
    results = {}
    for name, future in futures.items():
        try:
            future.result(timeout=READY_TIMEOUT)
        except concurrent.futures.TimeoutError:
            failure = f"no answer within {READY_TIMEOUT} s"
        except Exception as error:  # any failure of a dependency is "not ready"
            failure = f"{type(error).__name__}: {error}".strip()
        else:
            results[name] = "ok"
            continue
        logger.warning("readyz: the %s check failed: %s", name, failure)
        results[name] = "failed"
    return _readiness(results)


# What still works, and what does not, while the cache is out (the node
# serves: hrprofile/cache.py, docs/deployment.md "When a dependency fails").
CACHE_OUTAGE = [
    "pages are rendered for each request (no page cache)",
    "rate limits are not enforced (search, API)",
    "staff sign-in is unavailable (503)",
]


def _readiness(results):
    """503 when the database failed (nothing can be written or read fresh);
    200 when only the cache did, with what that costs in the answer."""
    body = {"status": "ready", "checks": results}
    if results["cache"] != "ok":
        body["status"] = "degraded"
        body["degraded"] = CACHE_OUTAGE
    if results["database"] != "ok":
        body["status"] = "unavailable"
    return JsonResponse(body, status=503 if body["status"] == "unavailable" else 200)


HealthCheckMiddleware.views = {"/healthz": healthz, "/readyz": readyz}

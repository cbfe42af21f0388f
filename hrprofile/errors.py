"""The branded error pages the site's own code answers: 429 and 503, and
handler500's choice between a 503 (the database is down) and a 500 (a bug);
staff sign-in's 503 while the shared cache is out.

The 400, 403 and 404 pages are Django's default handlers with our templates;
under /api/ the same errors are JSON (hrprofile/api/errors.py).
"""

import logging
import sys

from django.conf import settings
from django.contrib import admin
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views import defaults

from hrprofile.cache import CacheUnavailable

logger = logging.getLogger(__name__)


def too_many_requests(request, retry_after):
    """The branded 429: when to come back, never stored by any cache."""
    response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response


# How long a client should wait before trying again when the database is down.
UNAVAILABLE_RETRY_AFTER = 30


def service_unavailable(request):
    """The branded 503: the database cannot be reached. Needs no database."""
    response = HttpResponse(
        loader.render_to_string("503.html"),
        status=503,
    )
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
    add_never_cache_headers(response)
    return response


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: an unreachable database is an outage (503), not a bug (500).

    Django calls this while it handles the exception, wherever it was raised
    (a view, a middleware reading the session or the user), so one place
    answers every page, the admin's included.
    """
    if isinstance(sys.exception(), (OperationalError, InterfaceError)):
        return service_unavailable(request)
    return defaults.server_error(request, template_name)


def sign_in_unavailable(request):
    """The branded 503 of a sign-in while the shared cache is out.

    Failed logins are counted there (hrprofile/lockouts.py), and nowhere
    else on purpose: counting them in the database would bring back the
    writes per attempt that the lockouts cap. So sign-in fails closed, and
    says so honestly: when to come back (the cache's breaker window,
    CACHE_BREAKER_SECONDS), never a 500. Needs no cache and no database.
    """
    context = {**admin.site.each_context(request), "title": _("Sign-in unavailable")}
    response = render(
        request, "registration/sign_in_unavailable.html", context, status=503
    )
    response["Retry-After"] = str(settings.CACHE_BREAKER_SECONDS)
    add_never_cache_headers(response)
    return response


class CacheOutageMiddleware:
    """Answers sign_in_unavailable when a view needed the shared cache and it
    is out: only the login lockouts let CacheUnavailable through (every other
    user of the cache carries on without it: hrprofile/cache.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, CacheUnavailable):
            return None
        logger.warning("Sign-in refused while the cache is unavailable: %s", exception)
        response = sign_in_unavailable(request)
        # Said above, at WARNING: not Django's ERROR line for a 5xx too, which
        # would mail ADMINS at each attempt (the cache's outage is logged once).
        response._has_been_logged = True
        return response

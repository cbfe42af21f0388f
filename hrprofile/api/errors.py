"""The API's errors, always JSON: {"status", "code", "detail"} (and "errors"
for a 400 that names the bad query parameters).

exception_handler answers for the API's views (REST_FRAMEWORK's
EXCEPTION_HANDLER); bad_request and server_error are the project's
handler400 and handler500, JSON under /api/ and the site's pages elsewhere.
"""

import sys

from django.conf import settings
from django.core import signals
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers
from django.utils.log import log_response
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from hrprofile.errors import UNAVAILABLE_RETRY_AFTER
from hrprofile.errors import server_error as page_server_error


class InvalidQuery(exceptions.ValidationError):
    """A query string with unknown or invalid parameters, each named."""

    default_code = "invalid_query"

    def __init__(self, errors):
        super().__init__(errors)
        self.summary = _("Invalid query parameters: %(names)s.") % {
            "names": ", ".join(sorted(errors))
        }


def is_api_request(request):
    """Whether the request is for an address under /api/ (the api namespace)."""
    try:
        return resolve(request.path_info).app_name == "api"
    except Resolver404:
        return False


def error_body(status, code, detail, errors=None):
    body = {"status": status, "code": code, "detail": str(detail)}
    if errors is not None:
        body["errors"] = errors
    return body


def error_response(status, code, detail, errors=None, headers=None):
    return Response(
        error_body(status, code, detail, errors), status=status, headers=headers
    )


def failure_body(exc):
    """(status, body, headers) for an unexpected exception: a 500, or a 503
    while the database is unreachable."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        detail = _("The service is briefly unavailable. Please try again shortly.")
        return (
            503,
            error_body(503, "service_unavailable", detail),
            {"Retry-After": str(UNAVAILABLE_RETRY_AFTER)},
        )
    detail = _("Something went wrong on our side.")
    return 500, error_body(500, "server_error", detail), {}


def unexpected_error(exc, request):
    """A 500 (503 while the database is unreachable) as JSON.

    Reported as Django reports any uncaught exception (the log, ADMINS, the
    got_request_exception signal), only not answered with an HTML page.
    """
    signals.got_request_exception.send(sender=None, request=request)
    status, body, headers = failure_body(exc)
    response = Response(body, status=status, headers=headers)
    log_response(
        "%s: %s",
        response.reason_phrase,
        request.path,
        response=response,
        request=request,
        exception=exc,
    )
    return response


def json_error(status, body, headers=None):
    """An error answered outside the API's views (by Django's handlers)."""
    response = JsonResponse(body, status=status, headers=headers)
    add_never_cache_headers(response)
    return response


def bad_request(request, exception):
    """handler400 (a Host header not in ALLOWED_HOSTS, a malformed request):
    JSON under /api/, the site's page elsewhere."""
    if not is_api_request(request):
        return defaults.bad_request(request, exception)
    detail = _("The request could not be understood (for example its Host header).")
    return json_error(400, error_body(400, "bad_request", detail))


def server_error(request):
    """handler500: JSON under /api/ (for what fails outside the API's views:
    a middleware, the rendering), the site's page elsewhere. Django has
    logged and reported the exception already."""
    if not is_api_request(request):
        return page_server_error(request)
    status, body, headers = failure_body(sys.exception())
    return json_error(status, body, headers)


def exception_handler(exc, context):
    """Every API error as {"status", "code", "detail"} (and "errors" for a 400).

    Unexpected exceptions too, except in local DEBUG mode, where Django's
    technical page helps more.
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Nothing at this address."))
    response = drf_exception_handler(exc, context)
    if response is None:
        if settings.DEBUG:
            return None
        return unexpected_error(exc, context["request"]._request)
    if isinstance(exc, exceptions.ValidationError):
        detail = getattr(exc, "summary", _("Invalid request."))
        errors = response.data if isinstance(response.data, dict) else None
    else:
        detail, errors = exc.detail, None
    code = getattr(exc, "default_code", "error")
    # DRF's handler adds Retry-After to a 429.
    headers = {
        name: response[name]
        for name in ("Retry-After", "WWW-Authenticate")
        if response.has_header(name)
    }
    return error_response(response.status_code, code, detail, errors, headers)

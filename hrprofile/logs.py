"""Logs: one JSON object per line in production, readable lines locally.

Every line carries the request id: taken from X-Request-ID when our own proxy
sends one (BEHIND_PROXY), otherwise made here, and echoed in the response, so
a user's report, the proxy's log and ours meet on one id.
"""

import contextvars
import logging
import re
import time
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError

from hrprofile.health import HEALTH_PATHS

request_id = contextvars.ContextVar("request_id", default="-")
# Ids we accept from the proxy: short, and nothing that could forge a log line.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

logger = logging.getLogger("hrprofile.request")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True


class NotDatabaseOutage(logging.Filter):
    """Keeps a database outage out of ADMINS' inboxes: one mail per request
    would bury them, and /readyz and the 503s already say it."""

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, (OperationalError, InterfaceError))


class RequestLogMiddleware:
    """One log line per request: method, path, status and duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        trusted = settings.BEHIND_PROXY and VALID_REQUEST_ID.match(incoming)
        request.request_id = incoming if trusted else uuid.uuid4().hex
        token = request_id.set(request.request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            logger.log(
                logging.DEBUG if request.path in HEALTH_PATHS else logging.INFO,
                "%s %s %s %sms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            request_id.reset(token)

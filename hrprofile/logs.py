"""Logs: one JSON object per line in production, readable lines locally.

Every line carries the request id: taken from X-Request-ID when our own proxy
sends one (BEHIND_PROXY), otherwise made here, and echoed in the response, so
a user's report, the proxy's log and ours meet on one id.

No secret reaches a log line or an error email: a reviewer's calendar address
carries the token that opens it, and is logged with the token redacted (here,
in gunicorn.conf.py's access log and in the shipped nginx's log_format,
deploy/nginx/templates/).
"""

import contextvars
import hashlib
import logging
import re
import threading
import time
import uuid
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.utils import log as django_log

from hrprofile.health import HEALTH_PATHS

request_id = contextvars.ContextVar("request_id", default="-")
# Ids we accept from the proxy: short, and nothing that could forge a log line.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

logger = logging.getLogger("hrprofile.request")

# A secret in a URL's path, wherever the path appears in a text: the token of
# a reviewer's calendar feed ("calendar/<user_id>/<token>/reviews.ics",
# hrprofile/urls.py). The user id stays: it tells whose feed was asked for.
SECRET_IN_PATH = re.compile(r"(/calendar/[^/\s'\"]*/)[^/\s'\"]+")
REDACTED = "[redacted]"
# Characters after which a log reader may start a new line, or that a terminal
# obeys: C0 and C1 controls, DEL, Unicode's line and paragraph separators.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def redact(text):
    """text with the secrets of any URL path in it replaced by [redacted]."""
    return SECRET_IN_PATH.sub(rf"\1{REDACTED}", text)


def loggable(text):
    """A path (or a request line, a header) as a log line shows it: secrets
    redacted and control characters percent-encoded as on the wire, so that
    one request stays one line."""
    return CONTROL.sub(lambda match: quote(match[0], safe=""), redact(text))


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


class RedactSecrets(logging.Filter):
    """Redacts secrets from any record's message and arguments: Django's "Not
    Found: <path>" warning is written for a wrong calendar token too."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


class AsWarning(logging.Filter):
    """Logs a record at WARNING, without its traceback. For a refused Host
    header (DisallowedHost): anyone can send one, on every request, so it is
    worth a line and no email."""

    def filter(self, record):
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True


class OncePerMessage(logging.Filter):
    """Lets an error email through at most once per message and interval.

    Counted in the cache that every worker shares: cache.add() stores the key
    only if it is absent (SET NX in Redis), so exactly one worker wins. While
    the cache itself is down, each process counts for itself.
    """

    def __init__(self, seconds=600):
        super().__init__()
        self.seconds = seconds
        self._lock = threading.Lock()
        self._until = {}  # key: time.monotonic() until which it is sent

    def filter(self, record):
        message = redact(record.getMessage())
        key = "error-email:" + hashlib.sha256(message.encode()).hexdigest()
        try:
            return cache.add(key, 1, timeout=self.seconds)
        except Exception:  # any cache failure: fall back to this process
            return self._first_here(key)

    def _first_here(self, key):
        now = time.monotonic()
        with self._lock:
            self._until = {k: t for k, t in self._until.items() if t > now}
            if key in self._until:
                return False
            self._until[key] = now + self.seconds
            return True


class AdminEmailHandler(django_log.AdminEmailHandler):
    """Django's error email, with the secrets of every path in it redacted:
    the subject, the request URL, META and the exception's text.

    A mail server that refuses or times out is a line in the log: Django's
    handler lets the error through, which turned the request's answer into a
    500 and sent (tried) a second email about that.
    """

    def emit(self, record):
        try:
            super().emit(record)
        except Exception as error:  # whatever the mail server did
            logging.getLogger(__name__).warning(
                "The error email could not be sent: %s: %s",
                type(error).__name__,
                error,
            )

    def send_mail(self, subject, message, *args, **kwargs):
        if kwargs.get("html_message"):
            kwargs["html_message"] = redact(kwargs["html_message"])
        super().send_mail(redact(subject), redact(message), *args, **kwargs)


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
            path = loggable(request.path)
            logger.log(
                logging.DEBUG if request.path in HEALTH_PATHS else logging.INFO,
                "%s %s %s %sms",
                request.method,
                path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            request_id.reset(token)

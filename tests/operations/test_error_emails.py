"""Error emails cannot be turned against the site: a refused Host header is a
warning in the log and no email, a stalled SMTP server holds a worker 5 s at
most, the same error is emailed once in ten minutes, and no email carries a
calendar token. The first three against a real gunicorn."""

import contextlib
import json
import socket
import threading
import time
import types
import urllib.error
import urllib.request

import pytest
from django.core import mail
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import locmem
from django.test import Client

from offices import calendar
from tests.factories import UserFactory
from tests.servers import Gunicorn, database_url, production_env

pytestmark = pytest.mark.django_db

ERROR_EMAIL_TIMEOUT = 5
MARGIN = 1.5  # start-up of a request, a slow machine
# More form fields than Django parses (DATA_UPLOAD_MAX_NUMBER_FIELDS): reading
# them is a SuspiciousOperation, logged at ERROR, which anyone can cause.
TOO_MANY_FIELDS = b"a&" * 50_000


class StalledSmtpServer:
    """Accepts connections and never says a word (not even its greeting)."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        for connection in [*self.connections, self.listener]:
            with contextlib.suppress(OSError):
                connection.close()


@pytest.fixture
def smtp():
    server = StalledSmtpServer()
    yield server
    server.close()


@pytest.fixture
def server(smtp, static_root, tmp_path):
    env = production_env(
        DATABASE_URL=database_url(),
        STATIC_ROOT=str(static_root),
        ADMINS="ops@example.org",
        # EMAIL_URL's own timeout stays the default (10 s).
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}?tls=false",
    )
    server = Gunicorn(env, tmp_path / "server.log")
    yield server
    server.stop()


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def post_too_many_fields(server):
    """A form post the CSRF check must parse, with too many fields: 400."""
    request = urllib.request.Request(
        server.url("/en/offices/"),
        data=TOO_MANY_FIELDS,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "csrftoken=" + "a" * 32,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_refused_host_is_logged_as_a_warning_and_never_emailed(server, smtp):
    (status, _, _), elapsed = timed(
        lambda: server.get("/en/", headers={"Host": "attacker.example"}, timeout=30)
    )
    time.sleep(0.3)

    assert status == 400
    assert elapsed < MARGIN
    assert smtp.connections == []
    lines = [json.loads(line) for line in server.log().splitlines()]
    [refused] = [
        line for line in lines if line["logger"] == "django.security.DisallowedHost"
    ]
    assert refused["level"] == "WARNING"
    assert "attacker.example" in refused["message"]


def test_a_repeated_error_waits_for_a_stalled_smtp_server_once(server, smtp):
    first, first_elapsed = timed(lambda: post_too_many_fields(server))
    second, second_elapsed = timed(lambda: post_too_many_fields(server))

    assert (first, second) == (400, 400), server.log()
    # The first email was tried, and given up after ERROR_EMAIL_TIMEOUT.
    assert len(smtp.connections) == 1
    assert first_elapsed < ERROR_EMAIL_TIMEOUT + MARGIN
    # The second, the same error within ten minutes, sends nothing.
    assert second_elapsed < MARGIN


@pytest.fixture
def cache_clock(monkeypatch):
    """The cache's clock, which counts the ten minutes: [seconds from now]."""
    offset = [0]
    clock = types.SimpleNamespace(time=lambda: time.time() + offset[0])
    for module in (cache_base, locmem):
        monkeypatch.setattr(module, "time", clock)
    return offset


def test_the_same_error_is_emailed_once_in_ten_minutes(settings, cache_clock):
    settings.ADMINS = ["ops@example.org"]
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = "a" * 32

    def post():
        return client.post(
            "/en/offices/",
            TOO_MANY_FIELDS,
            content_type="application/x-www-form-urlencoded",
        ).status_code

    assert [post(), post(), post()] == [400, 400, 400]
    assert len(mail.outbox) == 1
    cache_clock[0] = 599
    post()
    assert len(mail.outbox) == 1
    cache_clock[0] = 601
    post()
    assert len(mail.outbox) == 2


def test_an_error_email_carries_no_calendar_token(settings, monkeypatch):
    settings.ADMINS = ["ops@example.org"]
    feed = calendar.reset_feed(UserFactory(is_staff=True))
    token = calendar.token_for(feed)

    def fail(user, **kwargs):
        raise RuntimeError("the calendar broke")

    monkeypatch.setattr(calendar, "review_calendar", fail)
    response = Client(raise_request_exception=False).get(calendar.feed_path(feed))

    assert response.status_code == 500
    [email] = mail.outbox
    assert token not in email.subject
    assert token not in email.body
    assert f"/calendar/{feed.user_id}/[redacted]/reviews.ics" in email.subject
    assert "the calendar broke" in email.body

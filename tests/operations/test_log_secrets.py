"""What a real gunicorn writes to its output keeps no secret and no forged
line: a reviewer's calendar address (the token in it is the login) is
redacted in the app's request log, gunicorn's access log and Django's "Not
Found" warning, and a path with a newline (%0A) is still one JSON line."""

import json
import time

import pytest
from django.test import override_settings

from offices import calendar
from tests.factories import UserFactory
from tests.servers import Gunicorn, database_url, production_env

pytestmark = pytest.mark.django_db

REDACTED = "[redacted]"


@pytest.fixture(scope="module")
def server(static_root, committed, tmp_path_factory):
    env = production_env(DATABASE_URL=database_url(), STATIC_ROOT=str(static_root))
    server = Gunicorn(env, tmp_path_factory.mktemp("gunicorn") / "server.log")
    server.secret_key = env["SECRET_KEY"]
    yield server
    server.stop()


@pytest.fixture(scope="module")
def feed(committed):
    reviewer = committed(UserFactory, username="reviewer", is_staff=True)
    return committed(lambda: calendar.reset_feed(reviewer))


def lines_after(server, path, **kwargs):
    """The answer to path, and every line the server wrote for it (parsed)."""
    before = len(server.log().splitlines())
    status, _, body = server.get(path, **kwargs)
    time.sleep(0.3)  # gunicorn writes its access line after the answer
    written = server.log().splitlines()[before:]
    return status, body, [json.loads(line) for line in written]


def test_a_calendar_address_is_redacted_in_every_log_line(server, feed):
    with override_settings(SECRET_KEY=server.secret_key):
        path, token = calendar.feed_path(feed), calendar.token_for(feed)
    redacted = f"/calendar/{feed.user_id}/{REDACTED}/reviews.ics"

    status, body, lines = lines_after(server, path)

    assert status == 200, body
    assert "BEGIN:VCALENDAR" in body
    assert token not in server.log()
    app, access = by_logger(lines, "hrprofile.request", "gunicorn.access")
    assert app["path"] == redacted
    assert redacted in app["message"]
    assert access["path"] == redacted
    assert access["message"] == f"GET {redacted} HTTP/1.1"


def test_a_wrong_token_is_a_404_whose_warning_keeps_no_token(server, feed):
    wrong = "f" * 64
    path = f"/calendar/{feed.user_id}/{wrong}/reviews.ics"

    status, _, lines = lines_after(server, path)

    assert status == 404
    assert wrong not in server.log()
    [not_found] = [line for line in lines if line["logger"] == "django.request"]
    assert not_found["level"] == "WARNING"
    assert not_found["message"] == (
        f"Not Found: /calendar/{feed.user_id}/{REDACTED}/reviews.ics"
    )


def test_a_newline_in_the_path_cannot_forge_a_log_line(server):
    forged = '{"logger": "forged", "level": "CRITICAL"}'
    path = "/en/nothing%0A" + "".join(f"%{byte:02X}" for byte in forged.encode())

    status, _, lines = lines_after(server, path)

    assert status == 404
    # Every line parsed as JSON (lines_after), and none is the forged one.
    assert "forged" not in {line["logger"] for line in lines}
    app, access = by_logger(lines, "hrprofile.request", "gunicorn.access")
    assert app["path"].startswith("/en/nothing%0A{")
    assert access["path"] == app["path"]


def by_logger(lines, *names):
    found = {line["logger"]: line for line in lines}
    return [found[name] for name in names]

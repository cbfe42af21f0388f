"""Honest when the database is down: 503 within the connect timeout, health
and readiness that say what failed, and recovery without a restart. The
server is a real gunicorn; the database sits behind a relay we can stop."""

import json
import time

import pytest

from tests.factories import OfficeFactory
from tests.servers import Gunicorn, production_env

# The server reads rows committed by the module's fixtures; the mark makes
# pytest-django set up the test database for this module.
pytestmark = pytest.mark.django_db

CONNECT_TIMEOUT = 2  # DATABASE_CONNECT_TIMEOUT for this server (default 3)
MARGIN = 1.5  # start-up of a request, a reconnect attempt, a slow machine


@pytest.fixture(scope="module")
def server(relay, static_root, committed, tmp_path_factory):
    committed(OfficeFactory, slug="iraq", name="UN Human Rights in Iraq")
    from tests.servers import database_url

    env = production_env(
        DATABASE_URL=database_url(port=relay.port),
        DATABASE_CONNECT_TIMEOUT=str(CONNECT_TIMEOUT),
        STATIC_ROOT=str(static_root),
        BEHIND_PROXY="true",
    )
    server = Gunicorn(env, tmp_path_factory.mktemp("gunicorn") / "server.log")
    yield server
    server.stop()


@pytest.fixture
def outage(relay, server):
    """Set the relay's mode for one test; it forwards again afterwards."""
    yield relay.set_mode
    relay.set_mode("forwarding")


def timed(server, path, **kwargs):
    started = time.monotonic()
    answer = server.get(path, **kwargs)
    return (*answer, time.monotonic() - started)


def test_pages_answer_while_the_database_is_up(server):
    status, _, html, _ = timed(server, "/en/offices/iraq/")

    assert status == 200
    assert "UN Human Rights in Iraq" in html


@pytest.mark.parametrize("mode", ["stopped", "silent"])
def test_public_pages_answer_503_within_the_connect_timeout(server, outage, mode):
    """A page never stored; the stored ones answer from the store
    (test_faults.py)."""
    outage(mode)

    status, headers, html, elapsed = timed(server, f"/en/offices/iraq/?new={mode}")

    assert status == 503
    assert headers["Retry-After"] == "30"
    assert (
        "no-store" in headers["Cache-Control"] or "no-cache" in headers["Cache-Control"]
    )
    assert "This site is briefly unavailable" in html
    assert elapsed < CONNECT_TIMEOUT + MARGIN


def test_a_silent_database_is_waited_for_no_longer_than_the_timeout(server, outage):
    """Without a connect timeout each request hung 30 s, then answered 500."""
    outage("silent")

    *_, elapsed = timed(server, "/en/offices/?never=stored")

    assert CONNECT_TIMEOUT - 0.5 < elapsed < CONNECT_TIMEOUT + MARGIN


def test_the_admin_answers_503_too(server, outage):
    outage("stopped")

    status, headers, _, _ = timed(
        server,
        "/admin/",
        headers={"Cookie": "sessionid=0123456789abcdefghijklmnopqrstuv"},
    )

    assert status == 503
    assert headers["Retry-After"] == "30"


def test_healthz_answers_without_the_database(server, outage):
    outage("stopped")

    status, headers, body, elapsed = timed(server, "/healthz")

    assert (status, body) == (200, "ok\n")
    assert "no-cache" in headers["Cache-Control"]
    assert elapsed < 1


def test_readyz_is_ready_when_the_database_and_cache_answer(server):
    status, headers, body, _ = timed(server, "/readyz")

    assert status == 200
    assert json.loads(body) == {
        "status": "ready",
        "checks": {"database": "ok", "cache": "ok"},
    }
    assert "no-cache" in headers["Cache-Control"]


@pytest.mark.parametrize("mode", ["stopped", "silent"])
def test_readyz_names_the_failed_dependency_within_two_seconds(server, outage, mode):
    outage(mode)

    status, headers, body, elapsed = timed(server, "/readyz")

    assert status == 503
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {
        "status": "unavailable",
        "checks": {"database": "failed", "cache": "ok"},
    }
    assert elapsed < 2 + MARGIN


def test_readyz_keeps_the_error_for_the_log(server, relay, outage):
    """Anyone may ask /readyz: the database's error text (its address, its
    user) is written to the log, never in the answer."""
    outage("stopped")

    _, _, body, _ = timed(server, "/readyz")
    time.sleep(0.3)

    assert "OperationalError" not in body
    assert str(relay.port) not in body
    lines = [json.loads(line) for line in server.log().splitlines()]
    [failed, *_] = [line for line in lines if line["logger"] == "hrprofile.health"]
    assert failed["level"] == "WARNING"
    assert "database" in failed["message"]
    assert "OperationalError" in failed["message"]
    assert str(relay.port) in failed["message"]


def test_health_probes_need_no_allowed_host(server):
    """Load balancers probe by IP address."""
    status, _, _, _ = timed(server, "/healthz", headers={"Host": "10.1.2.3:8000"})

    assert status == 200


def test_the_server_recovers_by_itself(server, outage):
    outage("silent")
    assert timed(server, "/en/offices/iraq/?never=stored")[0] == 503

    outage("forwarding")

    status, _, html, _ = timed(server, "/en/offices/iraq/?never=stored")
    assert status == 200
    assert "UN Human Rights in Iraq" in html


# Logs: JSON lines with request ids.


def log_lines(server):
    return [
        json.loads(line) for line in server.log().splitlines() if line.startswith("{")
    ]


def test_each_request_is_one_json_line_with_its_request_id(server):
    _, headers, _, _ = timed(server, "/en/offices/")
    request_id = headers["X-Request-ID"]

    time.sleep(0.2)
    lines = [line for line in log_lines(server) if line.get("request_id") == request_id]
    assert sorted(line["logger"] for line in lines) == [
        "gunicorn.access",
        "hrprofile.request",
    ]
    [line] = [line for line in lines if line["logger"] == "hrprofile.request"]
    assert line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"]) == (
        "GET",
        "/en/offices/",
        200,
    )
    assert line["duration_ms"] >= 0
    assert "time" in line and "message" in line


def test_the_proxys_request_id_is_kept_and_echoed(server):
    _, headers, _, _ = timed(
        server, "/en/offices/", headers={"X-Request-ID": "proxy-abc.123"}
    )

    assert headers["X-Request-ID"] == "proxy-abc.123"
    time.sleep(0.2)
    assert any(line.get("request_id") == "proxy-abc.123" for line in log_lines(server))


def test_a_request_id_that_could_forge_log_lines_is_replaced(server):
    _, headers, _, _ = timed(
        server, "/en/offices/", headers={"X-Request-ID": "x\tforged level=ERROR"}
    )

    assert headers["X-Request-ID"] != "x\tforged level=ERROR"
    assert len(headers["X-Request-ID"]) == 32


def test_health_probes_are_not_logged_at_info(server):
    _, headers, _, _ = timed(server, "/healthz")

    time.sleep(0.2)
    assert not any(
        line.get("request_id") == headers["X-Request-ID"] for line in log_lines(server)
    )


def test_every_line_the_server_writes_is_json(server):
    """gunicorn's own lines (start-up, access) included, not only the app's."""
    timed(server, "/en/offices/")
    time.sleep(0.2)

    lines = [line for line in server.log().splitlines() if line.strip()]
    assert lines
    parsed = [json.loads(line) for line in lines]
    assert {"gunicorn.error", "gunicorn.access", "hrprofile.request"} <= {
        line["logger"] for line in parsed
    }
    access = [line for line in parsed if line["logger"] == "gunicorn.access"]
    assert all(len(line["request_id"]) >= 1 for line in access)

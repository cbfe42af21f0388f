"""Up when a dependency is not: a real gunicorn on the production settings,
with a Redis of its own that we stop and freeze (SIGSTOP), and PostgreSQL
behind a relay that we stop or silence.

- the cache down or hanging costs speed, never an answer: every public page
  answers within CACHE_BOUND, rate limits let requests through (and say so),
  staff sign-in answers a branded 503, /readyz answers 200 and reports it;
- the database down: pages stored before the outage answer from the store
  within DATABASE_BOUND, a page never stored the branded 503, a withdrawn
  page never comes back;
- both are used again when they return, without a restart.

The bounds asserted are twice the stated ones (a loaded machine must not make
these flaky): bench/faults.py reports the real times. The module's tests run
one after the other on one worker (`--dist loadscope` keeps a module
together; its fixtures are module-scoped): they share one server and turn its
dependencies off and on.
"""

import json
import subprocess
import sys
import time

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, OfficeFactory, UserFactory
from tests.servers import (
    ROOT,
    Gunicorn,
    RedisServer,
    Session,
    database_url,
    production_env,
)

pytestmark = pytest.mark.django_db

CACHE_BOUND = 2  # s: a public page under a faulted cache
DATABASE_BOUND = 5  # s: a stored page while the database is out
CONNECT_TIMEOUT = 3  # DATABASE_CONNECT_TIMEOUT, as documented
# CACHE_BREAKER_SECONDS, shorter than production's 10 s: each cache fault is
# followed by a wait for the breaker's window.
BREAKER_SECONDS = 2
FALLBACK = "X-Hrprofile-Fallback"

# Every kind of public answer: pages, search, the CSV, the feed, the
# sitemap, the API.
PUBLIC_PAGES = [
    "/en/",
    "/en/offices/",
    "/en/offices/iraq/",
    "/fr/offices/iraq/",
    "/en/offices/?q=iraq",
    "/en/offices.csv",
    "/en/offices.csv?q=iraq",
    "/en/feed/",
    "/sitemap.xml",
    "/api/v1/offices/",
    "/api/v1/offices/iraq/",
    "/robots.txt",
]


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def offices(committed):
    return {
        slug: committed(OfficeFactory, slug=slug, name=f"UN Human Rights in {name}")
        for slug, name in [("iraq", "Iraq"), ("sudan", "Sudan"), ("chad", "Chad")]
    }


@pytest.fixture(scope="module")
def server(redis_server, relay, offices, committed, static_root, tmp_path_factory):
    committed(UserFactory, username="editor", is_staff=True, password=PASSWORD)
    env = production_env(
        DATABASE_URL=database_url(port=relay.port),
        DATABASE_CONNECT_TIMEOUT=str(CONNECT_TIMEOUT),
        CACHE_URL=redis_server.url,
        CACHE_BREAKER_SECONDS=str(BREAKER_SECONDS),
        STATIC_ROOT=str(static_root),
        BEHIND_PROXY="true",
        # Each test that counts is its own client (X-Forwarded-For).
        TRUSTED_PROXY_COUNT="1",
        SEARCH_RATE_LIMIT="3",
        API_RATE_LIMIT="3/min",
    )
    server = Gunicorn(env, tmp_path_factory.mktemp("gunicorn") / "server.log")
    yield server
    server.stop()


def timed(server, path, **kwargs):
    started = time.monotonic()
    answer = server.get(path, **kwargs)
    return (*answer, time.monotonic() - started)


def log_lines(server, logger=None):
    time.sleep(0.2)
    lines = [json.loads(line) for line in server.log().splitlines() if line[:1] == "{"]
    return [line for line in lines if logger in (None, line["logger"])]


def wait_for_cache(server):
    """Until this server uses the cache again: after its breaker's window."""
    deadline = time.monotonic() + 2 * BREAKER_SECONDS + 5
    while json.loads(server.get("/readyz")[2])["checks"]["cache"] != "ok":
        assert time.monotonic() < deadline, "the cache was not used again"
        time.sleep(0.5)


@pytest.fixture
def cache_fault(redis_server, server):
    """cache_fault("stopped" or "frozen") for one test; Redis answers again
    afterwards, and the server uses it."""

    def fault(mode):
        if mode == "stopped":
            redis_server.stop()
        else:
            redis_server.freeze()

    yield fault
    if redis_server.frozen:
        redis_server.thaw()
    if redis_server.process.poll() is not None:
        redis_server.start()
    wait_for_cache(server)


@pytest.fixture
def database_fault(relay, server):
    """database_fault("stopped" or "silent") for one test; forwarding after."""
    yield relay.set_mode
    relay.set_mode("forwarding")


# The cache stopped or frozen


@pytest.mark.parametrize("mode", ["stopped", "frozen"])
def test_every_public_page_answers_under_a_faulted_cache(server, cache_fault, mode):
    cache_fault(mode)

    for path in PUBLIC_PAGES:
        status, _, _, elapsed = timed(server, path)
        assert status == 200, path
        assert elapsed < 2 * CACHE_BOUND, (path, elapsed)
    # Again, past the breaker's window: Redis is tried once more.
    time.sleep(BREAKER_SECONDS)
    for path in PUBLIC_PAGES[:3]:
        status, _, _, elapsed = timed(server, path)
        assert (status, path) == (200, path)
        assert elapsed < 2 * CACHE_BOUND, (path, elapsed)


@pytest.mark.parametrize("mode", ["stopped", "frozen"])
def test_the_outage_is_logged_once_per_process(server, cache_fault, mode):
    before = len(log_lines(server, "hrprofile.cache"))
    cache_fault(mode)

    for _ in range(5):
        assert timed(server, "/en/offices/iraq/")[0] == 200

    lines = log_lines(server, "hrprofile.cache")[before:]
    assert len(lines) == 1
    assert lines[0]["level"] == "WARNING"
    assert f"redis://127.0.0.1:{server.port}" not in lines[0]["message"]
    assert "is unavailable" in lines[0]["message"]


@pytest.mark.parametrize("mode", ["stopped", "frozen"])
def test_readyz_answers_200_and_reports_the_cache_outage(server, cache_fault, mode):
    cache_fault(mode)
    timed(server, "/en/offices/iraq/")

    status, _, body, elapsed = timed(server, "/readyz")

    assert status == 200
    body = json.loads(body)
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "cache": "failed"}
    assert "rate limits are not enforced (search, API)" in body["degraded"]
    assert elapsed < 2 * CACHE_BOUND
    assert timed(server, "/healthz")[:3:2] == (200, "ok\n")


def test_rate_limits_hold_while_the_cache_answers(server):
    client = {"X-Forwarded-For": "198.51.100.1"}

    searches = [timed(server, "/en/offices/?q=iraq", headers=client)[0] for _ in "1234"]
    answers = [timed(server, "/api/v1/offices/", headers=client)[0] for _ in "1234"]

    assert searches == [200, 200, 200, 429]
    assert answers == [200, 200, 200, 429]


@pytest.mark.parametrize("mode", ["stopped", "frozen"])
def test_rate_limits_fail_open_with_a_warning(server, cache_fault, mode):
    client = {"X-Forwarded-For": f"198.51.100.{2 if mode == 'stopped' else 3}"}
    before = len(log_lines(server, "hrprofile.throttle"))
    cache_fault(mode)

    searches = [timed(server, "/en/offices/?q=iraq", headers=client) for _ in "123456"]
    answers = [timed(server, "/api/v1/offices/", headers=client) for _ in "123456"]

    assert [answer[0] for answer in searches + answers] == [200] * 12
    assert max(answer[-1] for answer in searches + answers) < 2 * CACHE_BOUND
    messages = {
        line["message"] for line in log_lines(server, "hrprofile.throttle")[before:]
    }
    assert messages == {
        "The search rate limit is not enforced while the cache is unavailable",
        "The api rate limit is not enforced while the cache is unavailable",
    }


@pytest.mark.parametrize("mode", ["stopped", "frozen"])
def test_staff_sign_in_answers_a_branded_503_never_a_500(server, cache_fault, mode):
    session = Session(server)
    login = reverse("admin:login")
    token = session.csrf_token(login)
    cache_fault(mode)

    started = time.monotonic()
    status, headers, html = session.request(
        "POST",
        login,
        {"username": "editor", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )

    assert status == 503
    assert headers["Retry-After"] == str(BREAKER_SECONDS)
    assert "Sign-in is unavailable for a moment." in html
    assert "sessionid" not in session.cookies
    assert time.monotonic() - started < 2 * CACHE_BOUND
    [line] = [
        line for line in log_lines(server) if "Sign-in refused" in line["message"]
    ][-1:]
    assert line["level"] == "WARNING"
    assert not [line for line in log_lines(server) if line["level"] == "ERROR"]


def test_the_cache_is_used_again_when_redis_is_back(server, redis_server):
    client = {"X-Forwarded-For": "198.51.100.4"}
    redis_server.freeze()
    assert timed(server, "/en/offices/iraq/")[0] == 200
    redis_server.thaw()
    thawed = time.monotonic()
    # Within the breaker's window the process still skips it.
    assert json.loads(timed(server, "/readyz")[2])["checks"]["cache"] == "failed"

    wait_for_cache(server)

    assert time.monotonic() - thawed < 2 * BREAKER_SECONDS
    redis_server.client().flushdb()
    assert timed(server, "/en/offices/chad/")[0] == 200
    assert redis_server.client().keys("*public-page:*")
    searches = [timed(server, "/en/offices/?q=chad", headers=client)[0] for _ in "1234"]
    assert searches == [200, 200, 200, 429]
    [recovered] = [
        line
        for line in log_lines(server, "hrprofile.cache")
        if "answers again" in line["message"]
    ][-1:]
    assert recovered["level"] == "WARNING"


# The database stopped or silent


@pytest.mark.parametrize("mode", ["stopped", "silent"])
def test_stored_pages_answer_while_the_database_is_out(server, database_fault, mode):
    pages = {
        "/en/offices/iraq/": "UN Human Rights in Iraq",
        "/fr/offices/iraq/": "UN Human Rights in Iraq",
        "/en/offices/": "UN Human Rights in Sudan",
    }
    for path in pages:
        assert timed(server, path)[0] == 200
    database_fault(mode)

    for path, content in pages.items():
        status, headers, html, elapsed = timed(server, path)
        assert status == 200, path
        assert content in html
        assert headers[FALLBACK] == "stored"
        assert elapsed < 2 * DATABASE_BOUND, (path, elapsed)
    messages = [line["message"] for line in log_lines(server, "hrprofile.pagecache")]
    assert any(
        "/en/offices/iraq/ answered from the stored page" in message
        for message in messages
    )


@pytest.mark.parametrize("mode", ["stopped", "silent"])
def test_a_page_never_stored_answers_the_branded_503(server, database_fault, mode):
    database_fault(mode)

    status, headers, html, elapsed = timed(server, f"/en/offices/chad/?never={mode}")

    assert status == 503
    assert headers["Retry-After"] == "30"
    assert FALLBACK not in headers
    assert "This site is briefly unavailable" in html
    assert elapsed < 2 * DATABASE_BOUND


def test_a_silent_database_is_asked_to_connect_once_per_request(
    server, relay, database_fault
):
    assert timed(server, "/en/offices/sudan/")[0] == 200
    database_fault("silent")
    accepted = relay.accepted

    status, headers, _, elapsed = timed(server, "/en/offices/sudan/")

    assert (status, headers[FALLBACK]) == (200, "stored")
    assert relay.accepted == accepted + 1
    assert CONNECT_TIMEOUT - 0.5 < elapsed < 2 * DATABASE_BOUND


def test_a_withdrawn_page_never_comes_back(
    server, redis_server, offices, database_fault
):
    """Unpublished by an editor on another node (a process that shares the
    database and the cache): the stored page is forgotten with it."""
    for path in ["/en/offices/chad/", "/fr/offices/chad/", "/en/offices/sudan/"]:
        assert timed(server, path)[0] == 200
    env = production_env(DATABASE_URL=database_url(), CACHE_URL=redis_server.url)
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", UNPUBLISH_CHAD],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    database_fault("stopped")

    assert timed(server, "/en/offices/chad/")[0] == 503
    assert timed(server, "/fr/offices/chad/")[0] == 503
    assert timed(server, "/en/offices/sudan/")[1][FALLBACK] == "stored"


UNPUBLISH_CHAD = """
from offices.models import Office
office = Office.objects.get(slug="chad", draft_of=None)
office.status = Office.Status.DRAFT
office.save()
"""


def test_pages_come_from_the_database_again_when_it_is_back(server, relay):
    assert timed(server, "/en/offices/iraq/")[0] == 200
    relay.set_mode("silent")
    assert timed(server, "/en/offices/iraq/")[1][FALLBACK] == "stored"

    relay.set_mode("forwarding")

    status, headers, _, _ = timed(server, "/en/offices/iraq/")
    assert status == 200
    assert FALLBACK not in headers
    assert "ETag" in headers
    assert json.loads(timed(server, "/readyz")[2])["status"] == "ready"

"""The edge cache (deploy/nginx/hrprofile-cache.conf and
hrprofile-location.conf), run by Debian's nginx in front of a real gunicorn:
anonymous public pages come from the store, nothing personal is ever stored
or served from it, an unknown query parameter makes no new entry, an edit
shows within two seconds, and a stopped app still has its stored pages
served. nginx's X-Cache-Status header (HIT, MISS, BYPASS, STALE...) tells
where an answer came from."""

import functools
import subprocess
import sys
import time

import pytest

from offices.models import Office
from tests.edge import MISSING, EdgeNginx, nginx_conf
from tests.factories import OfficeFactory
from tests.servers import NGINX, ROOT, Gunicorn, database_url, production_env

# The server reads rows committed by the module's fixtures; the mark makes
# pytest-django set up the test database for this module.
pytestmark = pytest.mark.django_db

ADMIN_URL = "back-office/"
VISIBLE_WITHIN = 2  # seconds, from an edit to every reader through nginx
SESSION = "sessionid=0123456789abcdefghijklmnopqrstuv"


@pytest.fixture(scope="module")
def app(committed, static_root, tmp_path_factory):
    if NGINX is None:
        pytest.fail(MISSING)
    for slug, name in [("iraq", "Iraq"), ("chad", "Chad"), ("mali", "Mali")]:
        committed(OfficeFactory, slug=slug, name=f"UN Human Rights in {name}")
    committed(OfficeFactory, slug="togo", name="UN Human Rights in Togo")
    committed(
        OfficeFactory,
        slug="niger",
        name="UN Human Rights in Niger",
        status=Office.Status.DRAFT,
    )
    env = production_env(
        DATABASE_URL=database_url(),
        STATIC_ROOT=str(static_root),
        ADMIN_URL=ADMIN_URL,
    )
    server = Gunicorn(env, tmp_path_factory.mktemp("gunicorn") / "server.log")
    yield server
    server.stop()


@pytest.fixture
def edge(app, tmp_path):
    """A new nginx, with an empty store, for each test."""
    nginx = EdgeNginx(tmp_path, app.port)
    yield nginx
    nginx.stop()


def cache_status(edge, path, **kwargs):
    status, headers, _ = edge.get(path, **kwargs)
    return status, headers["X-Cache-Status"]


def until(condition, timeout):
    """Seconds until condition() held, asked every 0.1 s; None if it never did."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def test_nginx_accepts_the_include_files(tmp_path):
    if NGINX is None:
        pytest.fail(MISSING)
    conf = nginx_conf(tmp_path, port=8080, app_port=8000)

    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 0, result.stderr
    assert "[warn]" not in result.stderr


@pytest.mark.parametrize(
    "path",
    ["/en/offices/iraq/", "/en/offices/", "/fr/", "/en/feed/", "/sitemap.xml"],
)
def test_an_anonymous_public_page_is_answered_from_the_store(edge, path):
    assert cache_status(edge, path) == (200, "MISS")
    assert cache_status(edge, path) == (200, "HIT")


def test_public_answers_tell_shared_caches_how_long_and_how_stale(edge):
    _, headers, _ = edge.get("/en/offices/iraq/")

    directives = set(headers["Cache-Control"].split(", "))
    assert {"public", "s-maxage=1"} <= directives
    assert "stale-while-revalidate=60" in directives
    assert "stale-if-error=86400" in directives


@pytest.mark.parametrize(
    "cookie",
    [SESSION, "messages=abc", f"theme=dark; {SESSION}", "a=1;messages=abc"],
)
def test_a_request_with_the_session_or_messages_cookie_is_never_answered_from_the_store(
    edge, cookie
):
    edge.get("/en/offices/iraq/")
    assert cache_status(edge, "/en/offices/iraq/")[1] == "HIT"

    assert cache_status(edge, "/en/offices/iraq/", headers={"Cookie": cookie}) == (
        200,
        "BYPASS",
    )


def test_the_answer_to_a_request_with_the_session_cookie_is_never_stored(edge):
    edge.get("/en/offices/chad/", headers={"Cookie": SESSION})

    assert cache_status(edge, "/en/offices/chad/")[1] == "MISS"


def test_other_cookies_still_get_the_stored_page(edge):
    edge.get("/en/offices/iraq/")

    assert (
        cache_status(edge, "/en/offices/iraq/", headers={"Cookie": "theme=dark"})[1]
        == "HIT"
    )


def test_an_answer_marked_private_or_setting_a_cookie_is_never_stored(edge):
    """The admin's sign-in, at this server's ADMIN_URL: no-store, private, and
    a CSRF cookie."""
    path = f"/{ADMIN_URL}login/"
    status, headers, _ = edge.get(path)
    assert status == 200
    assert "private" in headers["Cache-Control"]
    assert "no-store" in headers["Cache-Control"]
    assert "Set-Cookie" in headers

    assert cache_status(edge, path) == (200, "MISS")
    assert edge.stored() == 0


def test_unknown_query_parameters_make_no_new_entry(edge):
    for path in ["/en/offices/", "/en/offices/iraq/", "/en/offices/?region=africa"]:
        assert cache_status(edge, path)[1] == "MISS"
    stored = edge.stored()

    for path in [
        "/en/offices/?utm_source=news",
        "/en/offices/?_=1712345678",
        "/en/offices/?region=&q=",
        "/en/offices/iraq/?utm_source=news&fbclid=x",
        "/en/offices/?utm_source=news&region=africa",
        "/en/offices/?region=africa&region=asia",
    ]:
        assert cache_status(edge, path) == (200, "HIT"), path
    assert edge.stored() == stored


def test_the_page_stored_for_a_selection_is_the_one_the_app_gives_for_it(edge):
    """A repeated or differently cased parameter is read as the key reads it:
    the app is asked exactly what the key holds."""
    _, _, africa = edge.get("/en/offices/?REGION=africa&region=asia")
    _, _, asia = edge.get("/en/offices/?region=asia")

    assert cache_status(edge, "/en/offices/?region=africa")[1] == "HIT"
    assert edge.get("/en/offices/?region=africa")[2] == africa
    assert asia != africa


def edit(code):
    """Run code in manage.py shell, as an editor's request on another node
    would: committed, unlike rows a test makes in its own transaction."""
    env = production_env(DATABASE_URL=database_url())
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )


def test_a_publish_shows_within_two_seconds(edge):
    edge.get("/en/offices/")
    assert cache_status(edge, "/en/offices/")[1] == "HIT"

    edit(SET_STATUS.format(slug="niger", status="PUBLISHED"))

    def shown():
        return "UN Human Rights in Niger" in edge.get("/en/offices/")[2]

    assert until(shown, VISIBLE_WITHIN) is not None


def test_an_unpublish_and_a_delete_show_within_two_seconds(edge):
    for path in ["/en/offices/mali/", "/en/offices/togo/"]:
        edge.get(path)
        assert cache_status(edge, path) == (200, "HIT")

    edit(SET_STATUS.format(slug="mali", status="DRAFT") + DELETE_TOGO)

    for path in ["/en/offices/mali/", "/en/offices/togo/"]:
        gone = functools.partial(lambda path: edge.get(path)[0] in {404, 410}, path)
        assert until(gone, VISIBLE_WITHIN) is not None, path


SET_STATUS = """
from offices.models import Office
office = Office.objects.get(slug="{slug}", draft_of=None)
office.status = Office.Status.{status}
office.save()
"""

DELETE_TOGO = """
Office.objects.get(slug="togo", draft_of=None).delete()
"""


def test_stored_pages_are_served_while_the_app_is_stopped(
    committed, static_root, tmp_path
):
    """Its own app, stopped here: nginx keeps answering with what it stored,
    long after the page's second is up."""
    env = production_env(DATABASE_URL=database_url(), STATIC_ROOT=str(static_root))
    app = Gunicorn(env, tmp_path / "server.log")
    edge = EdgeNginx(tmp_path, app.port)
    try:
        _, _, page = edge.get("/en/offices/iraq/")
        assert "UN Human Rights in Iraq" in page
        app.stop()
        # nginx counts whole seconds: "s-maxage=1" keeps an answer fresh to
        # the end of the second after the one it was stored in, up to 2 s.
        time.sleep(2.1)

        status, headers, stale = edge.get("/en/offices/iraq/")
        assert status == 200
        assert headers["X-Cache-Status"] == "STALE"
        assert stale == page
        assert edge.get("/en/offices/chad/")[0] == 502
    finally:
        app.stop()
        edge.stop()


def test_a_stored_page_carries_the_id_of_the_request_it_answers(edge):
    edge.get("/en/offices/iraq/")

    ids = {edge.get("/en/offices/iraq/")[1]["X-Request-ID"] for _ in range(2)}

    assert len(ids) == 2

"""Two app nodes, one PostgreSQL and one Redis: what one node does, the other
sees at once (content, sessions, login lockouts). Real gunicorn processes on
127.0.0.1, each with its own memory; only the database and Redis are shared."""

import re

import pytest
import redis
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from offices.models import Office
from tests.factories import PASSWORD, OfficeFactory, UserFactory
from tests.servers import Gunicorn, Session, database_url, production_env

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture(scope="module")
def shared_redis():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"No Redis answers at {REDIS_URL}: the shared-cache test needs one")
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture(scope="module")
def nodes(shared_redis, static_root, committed, tmp_path_factory):
    env = production_env(
        DATABASE_URL=database_url(),
        CACHE_URL=REDIS_URL,
        STATIC_ROOT=str(static_root),
        BEHIND_PROXY="true",
        LOGIN_FAILURE_LIMIT="3",
    )
    logs = tmp_path_factory.mktemp("nodes")
    first = Gunicorn(env, logs / "a.log")
    second = Gunicorn(env, logs / "b.log")
    yield first, second
    first.stop()
    second.stop()


@pytest.fixture(scope="module")
def office_and_editor(committed, django_db_blocker):
    """An office editor (no publishing right, so no second step needed)."""
    editor = committed(UserFactory, username="editor", is_staff=True, password=PASSWORD)
    office = committed(OfficeFactory, slug="iraq", name="UN Human Rights in Iraq")
    with django_db_blocker.unblock():
        editor.user_permissions.set(
            Permission.objects.filter(codename__in=["view_office", "change_office"])
        )
        office.reviewers.add(editor)
    return office, editor


def log_in(session, username, password=PASSWORD):
    login = reverse("admin:login")
    return session.post(
        login, {"username": username, "password": password, "next": "/admin/"}
    )


def test_a_review_marked_on_one_node_shows_on_the_other(nodes, office_and_editor):
    first, second = nodes
    office, _ = office_and_editor
    editor_on_first = Session(first)
    status, headers, _ = log_in(editor_on_first, "editor")
    assert status == 302, headers

    status, _, _ = editor_on_first.post(
        reverse("admin:offices_office_mark_reviewed", args=[office.pk]),
        {"note": "Checked on node A"},
        form_page=reverse("admin:offices_office_change", args=[office.pk]),
    )
    assert status == 302

    status, _, html = second.get("/en/offices/iraq/")
    assert status == 200
    month = date_format(timezone.localdate(), "YEAR_MONTH_FORMAT")
    assert re.search(rf"Last reviewed:.*{month}", html, re.DOTALL)
    assert Office.objects.get(pk=office.pk).last_reviewed == timezone.localdate()


def test_a_session_started_on_one_node_is_valid_on_the_other(nodes, office_and_editor):
    first, second = nodes
    session = Session(first)
    log_in(session, "editor")

    session.server = second
    status, _, html = session.request("GET", "/admin/")

    assert status == 200
    assert "Profiles administration" in html


def test_failed_logins_on_one_node_lock_the_account_on_the_other(nodes, committed):
    first, second = nodes
    committed(UserFactory, username="target", is_staff=True)
    for _ in range(3):
        log_in(Session(first), "target", password="wrong")

    status, headers, _ = log_in(Session(second), "target")

    assert status == 429
    assert int(headers["Retry-After"]) > 0

"""The branded 400, 403, 404, 429 and 500 pages: right status, site branding,
and never a database query, since the database may be why they are shown."""

from contextlib import contextmanager

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path, reverse
from django.utils import translation

from hrprofile import urls as root_urls

BRAND = "Field presence profiles"


def forbidden(request):
    raise PermissionDenied("internal reason: not for the visitor")


def broken(request):
    raise RuntimeError("internal detail: not for the visitor")


# The real URLconf plus two views that fail on purpose, for
# @pytest.mark.urls(__name__): the error pages link to the real pages.
urlpatterns = [
    path("test/forbidden/", forbidden),
    path("test/broken/", broken),
    *root_urls.urlpatterns,
]


@pytest.fixture
def no_database(db, django_assert_num_queries):
    """Fail on any query, as a page rendered while the database is down would."""

    def refuse(execute, sql, params, many, context):
        raise AssertionError(f"An error page ran a query: {sql}")

    @contextmanager
    def blocked():
        with django_assert_num_queries(0), connection.execute_wrapper(refuse):
            yield

    return blocked


# ------------------------------------------------------------ the templates

HEADINGS = {
    "400.html": "Bad request",
    "403.html": "Access denied",
    "403_csrf.html": "This form could not be sent",
    "404.html": "Page not found",
    "429.html": "Too many requests",
    "500.html": "Sorry, something went wrong",
}


@pytest.mark.parametrize("template", HEADINGS)
def test_error_template_is_branded_and_runs_no_query(rf, no_database, template):
    # As Django's handlers render them: 500.html without a request or context.
    request = None if template == "500.html" else rf.get("/en/offices/")

    with no_database():
        html = render_to_string(template, request=request)

    assert f"<h1>{HEADINGS[template]}</h1>" in html
    assert BRAND in html
    assert '<html lang="en" dir="ltr">' in html
    assert '<main id="main-content"' in html


@pytest.mark.parametrize("template", HEADINGS)
def test_error_template_follows_the_active_language(rf, template):
    with translation.override("ar"):
        html = render_to_string(template)

    assert '<html lang="ar" dir="rtl">' in html


@pytest.mark.parametrize(
    ("retry_after", "text"),
    [
        (1, "Try again in 1 second."),
        (45, "Try again in 45 seconds."),
        (60, "Try again in 1 minute."),
        (61, "Try again in 2 minutes."),
        (900, "Try again in 15 minutes."),
        ("30", "Try again in 30 seconds."),
        (None, "Please wait a moment, then try again."),
    ],
)
def test_too_many_requests_page_says_when_to_come_back(retry_after, text):
    html = render_to_string("429.html", {"retry_after": retry_after})

    assert text in " ".join(html.split())


def test_too_many_requests_page_without_a_wait_gives_no_number():
    html = render_to_string("429.html")

    assert "Try again in" not in html


# ------------------------------------------------------------ through the stack


def test_unknown_host_gets_the_branded_400(client, no_database):
    with no_database():
        response = client.get("/en/offices/", headers={"host": "attacker.example"})

    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.content.decode()


@pytest.mark.urls(__name__)
def test_permission_denied_gets_the_branded_403(client, no_database):
    with no_database():
        response = client.get("/test/forbidden/")

    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Access denied</h1>" in html
    assert BRAND in html
    assert "internal reason" not in html


def test_csrf_failure_gets_the_branded_403(no_database):
    client = Client(enforce_csrf_checks=True)

    with no_database():
        response = client.post(
            reverse("admin:login"), {"username": "someone", "password": "x"}
        )

    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>This form could not be sent</h1>" in html
    assert BRAND in html


def test_unknown_page_gets_the_branded_404_without_a_query(client, no_database):
    with no_database():
        response = client.get("/en/nothing-here/")

    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


@pytest.mark.urls(__name__)
def test_server_error_gets_the_branded_500(no_database):
    client = Client(raise_request_exception=False)

    with no_database():
        response = client.get("/test/broken/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Sorry, something went wrong</h1>" in html
    assert "internal detail" not in html

"""StoredPageMiddleware answers a stored public page before the rest of the
stack: the same answer, headers included, for one query and no view.

Anything it must not answer (a new or edited page, a search, a signed-in or
cross-origin reader, a refused host) goes through the whole stack as before.
"""

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client
from django.utils import translation

from hrprofile import pagecache
from hrprofile.pagecache import StoredPageMiddleware
from offices.models import Office
from tests.factories import FieldOfficeFactory, OfficeFactory

PROFILE = "/en/offices/iraq/"
# Headers each answer has its own of.
OWN = {"X-Request-ID"}


@pytest.fixture
def iraq(db):
    office = OfficeFactory(name="UN Human Rights in Iraq", slug="iraq", country="Iraq")
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    return office


def early(response):
    """Whether the middleware answered: the URL resolver never ran."""
    return response.wsgi_request.resolver_match is None


def headers(response):
    return {name: value for name, value in response.items() if name not in OWN}


@pytest.mark.parametrize("url", [PROFILE, "/en/offices/", "/fr/offices/iraq/"])
def test_a_stored_page_is_answered_early_with_the_stacks_headers(
    client, iraq, url, django_assert_num_queries
):
    first = client.get(url)
    with django_assert_num_queries(1):
        second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert not early(first)
    assert early(second)
    assert second.content == first.content
    # Every header the stack added (the policy, the security headers, the
    # language, Cache-Control), and the same validators.
    assert headers(second) == headers(first)
    assert second["X-Request-ID"] != first["X-Request-ID"]


def test_its_304_is_the_stacks_304(iraq):
    first = Client().get(PROFILE)
    conditional = {"If-None-Match": first["ETag"]}
    # A new client is a new handler: its middleware has learned nothing yet.
    from_stack = Client().get(PROFILE, headers=conditional)
    learned = Client()
    learned.get(PROFILE)
    from_middleware = learned.get(PROFILE, headers=conditional)

    assert from_stack.status_code == from_middleware.status_code == 304
    assert not early(from_stack)
    assert early(from_middleware)
    assert headers(from_middleware) == headers(from_stack)
    assert from_middleware.content == b""


def test_an_edit_is_rendered_then_answered_early_again(client, iraq):
    client.get(PROFILE)
    Office.objects.filter(pk=iraq.pk).update(name="UN Human Rights in Iraq (2026)")
    after_edit = client.get(PROFILE)
    again = client.get(PROFILE)

    assert not early(after_edit)
    assert "UN Human Rights in Iraq (2026)" in after_edit.content.decode()
    assert early(again)
    assert again.content == after_edit.content


def test_a_withdrawn_page_goes_to_the_stack(client, iraq):
    client.get(PROFILE)
    Office.objects.filter(pk=iraq.pk).update(status=Office.Status.DRAFT)
    response = client.get(PROFILE)

    assert response.status_code == 404
    assert not early(response)


def test_a_search_always_goes_through_the_stack(client, iraq):
    """The search limit counts every search, stored or not."""
    url = "/en/offices/?q=Baghdad"
    client.get(url)
    assert not early(client.get(url))


@pytest.mark.parametrize(
    "kind",
    ["session cookie", "messages cookie", "cross-origin"],
)
def test_a_reader_of_their_own_goes_through_the_stack(client, iraq, kind):
    url = "/en/feed/"
    client.get(url)
    client.get(url)
    extra = {}
    if kind == "session cookie":
        client.cookies["sessionid"] = "something"
    elif kind == "messages cookie":
        client.cookies["messages"] = "something"
    else:
        extra = {"Origin": "https://example.org"}
    response = client.get(url, headers=extra)

    assert response.status_code == 200
    assert not early(response)
    if kind == "cross-origin":
        assert response["Access-Control-Allow-Origin"] == "*"


def test_an_answer_of_the_middleware_never_carries_cors_headers(client, iraq):
    """What it learned from a cross-origin read would repeat that reader's
    headers to the next: an answer that varies by Origin is never learned."""
    url = "/en/feed/"
    cross_origin = client.get(url, headers={"Origin": "https://example.org"})
    client.get(url, headers={"Origin": "https://example.org"})
    client.get(url)  # learned here, not from the cross-origin reads
    response = client.get(url)

    assert cross_origin["Access-Control-Allow-Origin"] == "*"
    # The feed's answers vary by Origin (CORS): it is always the stack's.
    assert "origin" in response["Vary"].lower()
    assert not early(response)
    assert "Access-Control-Allow-Origin" not in response


def test_a_host_the_site_does_not_serve_is_refused(client, iraq):
    client.get(PROFILE)
    response = client.get(PROFILE, HTTP_HOST="evil.example")

    assert response.status_code == 400
    # The stack's 400, with the policy (the URL resolver never ran for it).
    assert "Content-Security-Policy" in response


def test_it_remembers_a_bounded_number_of_addresses(client, iraq, monkeypatch):
    monkeypatch.setattr(StoredPageMiddleware, "ROUTES", 3)
    for number in range(6):
        client.get(f"{PROFILE}?n={number}")

    assert not early(client.get(f"{PROFILE}?n=0"))  # forgotten
    assert early(client.get(f"{PROFILE}?n=5"))


def test_a_database_outage_is_answered_once_with_the_stored_page(
    client, iraq, monkeypatch
):
    """The middleware answers the outage itself, as the view would: the stack
    would only wait for the database a second time."""
    stored = client.get(PROFILE)
    client.get(PROFILE)  # learned
    calls = []

    def unreachable(*args):
        calls.append(args)
        raise OperationalError("connection timeout expired")

    monkeypatch.setattr(pagecache, "content_version", unreachable)
    response = client.get(PROFILE)

    assert len(calls) == 1
    assert response.status_code == 200
    assert response[pagecache.FALLBACK_HEADER] == "stored"
    assert response.content == stored.content


def test_a_database_outage_without_a_stored_page_is_the_503_in_its_language(
    client, iraq, monkeypatch
):
    client.get("/fr/offices/iraq/")
    client.get("/fr/offices/iraq/")  # learned
    cache.clear()  # nothing stored to fall back on
    monkeypatch.setattr(
        pagecache,
        "content_version",
        lambda *args: (_ for _ in ()).throw(OperationalError("down")),
    )
    client.raise_request_exception = False
    translation.activate("en")  # as the last request of this thread left it

    response = client.get("/fr/offices/iraq/")

    assert response.status_code == 503
    assert '<html lang="fr"' in response.content.decode()

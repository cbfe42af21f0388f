"""The API's HTTP behaviour: validators, caching, CORS, limits and errors."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client
from rest_framework.renderers import JSONRenderer

import hrprofile.api.views
from offices.models import Office
from tests.factories import OfficeFactory, ThematicPillarFactory

ADDRESSES = [
    "/api/v1/",
    "/api/v1/offices/",
    "/api/v1/offices/iraq/",
    "/api/v1/pillars/",
    "/api/v1/shifts/",
    "/api/v1/populations/",
    "/api/v1/tags/",
]


# ETag and 304.


@pytest.mark.parametrize("path", ADDRESSES)
def test_every_answer_has_an_etag_that_a_304_confirms(api, iraq, path):
    etag = api.get(path)["ETag"]

    response = api.get(path, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response["ETag"] == etag


def test_a_304_costs_one_query(api, iraq, django_assert_max_num_queries):
    etag = api.get("/api/v1/offices/iraq/")["ETag"]

    with django_assert_max_num_queries(1):
        response = api.get("/api/v1/offices/iraq/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304


def test_an_edit_changes_the_etag(api, iraq):
    etag = api.get("/api/v1/offices/").headers["ETag"]

    iraq.name = "UN Human Rights in the Republic of Iraq"
    iraq.save()
    response = api.get("/api/v1/offices/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["results"][0]["name"].endswith("Republic of Iraq")


def test_a_new_term_changes_the_vocabulary_etag(api):
    etag = api.get("/api/v1/pillars/")["ETag"]

    ThematicPillarFactory()

    assert api.get("/api/v1/pillars/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_each_query_string_has_its_own_etag(api, iraq):
    assert (
        api.get("/api/v1/offices/")["ETag"]
        != api.get("/api/v1/offices/", {"region": "africa"})["ETag"]
    )


def test_head_answers_like_get_without_a_body(api, iraq):
    get = api.get("/api/v1/offices/iraq/")

    head = api.head("/api/v1/offices/iraq/")

    assert head.status_code == 200
    assert head["ETag"] == get["ETag"]


# Cache-Control.


@pytest.mark.parametrize("path", ADDRESSES)
def test_data_may_be_cached_by_anyone_for_five_minutes(api, iraq, path):
    response = api.get(path)

    assert response["Cache-Control"] == (
        "public, max-age=300, s-maxage=1, "
        "stale-while-revalidate=60, stale-if-error=86400"
    )
    assert not response.cookies


def test_a_304_keeps_the_cache_policy(api, iraq):
    etag = api.get("/api/v1/tags/")["ETag"]

    response = api.get("/api/v1/tags/", HTTP_IF_NONE_MATCH=etag)

    assert response["Cache-Control"] == (
        "public, max-age=300, s-maxage=1, "
        "stale-while-revalidate=60, stale-if-error=86400"
    )


@pytest.mark.parametrize(
    "path", ["/api/v1/offices/nowhere/", "/api/v1/offices/?sort=name", "/api/v1/no/"]
)
def test_errors_are_never_stored(api, path):
    response = api.get(path)

    assert response.status_code in (400, 404)
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


# CORS: any origin may read, and only read.


@pytest.mark.parametrize("path", ADDRESSES)
def test_any_origin_may_read(api, iraq, path):
    response = api.get(path, HTTP_ORIGIN="https://newsroom.example.com")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_a_preflight_for_get_is_allowed(db):
    response = Client().options(
        "/api/v1/offices/",
        HTTP_ORIGIN="https://newsroom.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_preflight_allows_no_writing_method(db, method):
    response = Client().options(
        "/api/v1/offices/",
        HTTP_ORIGIN="https://newsroom.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
    )

    allowed = [m.strip() for m in response["Access-Control-Allow-Methods"].split(",")]
    assert method not in allowed
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("header", ["If-None-Match", "If-Modified-Since"])
def test_a_preflight_allows_revalidating(db, header):
    response = Client().options(
        "/api/v1/offices/",
        HTTP_ORIGIN="https://newsroom.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=header.lower(),
    )

    allowed = [h.strip() for h in response["Access-Control-Allow-Headers"].split(",")]
    assert header.lower() in allowed


def test_a_cross_origin_revalidation_is_a_readable_304(api, iraq):
    origin = {"HTTP_ORIGIN": "https://newsroom.example.com"}
    etag = api.get("/api/v1/offices/", **origin)["ETag"]

    response = api.get("/api/v1/offices/", HTTP_IF_NONE_MATCH=etag, **origin)

    assert response.status_code == 304
    assert response["Access-Control-Allow-Origin"] == "*"
    exposed = [h.strip() for h in response["Access-Control-Expose-Headers"].split(",")]
    assert {"ETag", "Last-Modified"} <= set(exposed)


def test_the_site_itself_sends_no_cors_headers(db):
    response = Client().get("/en/offices/", HTTP_ORIGIN="https://newsroom.example.com")

    assert "Access-Control-Allow-Origin" not in response


# Read-only: other methods are a JSON 405, CSRF or not.


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/offices/", "/api/v1/offices/iraq/"])
def test_writing_is_a_json_405(api_with, iraq, method, path):
    api = api_with(Client(enforce_csrf_checks=True))

    response = api.request(method, path)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_options_names_the_methods(db):
    response = Client().options("/api/v1/offices/")

    assert response.status_code == 200
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.content == b""


# Per-client rate limits.


@pytest.fixture
def two_a_minute(settings):
    settings.API_RATE_LIMIT = "2/min"
    cache.clear()


def test_past_the_limit_a_client_gets_a_429_with_retry_after(api, two_a_minute):
    for _ in range(2):
        assert api.get("/api/v1/tags/").status_code == 200

    response = api.get("/api/v1/tags/")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60
    assert "no-store" in response["Cache-Control"]


def test_the_limit_is_per_client(api, two_a_minute, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(2):
        api.get("/api/v1/tags/", HTTP_X_FORWARDED_FOR="203.0.113.1")

    assert (
        api.get("/api/v1/tags/", HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 429
    )
    assert (
        api.get("/api/v1/tags/", HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 200
    )


def test_a_forged_forwarded_for_does_not_escape_the_limit(api, two_a_minute, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for forged in ("198.51.100.1", "198.51.100.2"):
        api.get("/api/v1/tags/", HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.1")

    response = api.get(
        "/api/v1/tags/", HTTP_X_FORWARDED_FOR="198.51.100.3, 203.0.113.1"
    )

    assert response.status_code == 429


def test_conditional_requests_count_too(api, two_a_minute):
    etag = api.get("/api/v1/tags/")["ETag"]
    api.get("/api/v1/tags/", HTTP_IF_NONE_MATCH=etag)

    assert api.get("/api/v1/tags/", HTTP_IF_NONE_MATCH=etag).status_code == 429


# Errors are JSON, wherever they come from.


@pytest.mark.parametrize(
    "path", ["/api/", "/api/v1/nowhere/", "/api/v2/offices/", "/api/v1/offices/a/b/"]
)
def test_an_unknown_api_address_is_a_json_404(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    assert "/api/v1/docs/" in response.json()["detail"]


def test_a_missing_final_slash_redirects(api):
    response = Client().get("/api/v1/offices", {"region": "africa"})

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/offices/?region=africa"


def test_an_accept_header_without_json_is_a_json_406(api, db):
    response = api.get("/api/v1/tags/", HTTP_ACCEPT="text/csv")

    assert response.status_code == 406
    assert response.json()["code"] == "not_acceptable"


@pytest.fixture
def failing_client(api_with):
    return api_with(Client(raise_request_exception=False))


def test_an_unreachable_database_is_a_json_503(failing_client, monkeypatch, db):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(hrprofile.api.views, "content_version", unreachable)

    response = failing_client.get("/api/v1/offices/")

    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert response["Retry-After"] == "30"


def test_a_bug_is_a_json_500_and_is_reported(failing_client, monkeypatch, db, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(hrprofile.api.views, "content_version", broken)

    response = failing_client.get("/api/v1/offices/")

    assert response.status_code == 500
    assert response.json() == {
        "status": 500,
        "code": "server_error",
        "detail": "Something went wrong on our side.",
    }
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info[0] is RuntimeError


def test_a_published_office_is_gone_after_unpublishing(api, iraq):
    Office.objects.filter(pk=iraq.pk).update(status=Office.Status.DRAFT)

    assert api.get("/api/v1/offices/iraq/").status_code == 410


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/api/v1/offices/", "text/html"),
        ("/api/v1/", "application/x-unsupported"),
        ("/api/v1/schema/", "text/html"),
        ("/api/v1/docs/", "application/json"),
    ],
)
def test_an_unacceptable_accept_header_is_a_json_406_everywhere(db, path, accept):
    response = Client().get(path, HTTP_ACCEPT=accept)

    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_acceptable"


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/"])
def test_a_writing_method_on_the_schema_and_docs_is_a_json_405(db, path):
    response = Client().post(path)

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "method_not_allowed"


def test_a_bad_host_header_is_a_json_400_on_the_api(db):
    response = Client().get("/api/v1/offices/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": 400,
        "code": "bad_request",
        "detail": (
            "The request could not be understood (for example its Host header)."
        ),
    }


def test_a_bad_host_header_is_still_the_html_page_elsewhere(db):
    response = Client().get("/en/offices/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_view_that_raises_is_a_json_500(failing_client, monkeypatch, db):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(hrprofile.api.views.DocsView, "get", broken)

    response = failing_client.get("/api/v1/docs/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"


@pytest.mark.parametrize(
    ("error", "status", "code", "retry_after"),
    [
        (RuntimeError("a bug"), 500, "server_error", None),
        (OperationalError("refused"), 503, "service_unavailable", "30"),
    ],
)
def test_a_failure_outside_the_view_is_json_too(
    monkeypatch, db, error, status, code, retry_after
):
    # Rendering happens after the view returns, out of DRF's error handling.
    def broken(self, data, *args, **kwargs):
        raise error

    monkeypatch.setattr(JSONRenderer, "render", broken)

    response = Client(raise_request_exception=False).get("/api/v1/tags/")

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == code
    assert response.get("Retry-After") == retry_after
    assert "no-store" in response["Cache-Control"]


# The language of an answer: ?lang=, else English.


@pytest.fixture
def bilingual(db):
    return OfficeFactory(
        slug="iraq", name="UN Human Rights in Iraq", name_fr="ONU Droits de l'homme"
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ACCEPT_LANGUAGE": "fr"},
        {"HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=fr"},
    ],
    ids=["accept-language", "cookie"],
)
def test_without_lang_the_api_answers_in_english(api, bilingual, headers):
    response = api.get("/api/v1/offices/iraq/", **headers)

    assert response.json()["name"] == "UN Human Rights in Iraq"
    assert response["Content-Language"] == "en"


def test_content_language_is_the_lang_asked_for(api, bilingual):
    response = api.get(
        "/api/v1/offices/iraq/", {"lang": "fr"}, HTTP_ACCEPT_LANGUAGE="ru"
    )

    assert response.json()["name"] == "ONU Droits de l'homme"
    assert response["Content-Language"] == "fr"


@pytest.mark.parametrize("path", [*ADDRESSES, "/api/v1/schema/", "/api/v1/docs/"])
def test_every_answer_says_its_language(db, iraq, path):
    response = Client().get(path, HTTP_ACCEPT_LANGUAGE="fr")

    assert response["Content-Language"] == "en"


def test_errors_are_in_english_without_lang(db):
    response = Client().get("/api/v1/nowhere/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.json()["detail"].startswith("No such address in the API.")
    assert response["Content-Language"] == "en"

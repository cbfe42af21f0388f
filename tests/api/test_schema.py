"""The OpenAPI document (/api/v1/schema/) and the docs page (/api/v1/docs/)."""

import json
import re
from html.parser import HTMLParser

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.test import Client
from openapi_spec_validator import OpenAPIV31SpecValidator

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")


def test_the_document_is_valid_openapi_3_1(openapi):
    assert openapi["openapi"] == "3.1.0"
    OpenAPIV31SpecValidator(openapi).validate()


# The document does not describe itself: these use a plain client.


def test_the_served_document_is_the_one_the_tests_check(db, openapi):
    response = Client().get("/api/v1/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert json.loads(response.content) == openapi


def test_the_document_is_also_served_as_yaml(db, openapi):
    response = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/yaml")

    assert yaml.safe_load(response.content) == openapi


def test_the_document_answers_conditional_requests(db):
    first = Client().get("/api/v1/schema/")

    again = Client().get("/api/v1/schema/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert (
        first["Cache-Control"]
        == again["Cache-Control"]
        == (
            "public, max-age=300, s-maxage=1, "
            "stale-while-revalidate=60, stale-if-error=86400"
        )
    )


def test_the_api_is_documented_and_only_the_api(openapi):
    assert sorted(openapi["paths"]) == [
        "/api/v1/",
        "/api/v1/offices/",
        "/api/v1/offices/{slug}/",
        "/api/v1/pillars/",
        "/api/v1/populations/",
        "/api/v1/shifts/",
        "/api/v1/tags/",
    ]
    assert all(list(operations) == ["get"] for operations in openapi["paths"].values())


def test_every_operation_is_described(openapi):
    for operations in openapi["paths"].values():
        operation = operations["get"]
        assert operation["summary"] and operation["description"]
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), parameter["name"]


def test_every_field_is_snake_case_and_described(openapi):
    for name, schema in openapi["components"]["schemas"].items():
        for field, spec in schema.get("properties", {}).items():
            assert SNAKE_CASE.match(field), f"{name}.{field}"
            if name.startswith("Paginated"):
                continue  # results: the items are described
            assert spec.get("description"), f"{name}.{field} has no description"


def test_codes_and_labels_list_the_codes(openapi):
    schemas = openapi["components"]["schemas"]

    assert "mena" in schemas["RegionEnum"]["enum"]
    assert "political_mission" in schemas["EngagementTypeEnum"]["enum"]
    assert schemas["Region"]["required"] == ["code", "label"]


def test_the_filters_are_documented_with_their_values(openapi):
    parameters = {
        p["name"]: p
        for p in openapi["paths"]["/api/v1/offices/"]["get"]["parameters"]
        if p["in"] == "query"
    }

    assert sorted(parameters) == [
        "engagement_type",
        "lang",
        "page",
        "page_size",
        "pillar",
        "population",
        "q",
        "region",
        "shift",
        "updated_since",
    ]
    assert "mena" in parameters["region"]["schema"]["enum"]
    assert "zh-hans" in parameters["lang"]["schema"]["enum"]


def test_page_and_page_size_declare_their_limits(openapi):
    parameters = {
        p["name"]: p["schema"]
        for p in openapi["paths"]["/api/v1/offices/"]["get"]["parameters"]
    }

    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}


# The schema and the validation agree: what the document excludes, every
# operation refuses with a 400 naming the parameter.


def documented_queries(document):
    """(path, parameter schema) of every query parameter of every operation,
    path parameters filled with the slug of a published office."""
    for template, operations in document["paths"].items():
        path = re.sub(r"\{[^/]+\}", "iraq", template)
        for parameter in operations["get"].get("parameters", []):
            if parameter["in"] == "query":
                yield path, parameter["name"], parameter["schema"]


def refused_values(schema):
    """Values the schema excludes: always the empty one."""
    yield ""
    if "enum" in schema:
        yield "not-one-of-them"
    if "minimum" in schema:
        yield str(schema["minimum"] - 1)
    if "maximum" in schema:
        yield str(schema["maximum"] + 1)


def accepted_values(schema):
    """Values at the schema's bounds."""
    for bound in ("minimum", "maximum"):
        if bound in schema:
            yield str(schema[bound])


def test_every_operation_refuses_what_its_schema_excludes(api, openapi, iraq):
    queries = list(documented_queries(openapi))
    # Every operation but the root (which takes no parameter) has some.
    assert len({path for path, _name, _schema in queries}) == len(openapi["paths"]) - 1
    wrong = []
    for path, name, schema in queries:
        for value in refused_values(schema):
            response = api.get(path, {name: value})
            if response.status_code != 400 or name not in response.json()["errors"]:
                wrong.append((path, name, value, response.status_code))

    assert wrong == []


def test_every_operation_accepts_the_bounds_its_schema_declares(api, openapi, iraq):
    wrong = [
        (path, name, value)
        for path, name, schema in documented_queries(openapi)
        for value in accepted_values(schema)
        if api.get(path, {name: value}).status_code != 200
    ]

    assert wrong == []


def test_an_empty_value_is_refused_with_a_clear_message(api, iraq):
    response = api.get("/api/v1/offices/", {"region": "", "q": "Iraq"})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "region": ["Empty. Give a value, or leave the parameter out."]
    }


# The docs page: Swagger UI from our own static files, under our CSP.


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.scripts = []  # (attributes, text) of each <script>
        self._script = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = [dict(attrs), ""]

    def handle_data(self, data):
        if self._script is not None:
            self._script[1] += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append(tuple(self._script))
            self._script = None


@pytest.fixture
def docs(db):
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    page = Tags()
    page.feed(response.content.decode())
    return response, page


def test_the_docs_page_loads_nothing_from_elsewhere(docs):
    response, page = docs
    html = response.content.decode()

    assert not re.search(r"(https?:)?//", html), "an absolute URL in the page"
    urls = [
        attrs.get("src") or attrs.get("href")
        for _, attrs in page.tags
        if attrs.get("src") or attrs.get("href")
    ]
    assert urls and all(url.startswith("/static/") for url in urls), urls
    for url in urls:
        assert finders.find(url.removeprefix("/static/")), f"{url} is not ours"


def test_the_docs_page_inline_scripts_carry_the_nonce(docs):
    response, page = docs
    policy = response["Content-Security-Policy"]

    for attrs, _text in page.scripts:
        if "src" not in attrs:
            assert attrs.get("nonce") and f"'nonce-{attrs['nonce']}'" in policy
    # In fact there is none: the page is the same for everyone and cacheable.
    assert all("src" in attrs and not text.strip() for attrs, text in page.scripts)


def test_the_docs_page_has_no_inline_style(docs):
    _response, page = docs

    assert not [tag for tag, _ in page.tags if tag == "style"]
    assert not [attrs for _, attrs in page.tags if "style" in attrs]


def test_the_docs_page_keeps_the_policy_but_for_data_images(docs):
    response, _ = docs
    directives = {
        part.split()[0]: part.split()[1:]
        for part in response["Content-Security-Policy"].split("; ")
    }

    assert directives["script-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["default-src"] == ["'self'"]


def test_the_docs_page_names_the_schema(docs):
    _, page = docs

    [container] = [attrs for tag, attrs in page.tags if attrs.get("id") == "swagger-ui"]
    assert container["data-schema-url"] == "/api/v1/schema/"


def test_the_docs_page_answers_conditional_requests(docs):
    response, _ = docs

    again = Client().get("/api/v1/docs/", HTTP_IF_NONE_MATCH=response["ETag"])

    assert again.status_code == 304
    assert response["Cache-Control"] == (
        "public, max-age=300, s-maxage=1, "
        "stale-while-revalidate=60, stale-if-error=86400"
    )

"""The API's tests check every answer against the OpenAPI document it serves.

`api` is an anonymous client whose every response is validated: the status
must be documented for the operation (or, for a method or address the API
does not have, be an error), the body must match the documented schema
(components resolved from the document), and each documented header must be
there.
"""

import json
import re

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from jsonschema import Draft202012Validator


@pytest.fixture(scope="session")
def openapi():
    """The OpenAPI document, as /api/v1/schema/ renders it."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


def _operation(document, method, path):
    """The documented operation for a request, or None."""
    for template, operations in document["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^/]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            # HEAD is GET without the body.
            return operations.get("get" if method == "head" else method)
    return None


def documented_response(document, method, path, status):
    """The response object the document gives for this answer."""
    operation = _operation(document, method, path)
    if operation is not None:
        responses = operation["responses"]
        if str(status) in responses:
            return responses[str(status)]
        assert status >= 400 and "default" in responses, (
            f"{method.upper()} {path}: status {status} is not documented"
        )
        return responses["default"]
    # A method or an address the API does not have: only an error may answer.
    assert status >= 400, f"{method.upper()} {path} answered {status}"
    error = {"$ref": "#/components/schemas/Error"}
    return {"content": {"application/json": {"schema": error}}}


def validate_body(document, schema, body):
    """Validate a decoded JSON body against schema, $refs from the document."""
    validator = Draft202012Validator(
        {**schema, "components": document["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def check_response(document, method, path, response):
    """Assert that response is what the document promises."""
    documented = documented_response(document, method, path, response.status_code)
    for header in documented.get("headers", {}):
        if header != "Retry-After" or response.status_code == 429:
            assert response.has_header(header), f"{path}: no {header} header"
    content = documented.get("content")
    if method == "head" or not content:
        assert response.content == b"", f"{path}: a body where none is documented"
        return
    media_type = response["Content-Type"].split(";")[0]
    assert media_type in content, f"{path}: {media_type} is not documented"
    if media_type.endswith("json"):
        validate_body(document, content[media_type]["schema"], response.json())


class ApiClient:
    """An anonymous client that validates every answer against the document."""

    def __init__(self, document, client=None):
        self.document = document
        self.client = client or Client()

    def request(self, method, path, data=None, **extra):
        response = getattr(self.client, method)(path, data, **extra)
        check_response(self.document, method, path, response)
        return response

    def get(self, path, data=None, **extra):
        return self.request("get", path, data, **extra)

    def head(self, path, data=None, **extra):
        return self.request("head", path, data, **extra)

    def options(self, path, **extra):
        return self.request("options", path, **extra)

    def post(self, path, data=None, **extra):
        return self.request("post", path, data, **extra)

    def put(self, path, data=None, **extra):
        return self.request("put", path, data, **extra)

    def patch(self, path, data=None, **extra):
        return self.request("patch", path, data, **extra)

    def delete(self, path, data=None, **extra):
        return self.request("delete", path, data, **extra)


@pytest.fixture
def api(db, openapi):
    return ApiClient(openapi)


@pytest.fixture
def api_with(db, openapi):
    """An ApiClient around a client of the test's own making."""
    return lambda client: ApiClient(openapi, client)

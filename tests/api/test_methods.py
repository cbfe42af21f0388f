"""Every HTTP method on every API address: never a server error, and every
error answer is JSON.

The addresses come from the URL resolver, so a route added under /api/ is
covered without touching this file. Run it alone to see the API answer every
method: `.venv/bin/python -m pytest -p no:xdist tests/api/test_methods.py -q`.
"""

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]

SLUG = "iraq"


def api_routes():
    """(name, path) of every pattern in the api namespace, path parameters
    filled with a published office's slug."""
    [api] = [
        pattern
        for pattern in get_resolver().url_patterns
        if isinstance(pattern, URLResolver) and pattern.namespace == "api"
    ]
    routes = []
    for pattern in api.url_patterns:
        assert pattern.name, f"{pattern.pattern} has no name"
        kwargs = dict.fromkeys(pattern.pattern.regex.groupindex, SLUG)
        routes.append((pattern.name, reverse(f"api:{pattern.name}", kwargs=kwargs)))
    return routes


ROUTES = api_routes()


def test_the_routes_are_found():
    names = {name for name, _path in ROUTES}

    assert {"root", "office-list", "office-detail", "schema", "docs"} <= names
    assert all(path.startswith("/api/") for _name, path in ROUTES)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("path", [path for _name, path in ROUTES], ids=str)
def test_every_method_is_answered_without_a_server_error(iraq, path, method):
    client = Client(raise_request_exception=False)

    response = client.generic(method, path)

    assert response.status_code < 500, (method, path, response.status_code)
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/json", (method, path)
        if method != "HEAD":
            assert response.json()["status"] == response.status_code


@pytest.mark.parametrize("path", [path for _name, path in ROUTES], ids=str)
def test_options_names_the_methods_and_has_no_body(iraq, path):
    response = Client().options(path)

    if response.status_code == 200:
        assert "OPTIONS" in response["Allow"]
        assert response.content == b""
    else:
        # The API's 404 for an address it does not have.
        assert response.status_code == 404

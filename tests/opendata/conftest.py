import pytest

# Hosts a request may name besides SITE_URL's: a mirror, and a proxy that
# sends X-Forwarded-Host.
OTHER_HOSTS = ["mirror.example.org", "proxy.example.org"]


@pytest.fixture
def other_hosts(settings):
    """Requests may come in on other host names; links must not follow them."""
    settings.ALLOWED_HOSTS = ["testserver", *OTHER_HOSTS]
    settings.USE_X_FORWARDED_HOST = True
    return OTHER_HOSTS


# The ways a request names another host than SITE_URL's.
OTHER_HOST_HEADERS = [
    {"host": "mirror.example.org"},
    {"x_forwarded_host": "proxy.example.org"},
]


# A page on another site that reads the open data (CORS).
ORIGIN = "https://newsroom.example.com"


def assert_any_origin_may_read(response):
    """The CORS headers of public data: any origin, no credentials, the
    validators readable."""
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]


def preflight(client, path, header):
    """A cross-origin script's preflight for a GET that sends header."""
    return client.options(
        path,
        headers={
            "origin": ORIGIN,
            "access-control-request-method": "GET",
            "access-control-request-headers": header,
        },
    )

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

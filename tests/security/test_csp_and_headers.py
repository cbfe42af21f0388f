"""Browser protections on every response: the Content-Security-Policy (public
pages, admin, static files, error pages), framing, sniffing, referrer, HSTS."""

import os
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.urls import path, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from hrprofile import urls as root_urls
from tests.factories import (
    OfficeFactory,
    ShiftFactory,
    ThematicPillarFactory,
    UserFactory,
)

# The policy of a page that never asked for a nonce; pages that did have
# 'nonce-…' added to script-src and style-src, and nothing else.
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def broken(request):
    raise RuntimeError("boom")


# The real URLconf plus a failing view, for @pytest.mark.urls(__name__).
urlpatterns = [path("test/broken/", broken), *root_urls.urlpatterns]


def policy_of(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def nonce_of(response):
    """The nonce the policy allows, or None."""
    sources = policy_of(response)["script-src"]
    nonces = [s[len("'nonce-") : -1] for s in sources if s.startswith("'nonce-")]
    return nonces[0] if nonces else None


class Tags(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.tags = []  # (tag, attrs) in document order
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def with_attributes(self, predicate):
        return [
            (tag, name) for tag, attrs in self.tags for name in attrs if predicate(name)
        ]


def inline_code_blockers(html):
    """What a strict policy blocks whatever the nonce: style and on* attributes."""
    return Tags(html).with_attributes(
        lambda name: name == "style" or name.startswith("on")
    )


@pytest.fixture
def site(db):
    pillar = ThematicPillarFactory(slug="accountability")
    shift = ShiftFactory(slug="prevention")
    return OfficeFactory(slug="iraq", pillars=[pillar], shifts=[shift])


@pytest.fixture
def verified_admin(client, db):
    """A superuser signed in with a verified second factor."""
    user = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, confirmed=True, name="phone")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return user


# ------------------------------------------------------------ the policy


def test_policy_forbids_inline_code_plugins_base_and_framing(client, site):
    policy = policy_of(client.get("/en/offices/"))

    assert policy == POLICY
    assert not {"'unsafe-inline'", "'unsafe-eval'"} & set(policy["script-src"])
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


# ------------------------------------------------------------ public pages

PUBLIC_PAGES = [
    "/en/offices/",
    "/en/offices/?q=baghdad",
    "/en/offices/iraq/",
    "/en/pillars/accountability/",
    "/en/shifts/prevention/",
    "/en/offices/no-such-office/",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_page_has_the_policy_without_a_nonce(client, site, url):
    """They are cached publicly: a nonce there would be the same for everyone."""
    response = client.get(url)

    assert policy_of(response) == POLICY
    assert "nonce" not in response.content.decode()


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_page_has_no_inline_code_but_json_ld(client, site, url):
    html = client.get(url).content.decode()
    tags = Tags(html).tags

    scripts = [attrs for tag, attrs in tags if tag == "script"]
    assert all(attrs == {"type": "application/ld+json"} for attrs in scripts)
    assert not [tag for tag, _ in tags if tag == "style"]
    assert inline_code_blockers(html) == []


def test_profile_json_ld_is_a_data_block_not_a_script(client, site):
    """Browsers do not run application/ld+json, so script-src does not apply."""
    html = client.get("/en/offices/iraq/").content.decode()

    assert '<script type="application/ld+json">' in html


@pytest.mark.parametrize("url", ["/sitemap.xml", "/robots.txt", "offices:feed"])
def test_other_public_responses_have_the_policy(client, site, url):
    response = client.get(reverse(url) if ":" in url else url)

    assert response.status_code == 200
    assert policy_of(response) == POLICY


def test_static_files_have_the_policy(settings):
    # WhiteNoise serves from STATIC_ROOT after collectstatic; the finders
    # serve the same files without it. Middleware is set up per client.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True

    response = Client().get("/static/css/site.css")

    assert response.status_code == 200
    assert policy_of(response) == POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# ------------------------------------------------------------ admin

# Name -> URL of an admin page, given the office and the signed-in user.
ADMIN_PAGES = {
    "index": lambda office, user: reverse("admin:index"),
    "office list": lambda office, user: reverse("admin:offices_office_changelist"),
    "office add": lambda office, user: reverse("admin:offices_office_add"),
    "office add popup": lambda office, user: (
        reverse("admin:offices_office_add") + "?_popup=1&_to_field=id"
    ),
    "office change": lambda office, user: reverse(
        "admin:offices_office_change", args=[office.pk]
    ),
    "office delete": lambda office, user: reverse(
        "admin:offices_office_delete", args=[office.pk]
    ),
    "review schedule": lambda office, user: reverse(
        "admin:offices_office_review_schedule"
    ),
    "defer review": lambda office, user: reverse(
        "admin:offices_office_defer_review", args=[office.pk]
    ),
    "user list": lambda office, user: reverse("admin:auth_user_changelist"),
    "user change": lambda office, user: reverse(
        "admin:auth_user_change", args=[user.pk]
    ),
    "user password": lambda office, user: reverse(
        "admin:auth_user_password_change", args=[user.pk]
    ),
    "group add": lambda office, user: reverse("admin:auth_group_add"),
    "own password": lambda office, user: reverse("admin:password_change"),
}


@pytest.fixture(params=ADMIN_PAGES)
def admin_page(request, client, verified_admin, site):
    """The response to one admin page, for a verified superuser."""
    url = ADMIN_PAGES[request.param](site, verified_admin)
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def same_origin(url):
    return url.startswith("/") and not url.startswith("//")


def test_admin_page_has_the_policy_with_a_nonce(admin_page):
    nonce = nonce_of(admin_page)

    assert nonce
    assert policy_of(admin_page) == POLICY | {
        "script-src": ["'self'", f"'nonce-{nonce}'"],
        "style-src": ["'self'", f"'nonce-{nonce}'"],
    }


def test_admin_page_runs_only_code_the_policy_allows(admin_page):
    """Inline <script> and <style> need the page's nonce; files come from here."""
    nonce = nonce_of(admin_page)
    tags = Tags(admin_page.content.decode()).tags

    inline = [
        attrs
        for tag, attrs in tags
        if tag == "style" or (tag == "script" and "src" not in attrs)
    ]
    assert [attrs for attrs in inline if attrs.get("nonce") != nonce] == []
    files = [attrs for tag, attrs in tags if tag == "script" and "src" in attrs]
    assert files
    assert [
        attrs
        for attrs in files
        if not same_origin(attrs["src"]) and attrs.get("nonce") != nonce
    ] == []


def test_admin_page_has_no_style_or_event_handler_attributes(admin_page):
    assert inline_code_blockers(admin_page.content.decode()) == []


def test_admin_login_page_has_a_nonce_and_is_never_cached(client, db):
    response = client.get(reverse("admin:login"))

    assert nonce_of(response)
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "name",
    ADMIN_PAGES,
)
def test_admin_page_with_a_nonce_is_never_cached(client, verified_admin, site, name):
    """A cached nonce is a reused nonce, which an attacker could learn."""
    response = client.get(ADMIN_PAGES[name](site, verified_admin))

    assert nonce_of(response)
    assert "no-store" in response.headers.get("Cache-Control", "")


# ------------------------------------------------------------ error pages


def test_bad_request_page_has_the_policy(client, db):
    response = client.get("/en/offices/", headers={"host": "attacker.example"})

    assert response.status_code == 400
    assert policy_of(response) == POLICY


def test_csrf_failure_page_has_the_policy(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("admin:login"), {"username": "a", "password": "b"})

    assert response.status_code == 403
    assert policy_of(response) == POLICY


def test_not_found_page_has_the_policy(client, db):
    response = client.get("/en/nothing-here/")

    assert response.status_code == 404
    assert policy_of(response) == POLICY


@pytest.mark.urls(__name__)
def test_server_error_page_has_the_policy_and_the_other_headers(db):
    response = Client(raise_request_exception=False).get("/test/broken/")

    assert response.status_code == 500
    assert policy_of(response) == POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# ------------------------------------------------------------ other headers


@pytest.mark.parametrize("url", ["/en/offices/", "admin:login"])
def test_responses_forbid_framing_and_sniffing_and_limit_the_referrer(
    client, site, url
):
    response = client.get(reverse(url) if ":" in url else url)

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.fixture
def hsts(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True


def test_secure_responses_have_hsts_when_configured(client, site, hsts):
    response = client.get("/en/offices/", secure=True)

    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )


def test_plain_http_responses_never_have_hsts(client, site, hsts):
    response = client.get("/en/offices/")

    assert "Strict-Transport-Security" not in response.headers


def test_no_hsts_unless_configured(client, site, settings):
    settings.SECURE_HSTS_SECONDS = 0

    response = client.get("/en/offices/", secure=True)

    assert "Strict-Transport-Security" not in response.headers


# ------------------------------------------------------------ proxy header

# Enough of a production environment to load the settings in a subprocess.
PRODUCTION = {
    "HRPROFILE_ENV": "production",
    "SECRET_KEY": "test-only-" + "x" * 50,
    "ALLOWED_HOSTS": "profiles.example.org",
    "DATABASE_URL": "postgres://hrprofile@db.invalid:5432/hrprofile",
    "EMAIL_URL": "smtp://mailer@smtp.example.org:587",
}

IS_SECURE = """
import django
django.setup()
from django.conf import settings
from django.test import RequestFactory
request = RequestFactory().get("/", headers={"x-forwarded-proto": "https"})
print(getattr(settings, "SECURE_PROXY_SSL_HEADER", None), request.is_secure())
"""


@pytest.mark.process
@pytest.mark.parametrize(
    ("behind_proxy", "expected"),
    [
        (None, "None False"),
        ("false", "None False"),
        ("true", "('HTTP_X_FORWARDED_PROTO', 'https') True"),
    ],
)
def test_x_forwarded_proto_is_trusted_only_behind_proxy(behind_proxy, expected):
    """Anyone can send X-Forwarded-Proto: only our own proxy's is believed."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "hrprofile.settings",
        **PRODUCTION,
    }
    if behind_proxy is not None:
        env["BEHIND_PROXY"] = behind_proxy

    result = subprocess.run(
        [sys.executable, "-c", IS_SECURE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected

"""hrprofile/settings.py under controlled environments.

Each test executes a fresh copy of the settings module (never registered in
sys.modules), so the settings of the running test process stay untouched.
"""

import importlib.util
import re

import environ
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789",
    "ALLOWED_HOSTS": "profiles.example.org,www.profiles.example.org",
    "DATABASE_URL": "postgres://hrprofile:s3cret@db.example.org:5432/hrprofile",
    "EMAIL_URL": "smtp://mailer:pa%40ss@smtp.example.org:587",
}
REQUIRED = sorted(PRODUCTION)


@pytest.fixture
def load_settings(monkeypatch):
    """Execute settings.py with exactly the given deploy variables set."""
    # A developer's .env must not leak into these environments.
    monkeypatch.setattr(environ.Env, "read_env", classmethod(lambda *a, **k: None))
    for name in [*REQUIRED, "DEBUG", "CACHE_URL", "SITE_URL", "TIME_ZONE"]:
        monkeypatch.delenv(name, raising=False)

    def load(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        path = settings.BASE_DIR / "hrprofile" / "settings.py"
        spec = importlib.util.spec_from_file_location("settings_under_test", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_refuses_to_start_without_a_required_variable(
    load_settings, missing
):
    variables = {k: v for k, v in PRODUCTION.items() if k != missing}

    with pytest.raises(ImproperlyConfigured, match=f"Set the {missing} "):
        load_settings(**variables)


@pytest.mark.parametrize("empty", REQUIRED)
def test_production_treats_an_empty_required_variable_as_missing(load_settings, empty):
    with pytest.raises(ImproperlyConfigured, match=f"Set the {empty} "):
        load_settings(**PRODUCTION | {empty: ""})


def test_explicit_debug_false_is_production_mode(load_settings):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load_settings(DEBUG="false")


def test_production_loads_with_every_required_variable(load_settings):
    loaded = load_settings(**PRODUCTION)

    assert loaded.DEBUG is False
    assert loaded.SECRET_KEY == "a-long-random-production-secret-key-0123456789"
    assert loaded.ALLOWED_HOSTS == ["profiles.example.org", "www.profiles.example.org"]
    database = loaded.DATABASES["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"]) == ("db.example.org", "hrprofile")
    assert loaded.TIME_ZONE == "UTC"


def test_mailers_are_built_from_email_url(load_settings):
    loaded = load_settings(**PRODUCTION)

    smtp = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "smtp.example.org",
            "port": 587,
            "timeout": 10,
            "use_tls": True,
            "username": "mailer",
            "password": "pa@ss",
        },
    }
    # Error emails, sent from inside a failing request, wait 5 s at most.
    errors = {**smtp, "OPTIONS": {**smtp["OPTIONS"], "timeout": 5}}
    mailers = loaded.MAILERS
    assert mailers == {"default": smtp, "errors": errors}


def test_a_shorter_email_timeout_holds_for_error_emails_too(load_settings):
    loaded = load_settings(
        **PRODUCTION | {"EMAIL_URL": "smtp://smtp.example.org?timeout=3"}
    )

    assert loaded.MAILERS["errors"]["OPTIONS"]["timeout"] == 3


def test_production_uses_no_deprecated_email_settings(load_settings):
    loaded = load_settings(**PRODUCTION)

    assert not hasattr(loaded, "EMAIL_BACKEND")
    assert not any(name.startswith("EMAIL_HOST") for name in dir(loaded))


def test_local_mode_needs_no_production_secrets(load_settings):
    loaded = load_settings(
        DEBUG="true", SECRET_KEY="local", DATABASE_URL=PRODUCTION["DATABASE_URL"]
    )

    assert loaded.DEBUG is True
    assert "localhost" in loaded.ALLOWED_HOSTS
    console = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    mailers = loaded.MAILERS
    assert mailers == {"default": console, "errors": console}


def test_review_fallback_defaults_to_the_admins(load_settings, monkeypatch):
    monkeypatch.delenv("REVIEW_FALLBACK_EMAIL", raising=False)

    loaded = load_settings(**PRODUCTION, ADMINS="webmaster@example.org")

    assert loaded.REVIEW_FALLBACK_EMAIL == ["webmaster@example.org"]


def test_review_fallback_email_replaces_the_admins(load_settings):
    loaded = load_settings(
        **PRODUCTION,
        ADMINS="webmaster@example.org",
        REVIEW_FALLBACK_EMAIL="team@example.org,lead@example.org",
    )

    assert loaded.REVIEW_FALLBACK_EMAIL == ["team@example.org", "lead@example.org"]


def test_production_serves_compressed_static_files_with_hashed_names(load_settings):
    loaded = load_settings(**PRODUCTION)

    assert loaded.STORAGES["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in loaded.MIDDLEWARE


@pytest.mark.parametrize("document", [".env.example", "README.md"])
def test_every_variable_the_settings_read_is_documented(document):
    source = (settings.BASE_DIR / "hrprofile" / "settings.py").read_text()
    names = set(re.findall(r'(?:\benv(?:\.\w+)?|required)\(\s*"([A-Z_]+)"', source))
    text = (settings.BASE_DIR / document).read_text()

    assert "SECRET_KEY" in names
    assert "REVIEW_REMINDER_REPEAT_DAYS" in names
    assert sorted(name for name in names if name not in text) == []


def test_local_mode_without_database_url_uses_the_embedded_postgres(
    load_settings, monkeypatch
):
    started = []

    def fake_embedded_database(data_dir):
        started.append(data_dir)
        return {"ENGINE": "django.db.backends.postgresql", "NAME": "embedded"}

    monkeypatch.setattr(
        "hrprofile.embedded_db.embedded_database", fake_embedded_database
    )

    loaded = load_settings(DEBUG="true", SECRET_KEY="local")

    assert started == [settings.BASE_DIR / "var" / "postgres"]
    assert loaded.DATABASES["default"]["NAME"] == "embedded"


def test_queries_are_bound_and_prepared_on_the_server(load_settings):
    database = load_settings(**PRODUCTION).DATABASES["default"]

    assert database["OPTIONS"]["server_side_binding"] is True
    assert database["OPTIONS"]["prepare_threshold"] == 5
    # Planned once, for every value.
    assert database["OPTIONS"]["options"] == "-c plan_cache_mode=force_generic_plan"


def test_a_database_urls_own_options_are_kept(load_settings):
    url = PRODUCTION["DATABASE_URL"] + "?options=-c%20work_mem%3D8MB"
    database = load_settings(**PRODUCTION | {"DATABASE_URL": url}).DATABASES["default"]

    assert database["OPTIONS"]["options"] == "-c work_mem=8MB"


@pytest.mark.parametrize(("value", "threshold"), [("2", 2), ("0", None)])
def test_preparing_can_be_tuned_or_turned_off_for_a_pooler(
    load_settings, value, threshold
):
    database = load_settings(**PRODUCTION, DATABASE_PREPARE_THRESHOLD=value).DATABASES[
        "default"
    ]

    assert database["OPTIONS"]["prepare_threshold"] == threshold
    # Nothing prepared: PostgreSQL plans each query for its values, and a
    # pooler is sent no startup option it may refuse.
    assert ("options" in database["OPTIONS"]) is (threshold is not None)


def test_a_redis_cache_goes_through_the_bounded_backend(load_settings):
    """Every user of the cache gets its timeouts and breaker (hrprofile/cache.py)."""
    caches = load_settings(**PRODUCTION, CACHE_URL="redis://127.0.0.1:6379/1").CACHES

    assert caches["default"] == {
        "BACKEND": "hrprofile.cache.BoundedRedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }


def test_the_cache_urls_key_prefix_prefixes_the_keys(load_settings):
    url = "redis://127.0.0.1:6379/1?key_prefix=hrprofile-staging"
    caches = load_settings(**PRODUCTION, CACHE_URL=url).CACHES

    assert caches["default"]["KEY_PREFIX"] == "hrprofile-staging"
    assert "key_prefix" not in caches["default"]


@pytest.mark.parametrize(("value", "seconds"), [(None, 10), ("2", 2)])
def test_the_cache_breaker_window_is_read_from_the_environment(
    load_settings, monkeypatch, value, seconds
):
    monkeypatch.delenv("CACHE_BREAKER_SECONDS", raising=False)
    variables = {} if value is None else {"CACHE_BREAKER_SECONDS": value}
    loaded = load_settings(**PRODUCTION, **variables)

    assert seconds == loaded.CACHE_BREAKER_SECONDS


@pytest.mark.parametrize("value", ["0", "-1", "2.5", "ten", ""])
def test_a_cache_breaker_window_that_is_not_a_positive_whole_number_is_refused(
    load_settings, value
):
    with pytest.raises(ImproperlyConfigured, match="CACHE_BREAKER_SECONDS must be"):
        load_settings(**PRODUCTION, CACHE_BREAKER_SECONDS=value)


@pytest.mark.parametrize(("value", "timeout"), [(None, 3), ("5", 5)])
def test_the_database_connect_timeout_is_read_from_the_environment(
    load_settings, monkeypatch, value, timeout
):
    monkeypatch.delenv("DATABASE_CONNECT_TIMEOUT", raising=False)
    variables = {} if value is None else {"DATABASE_CONNECT_TIMEOUT": value}
    database = load_settings(**PRODUCTION, **variables).DATABASES["default"]

    assert database["OPTIONS"]["connect_timeout"] == timeout

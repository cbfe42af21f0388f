from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from tests.factories import OfficeFactory, UserFactory
from tests.servers import collected_static_root
from tests.support import VerifiedClient

# Process-level tests (`process` marker): they start servers (gunicorn, nginx,
# Redis, Chromium through the live server), subprocesses of the project, or
# migrate the database back and forth. `make test-fast` leaves them out
# (-m "not process"); `make test` runs them. Besides the modules below, a test
# is process-level when it asks for a live server or the collected static
# files (the gunicorn servers' fixtures do), or drives a browser; a single
# test elsewhere that starts a subprocess is marked where it is defined.
PROCESS_MODULES = {
    "deploy/test_backup.py": "pg_dump and pg_restore",
    "deploy/test_image.py": "docker build and run",
    "deploy/test_nginx.py": "nginx",
    "operations/test_edge_cache.py": "nginx in front of gunicorn",
    "i18n/test_migrations.py": "migration round trips",
    "security/test_config.py": "manage.py and gunicorn in a copy of the checkout",
    "test_migrations.py": "migration round trips",
}
PROCESS_FIXTURES = {"live_server", "static_root"}

# Tests whose outcome depends on the PostgreSQL server itself (`server`
# marker), not only on the SQL the ORM writes: our own SQL (the content-stamp
# triggers, the English fingerprint's digest, CHECK constraints), collations,
# full-text search and trigrams, the compiled-query pipeline, and pg_dump and
# pg_restore of the server's version. CI runs the whole suite on the embedded
# server, then these again against the PostgreSQL service (-m server): the
# rest goes through the ORM's portable SQL and would only repeat the first run.
SERVER_MODULES = {
    "api/test_sync.py": "removals recorded by triggers",
    "deploy/test_backup.py": "pg_dump and pg_restore of the server's version",
    "i18n/test_fingerprint.py": "the fingerprint computed in SQL",
    "i18n/test_line_endings.py": "CHECK constraints on the prose columns",
    "i18n/test_order.py": "collations (ICU, or lower(unaccent))",
    "i18n/test_search.py": "full-text search configurations per language",
    "offices/test_office_stamp.py": "per-office stamp triggers",
    "offices/test_search_indexes.py": "search indexes and trigram similarity",
    "security/test_slug_conflicts.py": "unique constraints under concurrency",
    "test_content_stamp.py": "the content-stamp triggers",
    "test_queries.py": "compiled queries and psycopg's pipeline",
    "test_stamped_tables.py": "which tables carry the stamp trigger",
}

TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items):
    for item in items:
        module = item.path.relative_to(TESTS).as_posix()
        if (
            module in PROCESS_MODULES
            or PROCESS_FIXTURES & set(item.fixturenames)
            or item.get_closest_marker("browser")
        ):
            item.add_marker(pytest.mark.process)
        if module in SERVER_MODULES:
            item.add_marker(pytest.mark.server)


@pytest.fixture
def client():
    """pytest-django's client, signed in past the second step by force_login."""
    return VerifiedClient()


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin_client, past the second step as well."""
    client = VerifiedClient()
    client.force_login(admin_user)
    return client


@pytest.fixture(autouse=True)
def english_first():
    """Each test starts in English, whatever language a request of the test
    before left active: a factory writes a translated field ("name") in the
    active language (modeltranslation), and the text it means is English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache():
    """Login failures and rate limits are counted in the cache: start at zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_user(db):
    """A staff member who may edit every office (an editor-in-chief)."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="editor")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["offices", "mandates"])
    )
    return user


@pytest.fixture
def iraq(db):
    """A published office at /offices/iraq/; a module that needs more of a
    profile (field offices, terms, figures) builds its own "iraq"."""
    return OfficeFactory(name="UN Human Rights in Iraq", slug="iraq")


@pytest.fixture
def site_url(settings):
    """The public site's address: absolute links name it, never the Host header."""
    settings.SITE_URL = "https://profiles.example.org"
    return settings.SITE_URL


@pytest.fixture
def reminder_settings(settings):
    """Review reminder settings with known values, and absolute links."""
    settings.SITE_URL = "https://profiles.example.org"
    settings.REVIEW_FALLBACK_EMAIL = ["fallback@example.org"]
    settings.REVIEW_ESCALATE_AFTER_DAYS = 30
    settings.REVIEW_REMINDER_REPEAT_DAYS = 7
    return settings


@pytest.fixture
def limited_editor(db):
    """A staff member who may edit offices, but only those they review."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="limited")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["offices", "mandates"]
        ).exclude(codename="edit_all_offices")
    )
    return user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Factories create many users; a real password hash costs ~0.2 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def static_root():
    """collectstatic's output for production-mode servers, shared by every
    test (and kept between runs while its inputs are unchanged)."""
    return collected_static_root()

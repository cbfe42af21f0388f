"""Outages are 503s, bugs are 500s, and neither floods the ADMINS' inboxes."""

import logging
import os
import subprocess
import sys

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from hrprofile.errors import server_error
from hrprofile.logs import NotDatabaseOutage


def answer_while_handling(error):
    request = RequestFactory().get("/en/offices/")
    try:
        raise error
    except Exception:
        return server_error(request)


def test_an_unreachable_database_is_a_503_with_retry_after():
    # No database access is allowed in this test: the page must need none.
    response = answer_while_handling(OperationalError("connection refused"))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "This site is briefly unavailable" in response.content.decode()


def test_any_other_error_is_still_a_500():
    response = answer_while_handling(ValueError("a bug"))

    assert response.status_code == 500


def record_for(error):
    try:
        raise error
    except Exception:
        return logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "x", None, sys.exc_info()
        )


def test_outages_are_not_mailed_to_admins_but_bugs_are():
    keep = NotDatabaseOutage().filter

    assert not keep(record_for(OperationalError("down")))
    assert keep(record_for(ValueError("a bug")))


@pytest.mark.process
def test_sentry_dsn_without_sentry_sdk_is_a_clear_error():
    if "sentry_sdk" in sys.modules or _installed("sentry_sdk"):
        pytest.skip("sentry-sdk is installed here: nothing to refuse")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hrprofile.settings",
            "HRPROFILE_ENV": "local",
            "DEBUG": "true",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
            "SENTRY_DSN": "https://key@sentry.example.org/1",
        },
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "sentry-sdk is not installed" in result.stderr


def _installed(name):
    import importlib.util

    return importlib.util.find_spec(name) is not None

"""The browser tests' workarounds stay inside tests/browser/.

In a full run these tests come after tests/browser/ (pytest collects files and
directories in name order), so they see whatever the browser tests left behind.
"""

import asyncio
import os

import pytest

from offices.models import Office


def test_django_async_unsafe_switch_is_off():
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ


def test_no_asyncio_loop_is_left_running():
    with pytest.raises(RuntimeError, match="no running event loop"):
        asyncio.get_running_loop()


@pytest.mark.django_db
def test_orm_calls_work_outside_the_browser_tests():
    assert not Office.objects.exists()


def test_the_modules_the_markers_name_exist():
    """A renamed test module must not drop out of CI's second run (`server`)
    or into make test-fast (`process`) unnoticed."""
    from pathlib import Path

    from tests.conftest import PROCESS_MODULES, SERVER_MODULES

    tests = Path(__file__).parent
    missing = [
        name
        for name in sorted({*PROCESS_MODULES, *SERVER_MODULES})
        if not (tests / name).is_file()
    ]

    assert missing == []

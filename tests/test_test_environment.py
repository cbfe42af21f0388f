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

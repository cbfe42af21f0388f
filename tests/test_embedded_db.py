"""The embedded server's process list, which a killed process can leave
empty: the next command repairs it instead of failing on it."""

import pytest

from hrprofile.embedded_db import PID_LIST, repair_pid_list


@pytest.mark.parametrize("content", ["", "[12, 3", "{}"])
def test_a_list_left_unreadable_is_emptied(tmp_path, content):
    (tmp_path / PID_LIST).write_text(content)

    assert repair_pid_list(tmp_path)
    assert (tmp_path / PID_LIST).read_text() == "[]"


@pytest.mark.parametrize("content", [None, "[]", "[12, 345]"])
def test_a_readable_list_or_none_is_left_alone(tmp_path, content):
    if content is not None:
        (tmp_path / PID_LIST).write_text(content)

    assert not repair_pid_list(tmp_path)
    if content is not None:
        assert (tmp_path / PID_LIST).read_text() == content
    else:
        assert not (tmp_path / PID_LIST).exists()

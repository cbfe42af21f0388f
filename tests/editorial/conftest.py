import pytest

from tests.support import member


@pytest.fixture
def publisher(db):
    """A content manager: may publish and schedule every office."""
    return member("Content managers", "publisher", first_name="Pat", last_name="Lee")


@pytest.fixture
def editor(db):
    """An office editor: edits the offices they review, may not publish."""
    return member("Office editors", "amina", first_name="Amina", last_name="Diallo")

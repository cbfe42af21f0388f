import pytest

from tests.factories import UserFactory
from tests.support import editorial_group


@pytest.fixture
def publisher(db):
    """A content manager: may publish and schedule every office."""
    user = UserFactory(username="publisher", first_name="Pat", last_name="Lee")
    user.groups.add(editorial_group("Content managers"))
    return user


@pytest.fixture
def editor(db):
    """An office editor: edits the offices they review, may not publish."""
    user = UserFactory(username="amina", first_name="Amina", last_name="Diallo")
    user.groups.add(editorial_group("Office editors"))
    return user

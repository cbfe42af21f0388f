import pytest

from tests.factories import UserFactory


@pytest.fixture
def staff_user(db):
    """A staff member who may edit every office (an editor-in-chief)."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="editor")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["offices", "mandates"])
    )
    return user

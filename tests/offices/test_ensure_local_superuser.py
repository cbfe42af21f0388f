import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture(autouse=True)
def local_mode(settings):
    settings.DEBUG = True


def ensure_local_superuser(**options):
    out = StringIO()
    call_command("ensure_local_superuser", stdout=out, **options)
    return out.getvalue()


def test_creates_admin_with_the_printed_random_password(monkeypatch):
    monkeypatch.delenv("PORT", raising=False)

    output = ensure_local_superuser()

    password = re.search(r"password: (\S+)", output)[1]
    admin = User.objects.get()
    assert (admin.username, admin.is_superuser, admin.is_staff) == ("admin", True, True)
    assert admin.check_password(password)
    assert len(password) >= 20
    assert "username: admin" in output
    assert "http://127.0.0.1:8000/admin/" in output


def test_admin_url_uses_the_port(monkeypatch):
    monkeypatch.setenv("PORT", "8123")

    assert "http://127.0.0.1:8123/admin/" in ensure_local_superuser()


def test_each_new_superuser_gets_a_different_password():
    first = ensure_local_superuser()
    User.objects.all().delete()

    second = ensure_local_superuser()

    assert (
        re.search(r"password: (\S+)", first)[1]
        != (re.search(r"password: (\S+)", second)[1])
    )


def test_prints_the_password_even_when_quiet():
    assert "password: " in ensure_local_superuser(verbosity=0)


def test_does_nothing_when_a_superuser_exists():
    existing = UserFactory(username="root", is_superuser=True)

    output = ensure_local_superuser()

    assert list(User.objects.all()) == [existing]
    assert output == "A superuser already exists; nothing to do.\n"
    assert "password" not in output


def test_rerun_keeps_the_first_password():
    first = re.search(r"password: (\S+)", ensure_local_superuser())[1]

    ensure_local_superuser()

    assert User.objects.get().check_password(first)


def test_refuses_when_an_ordinary_user_is_named_admin():
    UserFactory(username="admin", is_superuser=False)

    with pytest.raises(CommandError, match="not a superuser"):
        ensure_local_superuser()

    assert not User.objects.filter(is_superuser=True).exists()


def test_refuses_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        ensure_local_superuser()

    assert not User.objects.exists()

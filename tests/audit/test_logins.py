"""Logins, logouts and failed logins in the audit trail, with the client's address.

Through the admin's login form, as a person signs in: axes needs the request.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.urls import reverse

from audit.models import AuditEntry
from tests.factories import UserFactory
from tests.support import OWNER_IP, log_in

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
LOGIN = reverse("admin:login")
LOGOUT = reverse("admin:logout")
INDEX = reverse("admin:index")
PROXY_IP = "10.0.0.2"


@pytest.fixture
def editor(db):
    """Staff who may sign in with a password alone (no second step owed)."""
    return UserFactory(username="editor")


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_login_is_recorded_with_who_and_where(client, editor):
    response = log_in(client, "editor")

    assert response.status_code == 302
    [entry] = entries(Action.LOGIN)
    assert (entry.actor, entry.object_id, entry.remote_addr) == (
        editor,
        editor.pk,
        OWNER_IP,
    )
    assert entry.content_type.model_class() is get_user_model()


def test_logout_is_recorded_with_who_and_where(client, editor):
    log_in(client, "editor")

    response = client.post(LOGOUT, REMOTE_ADDR=OWNER_IP)

    assert response.status_code == 200
    [entry] = entries(Action.LOGOUT)
    assert (entry.actor, entry.remote_addr) == (editor, OWNER_IP)


def test_logout_without_a_session_records_nothing(client):
    client.post(LOGOUT)

    assert entries(Action.LOGOUT) == []


def test_failed_login_records_the_username_tried_and_the_address(client, editor):
    response = log_in(client, "editor", "wrong password")

    assert response.status_code == 200
    [entry] = entries(Action.LOGIN_FAILED)
    assert (entry.object_repr, entry.remote_addr, entry.actor) == (
        "editor",
        OWNER_IP,
        None,
    )
    assert entry.content_type.model_class() is get_user_model()
    assert entry.changes_text == "Wrong username or password."
    assert "wrong password" not in str(entry.additional_data)


def test_failed_login_for_an_unknown_username_is_recorded_too(client):
    log_in(client, "nobody-by-this-name", "guess")

    [entry] = entries(Action.LOGIN_FAILED)
    assert entry.object_repr == "nobody-by-this-name"


def test_attempts_during_a_lockout_are_recorded_as_refused(client, editor, settings):
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT + 1):
        response = log_in(client, "editor", "wrong password")

    assert response.status_code == 429
    failures = entries(Action.LOGIN_FAILED)
    assert len(failures) == settings.LOGIN_FAILURE_LIMIT + 1
    assert failures[0].changes_text == "Wrong username or password."
    assert "locked out" in failures[-1].changes_text


def test_control_characters_in_a_tried_username_are_not_stored(client):
    log_in(client, "bob\x1b[31m\r\nadmin logged in", "guess")

    [entry] = entries(Action.LOGIN_FAILED)
    assert entry.object_repr == "bob [31m admin logged in"


def test_a_tried_username_is_stored_bounded_and_without_nul():
    user_login_failed.send(
        sender=__name__, credentials={"username": "x\x00" * 1000}, request=None
    )

    [entry] = entries(Action.LOGIN_FAILED)
    assert "\x00" not in entry.object_repr
    assert len(entry.object_repr) == 150
    assert entry.remote_addr is None


# Behind a proxy


def test_behind_a_trusted_proxy_the_client_address_is_recorded(
    client, editor, settings
):
    settings.TRUSTED_PROXY_COUNT = 1

    log_in(client, "editor", ip=PROXY_IP, HTTP_X_FORWARDED_FOR=OWNER_IP)

    [entry] = entries(Action.LOGIN)
    assert entry.remote_addr == OWNER_IP


def test_a_spoofed_forwarded_address_is_not_recorded(client, editor, settings):
    """The client wrote the left-most address; only the proxy's append counts."""
    settings.TRUSTED_PROXY_COUNT = 1

    log_in(
        client,
        "editor",
        "wrong password",
        ip=PROXY_IP,
        HTTP_X_FORWARDED_FOR=f"203.0.113.5, {OWNER_IP}",
    )
    log_in(
        client, "editor", ip=PROXY_IP, HTTP_X_FORWARDED_FOR=f"203.0.113.5, {OWNER_IP}"
    )

    addresses = set(AuditEntry.objects.values_list("remote_addr", flat=True))
    assert addresses == {OWNER_IP}


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(
    client, editor, settings
):
    settings.TRUSTED_PROXY_COUNT = 0

    log_in(client, "editor", HTTP_X_FORWARDED_FOR="203.0.113.5")

    [entry] = entries(Action.LOGIN)
    assert entry.remote_addr == OWNER_IP


def test_a_forwarded_value_that_is_no_address_is_recorded_as_none(
    client, editor, settings
):
    settings.TRUSTED_PROXY_COUNT = 1

    response = log_in(client, "editor", ip=PROXY_IP, HTTP_X_FORWARDED_FOR="unknown")

    assert response.status_code == 302
    [entry] = entries(Action.LOGIN)
    assert entry.remote_addr is None


def test_a_clients_correlation_header_is_not_stored(client):
    response = log_in(client, "editor", "guess", HTTP_X_CORRELATION_ID="x" * 300)

    assert response.status_code == 200
    [entry] = entries(Action.LOGIN_FAILED)
    assert entry.cid == response["X-Request-ID"]

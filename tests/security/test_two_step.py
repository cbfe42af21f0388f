"""Two-step verification against someone who has the password or a session.

Each test plays the attack through the admin's own pages with plain test
clients, one per browser: the owner's and the attacker's sessions.
"""

import datetime
from base64 import b32decode

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from tests.factories import PASSWORD, UserFactory
from tests.support import OWNER_IP, is_signed_in, totp_code, totp_device

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
VERIFY = reverse("admin:otp_verify")
ENROL = reverse("admin:otp_enrol")
BACKUP_CODES = reverse("admin:otp_backup_codes")
PASSWORD_CHANGE = reverse("admin:password_change")
ATTACKER_IP = "203.0.113.66"


@pytest.fixture
def publisher(db):
    """Can publish: two-step verification is required."""
    user = UserFactory(username="publisher")
    user.user_permissions.add(
        Permission.objects.get(codename="publish_office"),
        Permission.objects.get(codename="change_office"),
    )
    return user


@pytest.fixture
def editor(db):
    """Edits offices only: two-step verification is offered, not required."""
    user = UserFactory(username="optional")
    user.user_permissions.add(Permission.objects.get(codename="change_office"))
    return user


@pytest.fixture
def enrolled(publisher):
    """The publisher's authenticator, and two backup codes."""
    device = totp_device(publisher)
    backup = StaticDevice.objects.create(user=publisher, name="Backup codes")
    backup.token_set.create(token="abcd2345")
    backup.token_set.create(token="efgh6723")
    return device


def session(username, ip=OWNER_IP):
    """A browser at this address, past the admin's password form."""
    client = Client(REMOTE_ADDR=ip)
    response = client.post(
        LOGIN, {"username": username, "password": PASSWORD, "next": INDEX}
    )
    assert response.status_code == 302
    return client


def verified_session(device, ip=OWNER_IP):
    """A browser past both steps, with the authenticator's code."""
    client = session(device.user.get_username(), ip)
    assert client.post(VERIFY, {"code": totp_code(device)}).status_code == 302
    # The code is spent for its 30 seconds: later steps need the next one.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return client


def code_for(key):
    """The code an authenticator app shows for a key as the enrol page gives it."""
    totp = TOTP(b32decode(key.replace(" ", "")))
    return f"{totp.token():06d}"


def pending_key(client):
    page = client.get(ENROL)
    assert page.status_code == 200
    return page.context["key"]


def two_step_entries(user):
    return list(
        AuditEntry.objects.filter(
            action=AuditEntry.Action.UPDATE, object_pk=str(user.pk)
        ).values_list("changes_text", flat=True)
    )


# 4. An enrolment secret belongs to one session, for ten minutes


def test_another_session_never_sees_the_owners_enrolment_secret(publisher):
    owner = session("publisher")
    owner_key = pending_key(owner)
    attacker = session("publisher", ATTACKER_IP)

    attacker_key = pending_key(attacker)
    owner.post(ENROL, {"code": code_for(owner_key)})

    assert attacker_key != owner_key
    TOTPDevice.objects.update(last_t=-1)  # 30 seconds later
    response = attacker.post(VERIFY, {"code": code_for(attacker_key)})
    assert response.status_code == 200
    assert attacker.get(INDEX).status_code == 302


def test_the_owners_confirmation_voids_every_other_pending_secret(publisher):
    owner, attacker = session("publisher"), session("publisher", ATTACKER_IP)
    owner_key, attacker_key = pending_key(owner), pending_key(attacker)

    owner.post(ENROL, {"code": code_for(owner_key)})

    assert list(TOTPDevice.objects.values_list("confirmed", flat=True)) == [True]
    response = attacker.post(ENROL, {"code": code_for(attacker_key)})
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_an_enrolment_secret_expires_after_ten_minutes(publisher):
    client = session("publisher")
    key = pending_key(client)
    TOTPDevice.objects.update(
        created_at=timezone.now() - datetime.timedelta(minutes=10, seconds=1)
    )

    response = client.post(ENROL, {"code": code_for(key)})

    assert "That code is not valid." in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert pending_key(client) != key
    assert TOTPDevice.objects.count() == 1


def test_an_enrolment_secret_lasts_ten_minutes(publisher):
    client = session("publisher")
    key = pending_key(client)
    TOTPDevice.objects.update(
        created_at=timezone.now() - datetime.timedelta(minutes=9, seconds=50)
    )

    assert pending_key(client) == key
    client.post(ENROL, {"code": code_for(key)})
    assert TOTPDevice.objects.get().confirmed


# 5. A stolen session cannot replace the second step


@pytest.mark.parametrize(
    ("data", "error"),
    [
        pytest.param({}, "This field is required.", id="session-alone"),
        pytest.param(
            {"password": "guess", "current_code": "abcd2345"},
            "That is not your password.",
            id="wrong-password",
        ),
        pytest.param(
            {"password": PASSWORD, "current_code": "000000"},
            "That code is not valid.",
            id="wrong-current-code",
        ),
    ],
)
def test_a_stolen_session_cannot_replace_the_authenticator(enrolled, data, error):
    stolen = verified_session(enrolled, ATTACKER_IP)
    key = pending_key(stolen)

    response = stolen.post(ENROL, {**data, "code": code_for(key)})

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not response.context["codes"]
    assert list(TOTPDevice.objects.filter(confirmed=True)) == [enrolled]
    # Nothing is spent on a refused request: the backup code still works.
    assert StaticToken.objects.count() == 2
    assert mail.outbox == []


def test_a_wrong_new_code_does_not_spend_the_backup_code(enrolled):
    client = verified_session(enrolled)
    pending_key(client)

    client.post(
        ENROL, {"password": PASSWORD, "current_code": "abcd2345", "code": "000000"}
    )

    assert StaticToken.objects.filter(token="abcd2345").exists()
    assert list(TOTPDevice.objects.filter(confirmed=True)) == [enrolled]


def test_the_password_and_a_backup_code_replace_the_authenticator(enrolled):
    client = verified_session(enrolled)
    key = pending_key(client)

    response = client.post(
        ENROL,
        {"password": PASSWORD, "current_code": "ABCD-2345", "code": code_for(key)},
        REMOTE_ADDR=OWNER_IP,
    )

    assert len(response.context["codes"]) == 10
    [device] = TOTPDevice.objects.all()
    assert device != enrolled
    assert device.confirmed
    assert not StaticToken.objects.filter(token="efgh6723").exists()
    assert two_step_entries(enrolled.user) == ["Replaced the authenticator app."]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE)
    assert (entry.actor, entry.remote_addr) == (enrolled.user, OWNER_IP)
    [email] = mail.outbox
    assert email.to == ["publisher@example.org"]
    assert email.subject == "Your authenticator app was replaced"
    assert "the old app and backup codes no longer work" in email.body
    assert f"From the address: {OWNER_IP}" in email.body


def test_the_password_and_the_current_code_make_new_backup_codes(enrolled):
    client = verified_session(enrolled)

    response = client.post(
        BACKUP_CODES, {"password": PASSWORD, "current_code": totp_code(enrolled)}
    )

    codes = response.context["codes"]
    assert len(codes) == len(set(codes)) == 10
    assert all(code in response.content.decode() for code in codes)
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    assert list(TOTPDevice.objects.all()) == [enrolled]
    assert two_step_entries(enrolled.user) == ["Made new backup codes."]
    [email] = mail.outbox
    assert email.to == ["publisher@example.org"]
    assert email.subject == "New backup codes were made for your account"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({}, id="nothing"),
        pytest.param({"current_code": "abcd2345"}, id="no-password"),
        pytest.param({"password": PASSWORD}, id="no-code"),
        pytest.param({"password": "guess", "current_code": "abcd2345"}, id="wrong"),
    ],
)
def test_a_session_alone_cannot_make_new_backup_codes(enrolled, data):
    stolen = verified_session(enrolled, ATTACKER_IP)

    response = stolen.post(BACKUP_CODES, data)

    assert response.status_code == 200
    assert not response.context.get("codes")
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == [
        "abcd2345",
        "efgh6723",
    ]
    assert mail.outbox == []


def test_backup_codes_need_the_second_step_first(enrolled):
    client = session("publisher")

    response = client.post(
        BACKUP_CODES, {"password": PASSWORD, "current_code": "abcd2345"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert StaticToken.objects.count() == 2


def test_five_wrong_current_passwords_end_the_session(enrolled):
    stolen = verified_session(enrolled, ATTACKER_IP)
    guess = {
        "old_password": "guess",
        "new_password1": "a fresh long passphrase",
        "new_password2": "a fresh long passphrase",
    }

    for _attempt in range(4):
        assert stolen.post(PASSWORD_CHANGE, guess).status_code == 200
    assert is_signed_in(stolen)
    response = stolen.post(PASSWORD_CHANGE, guess)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not is_signed_in(stolen)
    assert "the password was wrong too many times" in (
        stolen.get(response["Location"]).content.decode()
    )
    right = {**guess, "old_password": PASSWORD}
    assert stolen.post(PASSWORD_CHANGE, right)["Location"].startswith(LOGIN)
    enrolled.user.refresh_from_db()
    assert enrolled.user.check_password(PASSWORD)


def test_wrong_passwords_on_the_two_step_forms_count_as_well(enrolled):
    stolen = verified_session(enrolled, ATTACKER_IP)
    pending_key(stolen)

    for _attempt in range(2):
        stolen.post(BACKUP_CODES, {"password": "guess", "current_code": "000000"})
    for _attempt in range(2):
        stolen.post(
            ENROL, {"password": "guess", "current_code": "000000", "code": "000000"}
        )
    stolen.post(PASSWORD_CHANGE, {"old_password": "guess"})

    assert not is_signed_in(stolen)


def test_the_owners_own_typo_is_forgiven_by_the_right_password(enrolled):
    client = verified_session(enrolled)
    for _attempt in range(4):
        client.post(PASSWORD_CHANGE, {"old_password": "typo"})
    client.post(BACKUP_CODES, {"password": PASSWORD, "current_code": "abcd2345"})

    for _attempt in range(4):
        client.post(PASSWORD_CHANGE, {"old_password": "typo"})

    assert is_signed_in(client)


# 6. A password alone cannot put a device on an optional account


def test_enrolling_an_optional_account_asks_for_the_password(editor):
    attacker = session("optional", ATTACKER_IP)
    key = pending_key(attacker)

    response = attacker.post(ENROL, {"code": code_for(key)})

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    response = attacker.post(ENROL, {"password": "guess", "code": code_for(key)})
    assert "That is not your password." in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert mail.outbox == []


def test_enrolling_an_optional_account_emails_its_owner(editor):
    client = session("optional")
    key = pending_key(client)

    response = client.post(ENROL, {"password": PASSWORD, "code": code_for(key)})

    assert len(response.context["codes"]) == 10
    assert TOTPDevice.objects.get().confirmed
    [email] = mail.outbox
    assert email.to == ["optional@example.org"]
    assert email.subject == "Two-step verification was turned on for your account"
    assert two_step_entries(editor) == ["Turned on two-step verification."]


def test_a_first_enrolment_where_it_is_required_needs_only_the_code(publisher):
    client = session("publisher")
    key = pending_key(client)

    response = client.post(ENROL, {"code": code_for(key)})

    assert len(response.context["codes"]) == 10
    assert mail.outbox[0].to == ["publisher@example.org"]


def test_local_mode_offers_enrolment_without_a_password_to_a_newcomer(settings):
    # make run's explicit local mode (HRPROFILE_ENV=local with DEBUG).
    settings.DEBUG = True
    settings.LOCAL_DEV = True
    UserFactory(username="admin", is_superuser=True)
    client = session("admin", "127.0.0.1")
    assert client.get(INDEX).status_code == 200

    key = pending_key(client)
    response = client.post(ENROL, {"code": code_for(key)})

    assert len(response.context["codes"]) == 10


def test_a_mail_server_that_is_down_does_not_undo_the_change(editor, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }
    client = session("optional")
    key = pending_key(client)

    response = client.post(ENROL, {"password": PASSWORD, "code": code_for(key)})

    assert len(response.context["codes"]) == 10
    assert TOTPDevice.objects.get().confirmed
    assert two_step_entries(editor) == ["Turned on two-step verification."]

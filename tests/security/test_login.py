"""Staff login: two-step verification, sessions, the admin's address.

These tests log in as a person does, through the admin's login form and a
plain test client: the suite's `client` fixture skips the second step.
Lockouts and the failure log are in test_lockouts.py.
"""

import datetime
import importlib

import pytest
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, UserFactory
from tests.support import is_signed_in, log_in, totp_code, totp_device

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
VERIFY = reverse("admin:otp_verify")
ENROL = reverse("admin:otp_enrol")
OFFICES = reverse("admin:offices_office_changelist")


def staff(username, *permissions, **kwargs):
    """A staff member with these permissions ("app_label.codename")."""
    user = UserFactory(username=username, **kwargs)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


@pytest.fixture
def editor(db):
    """Edits offices but cannot publish or manage people: 2FA is optional."""
    return staff("optional", "offices.view_office", "offices.change_office")


@pytest.fixture
def publisher(db):
    return staff(
        "publisher",
        "offices.view_office",
        "offices.change_office",
        "offices.publish_office",
    )


# Two-step verification: who needs it


@pytest.mark.parametrize(
    "permissions",
    [
        pytest.param({"is_superuser": True}, id="superuser"),
        pytest.param(["offices.publish_office"], id="publisher"),
        pytest.param(["auth.add_user"], id="adds-users"),
        pytest.param(["auth.change_user"], id="changes-users"),
        pytest.param(["auth.delete_user"], id="deletes-users"),
        pytest.param(["auth.change_group"], id="changes-groups"),
    ],
)
def test_password_alone_does_not_open_the_admin_to_who_must_use_2fa(permissions):
    if isinstance(permissions, dict):
        staff("someone", **permissions)
    else:
        staff("someone", "offices.view_office", *permissions)
    client = Client()

    assert log_in(client, "someone").status_code == 302
    response = client.get(INDEX)

    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2Fadmin%2F"
    assert "app_list" not in (response.context or {})


def test_enrolled_staff_are_asked_for_a_code_on_every_admin_page(editor):
    totp_device(editor)
    client = Client()
    log_in(client, "optional")

    for url in (INDEX, OFFICES, reverse("admin:password_change")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{VERIFY}?next=")


def test_the_second_step_pages_show_nothing_of_the_admin(publisher):
    client = Client()
    log_in(client, "publisher")

    response = client.get(ENROL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="nav-sidebar"' not in html
    assert OFFICES not in html
    assert reverse("admin:password_change") not in html
    assert "Log out" in html


def test_optional_staff_get_in_with_their_password(editor):
    client = Client()
    log_in(client, "optional")

    response = client.get(INDEX)

    assert response.status_code == 200
    assert f'href="{ENROL}"' in response.content.decode()


def test_otp_required_for_all_staff_includes_optional_staff(editor, settings):
    settings.OTP_REQUIRED_FOR_ALL_STAFF = True
    client = Client()
    log_in(client, "optional")

    response = client.get(INDEX)

    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)


def test_local_checkout_lets_a_newcomer_in_and_offers_enrolment(settings):
    settings.DEBUG = settings.LOCAL_DEV = True  # make run: HRPROFILE_ENV=local
    staff("admin", is_superuser=True)
    client = Client()
    log_in(client, "admin", ip="127.0.0.1")

    response = client.get(INDEX, REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="otp-offer"' in html
    assert f'href="{ENROL}"' in html

    dismissed = client.post(reverse("admin:otp_dismiss"), REMOTE_ADDR="127.0.0.1")
    assert dismissed.status_code == 302
    again = client.get(INDEX, REMOTE_ADDR="127.0.0.1")
    assert 'id="otp-offer"' not in again.content.decode()


@pytest.mark.parametrize(
    ("debug", "ip"),
    [(True, "127.0.0.1"), (False, "127.0.0.1"), (False, "::1")],
    ids=["debug-behind-a-local-proxy", "production-local", "production-local-ipv6"],
)
def test_the_local_exception_needs_the_explicit_local_mode(settings, debug, ip):
    """DEBUG without HRPROFILE_ENV=local (settings.LOCAL_DEV) forces the second
    step, even for a loopback client: behind a proxy on the same host, every
    client is one."""
    settings.DEBUG, settings.LOCAL_DEV = debug, False
    staff("admin", is_superuser=True)
    client = Client(REMOTE_ADDR=ip)
    log_in(client, "admin", ip=ip)

    response = client.get(INDEX)

    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)


# Two-step verification: enrolment


def test_enrolment_shows_a_qr_code_and_the_key_then_ten_backup_codes(publisher):
    client = Client()
    log_in(client, "publisher")

    page = client.get(ENROL)
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=publisher, confirmed=False)
    assert "<svg" in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "style=" not in svg
    assert page.context["key"].replace(" ", "") in html.replace(" ", "")

    response = client.post(ENROL, {"code": totp_code(device), "next": OFFICES})

    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == len(set(codes)) == 10
    assert all(code in response.content.decode() for code in codes)
    assert f'href="{OFFICES}"' in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=publisher).count() == 10
    assert client.get(INDEX).status_code == 200


def test_enrolment_refuses_a_wrong_code(publisher):
    client = Client()
    log_in(client, "publisher")
    client.get(ENROL)

    response = client.post(ENROL, {"code": "000000"})

    assert response.status_code == 200
    assert "That code is not valid." in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert client.get(INDEX).status_code == 302


def test_enrolment_page_keeps_its_key_until_confirmed(publisher):
    client = Client()
    log_in(client, "publisher")

    first = client.get(ENROL).context["key"]
    second = client.get(ENROL).context["key"]

    assert first == second
    assert TOTPDevice.objects.filter(user=publisher).count() == 1


def test_a_password_alone_cannot_replace_an_enrolled_device(publisher):
    totp_device(publisher)
    client = Client()
    log_in(client, "publisher")

    response = client.get(ENROL)

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert client.post(ENROL, {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=publisher).count() == 1


def test_re_enrolment_replaces_the_device_and_the_backup_codes(publisher):
    old = totp_device(publisher)
    old_backup = StaticDevice.objects.create(user=publisher, name="Backup codes")
    old_backup.token_set.create(token="oldcode1")
    client = Client()
    log_in(client, "publisher")
    client.post(VERIFY, {"code": totp_code(old)})
    client.get(ENROL)
    new = TOTPDevice.objects.get(user=publisher, confirmed=False)

    # Replacing asks for the password and a current code (test_two_step.py).
    response = client.post(
        ENROL,
        {"password": PASSWORD, "current_code": "oldcode1", "code": totp_code(new)},
    )

    assert len(response.context["codes"]) == 10
    assert list(TOTPDevice.objects.filter(user=publisher)) == [new]
    assert not StaticToken.objects.filter(token="oldcode1").exists()
    assert client.session[DEVICE_ID_SESSION_KEY] == new.persistent_id


# Two-step verification: codes at login


@pytest.fixture
def enrolled(publisher):
    """The publisher with an authenticator and two backup codes."""
    device = totp_device(publisher)
    backup = StaticDevice.objects.create(user=publisher, name="Backup codes")
    backup.token_set.create(token="abcd2345")
    backup.token_set.create(token="efgh6723")
    return device


def test_a_code_from_the_authenticator_opens_the_admin(enrolled):
    client = Client()
    log_in(client, "publisher")

    response = client.post(VERIFY, {"code": totp_code(enrolled), "next": OFFICES})

    assert response.status_code == 302
    assert response["Location"] == OFFICES
    assert client.get(INDEX).status_code == 200


def test_verification_gives_the_session_a_new_key(enrolled):
    client = Client()
    log_in(client, "publisher")
    before = client.session.session_key

    client.post(VERIFY, {"code": totp_code(enrolled)})

    assert client.session.session_key != before
    assert is_signed_in(client)


def test_a_wrong_code_is_refused(enrolled):
    client = Client()
    log_in(client, "publisher")

    response = client.post(VERIFY, {"code": "000000"})

    assert response.status_code == 200
    assert "That code is not valid." in response.content.decode()
    assert client.get(INDEX).status_code == 302


def test_an_authenticator_code_cannot_be_used_twice(enrolled):
    code = totp_code(enrolled)
    first, second = Client(), Client()
    log_in(first, "publisher")
    log_in(second, "publisher")

    assert first.post(VERIFY, {"code": code}).status_code == 302
    response = second.post(VERIFY, {"code": code})

    assert response.status_code == 200
    assert second.get(INDEX).status_code == 302


def test_a_backup_code_works_once(enrolled):
    first, second = Client(), Client()
    log_in(first, "publisher")
    log_in(second, "publisher")

    assert first.post(VERIFY, {"code": "ABCD-2345"}).status_code == 302
    response = second.post(VERIFY, {"code": "abcd2345"})

    assert response.status_code == 200
    assert second.get(INDEX).status_code == 302
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["efgh6723"]


def test_wrong_codes_slow_the_next_try_down(enrolled):
    client = Client()
    log_in(client, "publisher")
    client.post(VERIFY, {"code": "000000"})

    response = client.post(VERIFY, {"code": totp_code(enrolled)})

    assert "Too many wrong codes. Try again in 1 second." in response.content.decode()
    assert client.get(INDEX).status_code == 302


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "http:evil.example",
        "javascript:alert(1)",
    ],
)
def test_verification_never_redirects_off_the_site(enrolled, next_url):
    client = Client()
    log_in(client, "publisher")

    response = client.post(VERIFY, {"code": totp_code(enrolled), "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == INDEX


def test_the_verify_form_carries_only_a_safe_next(enrolled):
    client = Client()
    log_in(client, "publisher")

    page = client.get(VERIFY, {"next": "https://evil.example/"})

    assert "evil.example" not in page.content.decode()


# Two-step devices in the admin


def test_the_device_admin_never_shows_a_secret(admin_client, publisher):
    device = totp_device(publisher)
    backup = StaticDevice.objects.create(user=publisher, name="Backup codes")
    backup.token_set.create(token="abcd2345")

    pages = [
        admin_client.get(reverse("admin:otp_totp_totpdevice_changelist")),
        admin_client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])),
        admin_client.get(
            reverse("admin:otp_static_staticdevice_change", args=[backup.pk])
        ),
    ]

    assert [page.status_code for page in pages] == [200, 200, 200]
    for page in pages:
        html = page.content.decode()
        assert device.key not in html
        assert "abcd2345" not in html
        assert "qrcode" not in html


def test_deleting_a_lost_phone_means_setting_up_again(admin_client, enrolled):
    delete = reverse("admin:otp_totp_totpdevice_delete", args=[enrolled.pk])

    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    StaticDevice.objects.all().delete()
    client = Client()
    log_in(client, "publisher")
    assert client.get(INDEX)["Location"].startswith(ENROL)


# Sessions


@pytest.fixture
def signed_in(client, editor, settings):
    settings.SESSION_COOKIE_AGE = 600
    client.force_login(editor)
    assert client.get(INDEX).status_code == 200
    return client


def test_an_idle_session_ends(signed_in):
    Session.objects.filter(session_key=signed_in.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = signed_in.get(INDEX)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_working_in_the_admin_keeps_the_session_alive(signed_in):
    key = signed_in.session.session_key
    soon = timezone.now() + datetime.timedelta(seconds=5)
    Session.objects.filter(session_key=key).update(expire_date=soon)

    assert signed_in.get(OFFICES).status_code == 200

    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + datetime.timedelta(seconds=590)


def test_publicly_cached_pages_never_carry_the_session_cookie(signed_in):
    response = signed_in.get(reverse("robots"))

    assert "public" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_a_password_change_logs_out_the_users_other_sessions(client, editor):
    other = Client()
    for session in (client, other):
        log_in(session, "optional")
        assert session.get(INDEX).status_code == 200

    response = client.post(
        reverse("admin:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a fresh long passphrase",
            "new_password2": "a fresh long passphrase",
        },
    )

    assert response.status_code == 302
    assert client.get(INDEX).status_code == 200
    logged_out = other.get(INDEX)
    assert logged_out.status_code == 302
    assert logged_out["Location"].startswith(LOGIN)


# The admin's address


@pytest.fixture
def admin_at_staff_url():
    """The URLconf as it is built with ADMIN_URL=staff-only/."""
    import hrprofile.urls

    try:
        with override_settings(ADMIN_URL="staff-only/"):
            importlib.reload(hrprofile.urls)
            clear_url_caches()
            yield
    finally:
        importlib.reload(hrprofile.urls)
        clear_url_caches()


def test_the_admin_lives_at_admin_url(client, admin_at_staff_url):
    assert reverse("admin:index") == "/staff-only/"
    assert reverse("admin:otp_verify") == "/staff-only/otp/verify/"

    response = client.get("/staff-only/")

    assert response.status_code == 302
    assert response["Location"] == "/staff-only/login/?next=/staff-only/"
    assert client.get("/admin/").status_code == 404

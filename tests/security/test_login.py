"""Staff login: lockouts, two-step verification, sessions, the admin's address.

These tests log in as a person does, through the admin's login form and a
plain test client: the suite's `client` fixture skips the second step.
"""

import datetime
import importlib
import re
import time

import pytest
from axes.models import AccessFailureLog
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, UserFactory
from tests.support import SIGNED_IN_QUERIES, totp_code, totp_device

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
VERIFY = reverse("admin:otp_verify")
ENROL = reverse("admin:otp_enrol")
FAILURES = reverse("admin:axes_accessfailurelog_changelist")
OFFICES = reverse("admin:offices_office_changelist")
ATTACKER_IP = "203.0.113.66"
OWNER_IP = "198.51.100.7"


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


def log_in(client, username, password=PASSWORD, ip=OWNER_IP, **extra):
    """Post the admin's login form, as a browser at this address would."""
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": INDEX},
        REMOTE_ADDR=ip,
        **extra,
    )


def is_signed_in(client):
    return "_auth_user_id" in client.session


def fail_until_locked(client, username, ip=ATTACKER_IP, limit=5):
    for _attempt in range(limit):
        response = log_in(client, username, "wrong password", ip=ip)
    return response


def without_nonces(html):
    return re.sub(r'nonce="[^"]*"', "", html)


# Lockouts (django-axes, counted in the cache)


def test_failures_below_the_limit_show_the_login_form_again(client, editor, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(client, "optional", "wrong password")

    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()


def test_the_limit_locks_with_a_branded_429_that_says_when_to_retry(
    client, editor, settings
):
    response = fail_until_locked(client, "optional", limit=settings.AXES_FAILURE_LIMIT)

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "UN Human Rights profiles" in html
    assert "Django administration" not in html
    assert "Try again in 15 minutes." in html
    assert "optional" not in html


def test_lockout_page_is_the_same_whether_or_not_the_username_exists(client, editor):
    known = fail_until_locked(client, "optional", ip="203.0.113.1")
    unknown = fail_until_locked(client, "nobody-by-this-name", ip="203.0.113.2")

    assert (known.status_code, unknown.status_code) == (429, 429)
    assert without_nonces(known.content.decode()) == without_nonces(
        unknown.content.decode()
    )


def test_the_right_password_from_another_address_is_refused_once_locked(client, editor):
    fail_until_locked(client, "optional", ip=ATTACKER_IP)

    response = log_in(Client(), "optional", ip=OWNER_IP)

    assert response.status_code == 429
    assert not is_signed_in(client)


def test_a_locked_address_cannot_try_other_usernames(client, editor):
    fail_until_locked(client, "somebody", ip=ATTACKER_IP)

    response = log_in(client, "optional", ip=ATTACKER_IP)

    assert response.status_code == 429


def test_other_people_still_log_in_during_a_lockout(client, editor):
    staff("colleague")
    fail_until_locked(client, "optional", ip=ATTACKER_IP)

    response = log_in(Client(), "colleague", ip=OWNER_IP)

    assert response.status_code == 302


def test_lockout_ends_by_itself(client, editor, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(seconds=1)
    assert fail_until_locked(client, "optional").status_code == 429

    time.sleep(1.5)
    response = log_in(client, "optional", ip=ATTACKER_IP)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_every_failure_is_logged_with_username_address_and_time(client, editor):
    before = timezone.now()

    fail_until_locked(client, "optional", ip=ATTACKER_IP, limit=6)

    rows = list(AccessFailureLog.objects.order_by("attempt_time", "pk"))
    assert [(row.username, row.ip_address) for row in rows] == [
        ("optional", ATTACKER_IP)
    ] * 6
    assert all(row.attempt_time >= before for row in rows)
    assert [row.locked_out for row in rows] == [False] * 4 + [True] * 2
    assert rows[0].path_info == LOGIN


def test_a_failure_with_a_nul_in_the_user_agent_is_logged(client, editor):
    response = log_in(client, "optional", "wrong", HTTP_USER_AGENT="evil\x00agent")

    assert response.status_code == 200
    assert AccessFailureLog.objects.get().user_agent == "evilagent"


def test_the_failure_log_keeps_the_newest_rows_per_username(client, editor, settings):
    settings.AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 3
    for index in range(4):
        log_in(client, "optional", "wrong", ip=f"192.0.2.{index}")

    kept = AccessFailureLog.objects.values_list("ip_address", flat=True)
    assert sorted(kept) == ["192.0.2.1", "192.0.2.2", "192.0.2.3"]


def test_managers_read_the_failure_log_and_cannot_change_it(admin_client):
    row = AccessFailureLog.objects.create(
        username="amina", ip_address=ATTACKER_IP, user_agent="x", http_accept="x"
    )

    listing = admin_client.get(FAILURES)
    assert listing.status_code == 200
    assert ATTACKER_IP in listing.content.decode()
    assert "delete_selected" not in listing.content.decode()
    assert admin_client.get(reverse("admin:axes_accessfailurelog_add")).status_code == (
        403
    )
    change = reverse("admin:axes_accessfailurelog_change", args=[row.pk])
    assert admin_client.post(change, {"username": "someone"}).status_code == 403
    delete = reverse("admin:axes_accessfailurelog_delete", args=[row.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert row.username == "amina"


def test_the_failure_log_needs_the_view_permission(client, editor):
    manager = staff("manager", "axes.view_accessfailurelog")
    client.force_login(editor)
    assert client.get(FAILURES).status_code == 403

    client.force_login(manager)
    assert client.get(FAILURES).status_code == 200


@pytest.mark.parametrize("size", [2, 30])
def test_failure_log_query_count_is_constant(
    admin_client, django_assert_max_num_queries, size
):
    AccessFailureLog.objects.bulk_create(
        AccessFailureLog(username=f"user{i}", ip_address=ATTACKER_IP)
        for i in range(size)
    )

    # Session and user; two counts (filtered and total), the rows, and the
    # date hierarchy's range and days.
    with django_assert_max_num_queries(7 + SIGNED_IN_QUERIES):
        response = admin_client.get(FAILURES)

    assert response.status_code == 200


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

    response = client.post(ENROL, {"code": totp_code(new)})

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

"""Failed logins: lockouts that protect instead of jam, and a bounded record.

The attacks are made against the admin's real login form, from several
addresses (REMOTE_ADDR, and X-Forwarded-For behind a trusted proxy, as
hrprofile.throttle.client_ip reads them). Time moves with the `clock`
fixture, which the cache's expiry and the locks read alike.
"""

import datetime
import math
import re
import threading
import time

import pytest
from axes.models import AccessFailureLog
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from audit.models import AccessFailureCount, AuditEntry
from hrprofile import lockouts
from tests.factories import UserFactory
from tests.support import OWNER_IP, SIGNED_IN_QUERIES, is_signed_in, log_in

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
LOGOUT = reverse("admin:logout")
INDEX = reverse("admin:index")
FAILURES = reverse("admin:axes_accessfailurelog_changelist")
ATTACKER_IP = "203.0.113.66"
PROXY_IP = "10.0.0.2"


@pytest.fixture
def clock(monkeypatch):
    """time.time(), movable forward: `clock(minutes=15)`."""
    real = time.time
    offset = [0.0]
    monkeypatch.setattr(time, "time", lambda: real() + offset[0])

    def advance(**delta):
        offset[0] += datetime.timedelta(**delta).total_seconds()

    return advance


@pytest.fixture
def editor(db):
    """Staff who sign in with a password alone (no second step owed)."""
    user = UserFactory(username="optional")
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="offices", codename="view_office"
        )
    )
    return user


def fail(client, username, times, ip=ATTACKER_IP):
    for _attempt in range(times):
        response = log_in(client, username, "wrong password", ip=ip)
    return response


def without_nonces(html):
    return re.sub(r'nonce="[^"]*"', "", html)


# One username at one address


def test_failures_below_the_limit_show_the_login_form_again(client, editor):
    response = fail(client, "optional", 4)

    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()


def test_five_failures_lock_the_pair_with_a_page_that_says_when_to_retry(
    client, editor
):
    response = fail(client, "optional", 5)

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "UN Human Rights profiles" in html
    assert "Django administration" not in html
    assert "Try again in 15 minutes." in html
    assert "starts the wait again" not in html
    assert "optional" not in html


def test_the_lockout_page_is_the_same_whether_or_not_the_username_exists(editor):
    known = fail(Client(), "optional", 5, ip="203.0.113.1")
    unknown = fail(Client(), "nobody-by-this-name", 5, ip="203.0.113.2")

    assert (known.status_code, unknown.status_code) == (429, 429)
    assert without_nonces(known.content.decode()) == without_nonces(
        unknown.content.decode()
    )


def test_a_pair_lockout_does_not_lock_the_owner_out_elsewhere(editor):
    fail(Client(), "optional", 5, ip=ATTACKER_IP)
    owner = Client()

    response = log_in(owner, "optional", ip=OWNER_IP)

    assert response.status_code == 302
    assert is_signed_in(owner)


def test_the_right_password_is_refused_at_the_locked_address(editor):
    attacker = Client()
    fail(attacker, "optional", 5)

    response = log_in(attacker, "optional", ip=ATTACKER_IP)

    assert response.status_code == 429
    assert not is_signed_in(attacker)


def test_attempts_during_a_lockout_do_not_extend_it(editor, clock):
    attacker = Client()
    fail(attacker, "optional", 5)

    clock(minutes=10)
    during = fail(attacker, "optional", 3)
    assert during.status_code == 429
    assert 299 <= int(during["Retry-After"]) <= 300
    assert "Try again in 5 minutes." in during.content.decode()

    clock(minutes=5, seconds=1)
    response = log_in(attacker, "optional", ip=ATTACKER_IP)
    assert response.status_code == 302


def test_a_lockout_starts_counting_afresh_when_it_ends(editor, clock):
    attacker = Client()
    fail(attacker, "optional", 5)
    clock(minutes=15, seconds=1)

    assert fail(attacker, "optional", 4).status_code == 200
    assert fail(attacker, "optional", 1).status_code == 429


# One address, any usernames


def test_twenty_failures_from_one_address_lock_it_whatever_the_usernames(editor):
    attacker = Client()
    for index in range(19):
        assert log_in(attacker, f"guess{index}", "x", ip=ATTACKER_IP).status_code == 200

    locked_at = time.monotonic()
    assert log_in(attacker, "guess19", "x", ip=ATTACKER_IP).status_code == 429
    refused = log_in(Client(), "optional", ip=ATTACKER_IP)
    assert refused.status_code == 429
    # The time the 15-minute lock has left: less by what the requests took
    # (seconds on a loaded machine).
    elapsed = math.ceil(time.monotonic() - locked_at)
    assert 900 - elapsed <= int(refused["Retry-After"]) <= 900
    assert log_in(Client(), "optional", ip=OWNER_IP).status_code == 302


def test_behind_a_proxy_the_address_is_the_forwarded_one(editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for index in range(20):
        log_in(
            Client(),
            f"guess{index}",
            "x",
            ip=PROXY_IP,
            HTTP_X_FORWARDED_FOR=ATTACKER_IP,
        )

    owner = log_in(Client(), "optional", ip=PROXY_IP, HTTP_X_FORWARDED_FOR=OWNER_IP)
    attacker = log_in(
        Client(), "optional", ip=PROXY_IP, HTTP_X_FORWARDED_FOR=ATTACKER_IP
    )

    assert (owner.status_code, attacker.status_code) == (302, 429)


def test_an_insiders_login_does_not_reset_the_address_count(editor):
    """A success clears only its own username's failures."""
    insider = UserFactory(username="insider")
    attacker = Client()
    for index in range(19):
        log_in(attacker, f"guess{index}", "x", ip=ATTACKER_IP)

    assert log_in(attacker, insider.username, ip=ATTACKER_IP).status_code == 302
    attacker.post(LOGOUT, REMOTE_ADDR=ATTACKER_IP)

    assert log_in(Client(), "one-more", "x", ip=ATTACKER_IP).status_code == 429


def test_a_login_clears_its_own_usernames_failures_at_that_address(editor):
    owner = Client()
    fail(owner, "optional", 4, ip=OWNER_IP)
    assert log_in(owner, "optional", ip=OWNER_IP).status_code == 302
    owner.post(LOGOUT, REMOTE_ADDR=OWNER_IP)

    assert fail(owner, "optional", 4, ip=OWNER_IP).status_code == 200


# One username, from everywhere


def distributed_attack(username, times=50):
    """One failure from each of `times` addresses."""
    for index in range(times):
        response = log_in(Client(), username, "x", ip=f"192.0.2.{index + 1}")
    return response


def test_fifty_failures_from_many_addresses_lock_the_username_for_an_hour(editor):
    assert distributed_attack("optional", 49).status_code == 200

    last = log_in(Client(), "optional", "x", ip="192.0.2.50")
    owner = log_in(Client(), "optional", ip=OWNER_IP)

    assert last.status_code == 429
    assert owner.status_code == 429
    assert owner["Retry-After"] == "3600"
    assert "Try again in 60 minutes." in owner.content.decode()
    assert log_in(Client(), "colleague", "x", ip=OWNER_IP).status_code == 200


def test_the_username_count_is_within_an_hour(editor, clock):
    distributed_attack("optional", 49)
    clock(minutes=61)
    distributed_attack("optional", 49)

    assert log_in(Client(), "optional", ip=OWNER_IP).status_code == 302


def test_a_username_lockout_ends_after_an_hour(editor, clock):
    distributed_attack("optional")
    clock(minutes=60, seconds=1)

    assert log_in(Client(), "optional", ip=OWNER_IP).status_code == 302


def test_a_browser_that_signed_in_before_is_not_locked_out(editor):
    browser = Client()
    assert log_in(browser, "optional").status_code == 302
    browser.post(LOGOUT, REMOTE_ADDR=OWNER_IP)

    distributed_attack("optional")
    response = log_in(browser, "optional")

    assert response.status_code == 302
    assert is_signed_in(browser)


def test_a_known_browser_still_counts_against_the_pair_and_the_address(editor):
    browser = Client()
    log_in(browser, "optional", ip=ATTACKER_IP)
    browser.post(LOGOUT, REMOTE_ADDR=ATTACKER_IP)

    assert fail(browser, "optional", 5, ip=ATTACKER_IP).status_code == 429


def test_the_known_device_cookie_is_signed_http_only_and_kept_90_days(editor, settings):
    settings.SESSION_COOKIE_SECURE = True
    browser = Client()

    response = log_in(browser, "optional")

    cookie = response.cookies[lockouts.KNOWN_DEVICE_COOKIE]
    assert cookie["httponly"]
    assert cookie["secure"]
    assert cookie["samesite"] == "Strict"
    assert cookie["max-age"] == 90 * 24 * 60 * 60
    assert cookie["path"] == INDEX
    assert "optional" not in cookie.value


def test_a_failed_login_sets_no_known_device_cookie(editor):
    response = log_in(Client(), "optional", "wrong")

    assert lockouts.KNOWN_DEVICE_COOKIE not in response.cookies


def test_a_known_device_cookie_counts_for_its_own_username_only(editor):
    UserFactory(username="colleague")
    browser = Client()
    log_in(browser, "colleague")
    browser.post(LOGOUT, REMOTE_ADDR=OWNER_IP)

    distributed_attack("optional")

    assert log_in(browser, "optional").status_code == 429


def test_a_forged_known_device_cookie_is_refused(editor):
    genuine = Client()
    log_in(genuine, "optional")
    value = genuine.cookies[lockouts.KNOWN_DEVICE_COOKIE].value
    distributed_attack("optional")
    forger = Client()
    forger.cookies[lockouts.KNOWN_DEVICE_COOKIE] = value.rsplit(":", 1)[0] + ":forged"

    assert log_in(forger, "optional").status_code == 429


def test_a_known_device_cookie_expires_after_90_days(editor, clock):
    browser = Client()
    log_in(browser, "optional")
    browser.post(LOGOUT, REMOTE_ADDR=OWNER_IP)
    clock(days=91)

    distributed_attack("optional")

    assert log_in(browser, "optional").status_code == 429


# Counting


def test_counting_is_atomic_under_concurrency():
    """Concurrent failures each get their own number (cache add and incr)."""
    numbers = []
    lock = threading.Lock()

    def count():
        for _attempt in range(50):
            number = lockouts._count("lockouts:test:concurrent", 60)
            with lock:
                numbers.append(number)

    threads = [threading.Thread(target=count) for _thread in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(numbers) == list(range(1, 401))


def test_resetting_a_username_lifts_its_locks_at_once(editor):
    fail(Client(), "optional", 5)
    distributed_attack("optional")

    call_command("axes_reset_username", "optional")

    assert log_in(Client(), "optional", ip=ATTACKER_IP).status_code == 302


def test_resetting_an_address_lifts_its_locks_at_once(editor):
    fail(Client(), "optional", 5)
    for index in range(20):
        log_in(Client(), f"guess{index}", "x", ip=ATTACKER_IP)

    call_command("axes_reset_ip", ATTACKER_IP)

    assert log_in(Client(), "optional", ip=ATTACKER_IP).status_code == 302


# The record: the failure log and the audit trail


def failed_login_entries():
    return AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED)


def test_an_attack_from_one_address_writes_a_bounded_number_of_rows(editor):
    attacker = Client()
    for index in range(200):
        log_in(attacker, f"random-{index}", "x", ip=ATTACKER_IP)

    assert AccessFailureLog.objects.count() == lockouts.RECORDED_ONE_BY_ONE + 1
    assert failed_login_entries().count() == lockouts.RECORDED_ONE_BY_ONE + 1
    counter = AccessFailureCount.objects.get()
    assert counter.count == 200 - lockouts.RECORDED_ONE_BY_ONE
    assert (counter.username, counter.ip_address) == ("random-199", ATTACKER_IP)
    assert counter.locked_out
    assert (
        counter.attempt_time
        == AccessFailureLog.objects.latest("attempt_time").attempt_time
    )
    entry = failed_login_entries().get(pk=counter.audit_entry_pk)
    assert entry.additional_data["count"] == 195
    assert entry.object_repr == "random-199"
    assert entry.remote_addr == ATTACKER_IP
    assert "195 more failed logins from this address" in entry.changes_text
    assert "The last one was refused: locked out." in entry.changes_text


def test_each_address_and_hour_gets_its_own_rows(editor, clock):
    for ip in (ATTACKER_IP, OWNER_IP):
        for index in range(10):
            log_in(Client(), f"random-{index}", "x", ip=ip)
    clock(hours=1)
    for index in range(10):
        log_in(Client(), f"random-{index}", "x", ip=ATTACKER_IP)

    expected = 3 * (lockouts.RECORDED_ONE_BY_ONE + 1)
    assert AccessFailureLog.objects.count() == expected
    assert failed_login_entries().count() == expected
    assert (
        sorted(AccessFailureCount.objects.values_list("count", flat=True))
        == [10 - lockouts.RECORDED_ONE_BY_ONE] * 3
    )


def test_the_first_failures_are_logged_one_by_one(editor):
    fail(Client(), "optional", 5)

    rows = list(AccessFailureLog.objects.order_by("attempt_time", "pk"))
    assert [(row.username, row.ip_address) for row in rows] == [
        ("optional", ATTACKER_IP)
    ] * 5
    assert [row.locked_out for row in rows] == [False] * 4 + [True]
    assert rows[0].path_info == LOGIN
    assert not AccessFailureCount.objects.exists()


def test_a_failure_with_a_nul_in_the_user_agent_is_logged(client, editor):
    response = log_in(client, "optional", "wrong", HTTP_USER_AGENT="evil\x00agent")

    assert response.status_code == 200
    assert AccessFailureLog.objects.get().user_agent == "evilagent"


def test_the_failure_log_keeps_the_newest_rows_per_username(editor, settings):
    settings.AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 3
    for index in range(4):
        log_in(Client(), "optional", "wrong", ip=f"192.0.2.{index}")

    kept = AccessFailureLog.objects.values_list("ip_address", flat=True)
    assert sorted(kept) == ["192.0.2.1", "192.0.2.2", "192.0.2.3"]


def test_old_failures_and_their_counters_are_trimmed(editor):
    for index in range(10):
        log_in(Client(), f"random-{index}", "x", ip=ATTACKER_IP)
    AccessFailureLog.objects.update(
        attempt_time=AccessFailureLog.objects.latest("attempt_time").attempt_time
        - datetime.timedelta(days=91)
    )

    call_command("axes_reset_failure_logs", "--age", "90")

    assert not AccessFailureLog.objects.exists()
    assert not AccessFailureCount.objects.exists()


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


def test_the_failure_log_lists_the_counter_row(admin_client, editor):
    for index in range(10):
        log_in(Client(), f"random-{index}", "x", ip=ATTACKER_IP)

    listing = admin_client.get(FAILURES)

    assert "random-9" in listing.content.decode()


def test_the_failure_log_needs_the_view_permission(client, editor):
    manager = UserFactory(username="manager")
    manager.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="axes", codename="view_accessfailurelog"
        )
    )
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

"""Failed staff logins: when to refuse a login, so that nobody else can jam it.

Three locks, each counted in the shared cache (`add` and `incr` are atomic on
Redis, so every worker and instance counts against the same numbers):

- a username at one address: LOGIN_FAILURE_LIMIT failures within
  LOGIN_LOCKOUT lock that pair for LOGIN_LOCKOUT;
- an address: LOGIN_ADDRESS_FAILURE_LIMIT failures within LOGIN_LOCKOUT,
  whatever the usernames, lock the address for LOGIN_LOCKOUT;
- a username from everywhere: LOGIN_USERNAME_FAILURE_LIMIT failures within
  LOGIN_USERNAME_LOCKOUT lock the username for as long, except in a browser
  where it signed in before (the signed known-device cookie), so that a
  distributed attack cannot lock its owner out.

A lock lasts its full time from the failure that reached the limit: attempts
during it are refused before the password is checked, are not counted and do
not extend it. A successful login clears only its own username's failures at
that address: an insider cannot reset the address's count with their own
account, and the owner's login does not give a distributed attack a fresh
start on the username.

django-axes is the plumbing: its backend asks `LockoutHandler.is_allowed`
before the password is checked, its signal receivers call the handler, and
its middleware turns a refusal into `locked_out`. Its own counting (one limit
for every key, a cool-off restarted by each attempt) cannot say the above.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from axes.handlers.base import AxesHandler
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from django.conf import settings
from django.contrib import admin
from django.core import signing
from django.core.cache import cache
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from hrprofile.throttle import client_ip

logger = logging.getLogger(__name__)

KEY_PREFIX = "lockouts"
KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_SALT = "hrprofile.lockouts.known_device"
# A browser shared by a few staff members remembers each of them.
KNOWN_DEVICE_USERNAMES = 5
# The failure log and the audit trail record an address's first failed
# logins in each window one by one, and the rest as one counter row each.
RECORDED_ONE_BY_ONE = 5
RECORD_WINDOW = 60 * 60


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    seconds: int
    # Whether a browser the username signed in from before is exempt.
    spares_known_devices: bool = False


def rules():
    lockout = int(settings.LOGIN_LOCKOUT.total_seconds())
    return [
        Rule("pair", settings.LOGIN_FAILURE_LIMIT, lockout),
        Rule("address", settings.LOGIN_ADDRESS_FAILURE_LIMIT, lockout),
        Rule(
            "username",
            settings.LOGIN_USERNAME_FAILURE_LIMIT,
            int(settings.LOGIN_USERNAME_LOCKOUT.total_seconds()),
            spares_known_devices=True,
        ),
    ]


def _digest(text):
    """A username as a cache key can hold it: whatever was typed, bounded."""
    return hashlib.sha256(text.casefold().encode()).hexdigest()[:32]


def _subjects(address, username):
    """Each rule's subject: the address, the username, or both."""
    user = _digest(username or "")
    return {"pair": f"{address}:{user}", "address": address, "username": user}


def _epoch_key(kind, subject):
    return f"{KEY_PREFIX}:epoch:{kind}:{subject}"


def _counter_keys(address, username):
    """The failure counter of each rule, named with the current epochs.

    An epoch changes when a manager lifts the locks of an address or a
    username (`reset`), which orphans every key that named the old one,
    the pairs' included, without having to find them.
    """
    subjects = _subjects(address, username)
    epoch_keys = {
        "address": _epoch_key("address", subjects["address"]),
        "username": _epoch_key("username", subjects["username"]),
    }
    epochs = cache.get_many(epoch_keys.values())
    address_epoch = epochs.get(epoch_keys["address"], 0)
    username_epoch = epochs.get(epoch_keys["username"], 0)
    epoch = {
        "pair": f"{address_epoch}.{username_epoch}",
        "address": address_epoch,
        "username": username_epoch,
    }
    return {
        rule: f"{KEY_PREFIX}:{rule}:{subjects[rule]}:{epoch[rule]}" for rule in subjects
    }


def _address(request):
    return getattr(request, "axes_ip_address", None) or client_ip(request)


def locked_until(request, username):
    """When the locks that apply to this attempt end (a time.time()), or None."""
    keys = _counter_keys(_address(request), username)
    locks = cache.get_many(f"{key}:lock" for key in keys.values())
    now = time.time()
    ends = [
        until
        for rule in rules()
        if (until := locks.get(f"{keys[rule.name]}:lock")) is not None
        and until > now
        and not (rule.spares_known_devices and is_known_device(request, username))
    ]
    return max(ends, default=None)


def _count(key, seconds):
    """One more failure in key's window (opened by its first failure)."""
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the window closed between add and incr
        cache.add(key, 1, timeout=seconds)
        return 1


def count_failure(request, username):
    """Count a failed login; the end of the locks it now falls under, or None.

    The failure that reaches a limit sets the lock with `add`: one request
    sets it, concurrent ones cannot move its end. Its counter starts again
    for when the lock is over.
    """
    address = _address(request)
    keys = _counter_keys(address, username)
    now = time.time()
    for rule in rules():
        key = keys[rule.name]
        if _count(key, rule.seconds) >= rule.limit and cache.add(
            f"{key}:lock", now + rule.seconds, timeout=rule.seconds
        ):
            cache.delete(key)
            # Never the username: it may be a password typed in the wrong box.
            logger.warning(
                "login lockout: %s rule, %d failures, address %s, %d s",
                rule.name,
                rule.limit,
                address,
                rule.seconds,
            )
    return locked_until(request, username)


def clear_failures(request, username):
    """A successful login: forget this username's failures at this address."""
    cache.delete(_counter_keys(_address(request), username)["pair"])


def record_slot(request):
    """Where this failed login is recorded: (its number, its window's key).

    The number counts the address's failed logins in the window (aligned to
    the clock, so every instance agrees on it); the key names the address and
    the window. Worked out once per request.
    """
    slot = getattr(request, "failure_record_slot", None)
    if slot is None:
        address = _address(request)
        now = int(time.time())
        start = now - now % RECORD_WINDOW
        number = _count(f"{KEY_PREFIX}:recorded:{address}:{start}", RECORD_WINDOW)
        slot = request.failure_record_slot = (number, f"{start}:{_digest(address)}")
    return slot


def reset(*, address=None, username=None):
    """Lift every lock and forget every failure of an address or a username."""
    longest = max(rule.seconds for rule in rules()) + 60
    count = 0
    for kind, subject in (("address", address), ("username", username)):
        if subject is None:
            continue
        if kind == "username":
            subject = _digest(subject)
        key = _epoch_key(kind, subject)
        # It must outlive the keys named with the old epoch.
        cache.add(key, 0, timeout=longest)
        cache.incr(key)
        cache.touch(key, timeout=longest)
        count += 1
    return count


# The known-device cookie


def _device_mark(username):
    """A username's mark in the cookie: the cookie does not say who signed in."""
    mark = salted_hmac(KNOWN_DEVICE_SALT, username.casefold(), algorithm="sha256")
    return mark.hexdigest()[:20]


def _device_marks(request):
    try:
        value = request.get_signed_cookie(
            KNOWN_DEVICE_COOKIE,
            salt=KNOWN_DEVICE_SALT,
            max_age=settings.KNOWN_DEVICE_DAYS * 24 * 60 * 60,
        )
    except (KeyError, signing.BadSignature):
        return []
    return value.split(":")


def is_known_device(request, username):
    """Whether this browser signed in as username within KNOWN_DEVICE_DAYS."""
    return bool(username) and _device_mark(username) in _device_marks(request)


def remember_device(request, response, username):
    """Set the known-device cookie for username (at sign-in), for another term."""
    mark = _device_mark(username)
    others = [other for other in _device_marks(request) if other != mark]
    response.set_signed_cookie(
        KNOWN_DEVICE_COOKIE,
        ":".join([mark, *others][:KNOWN_DEVICE_USERNAMES]),
        salt=KNOWN_DEVICE_SALT,
        max_age=settings.KNOWN_DEVICE_DAYS * 24 * 60 * 60,
        path="/" + settings.ADMIN_URL,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


class KnownDeviceMiddleware:
    """Sets the known-device cookie on the response to a successful login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        username = getattr(request, "signed_in_as", None)
        if username:
            remember_device(request, response, username)
        return response


# django-axes


class LockoutHandler(AxesHandler):
    """The rules above, as django-axes asks for them (AXES_HANDLER)."""

    # `axes_reset_failure_logs --age N` deletes old rows of the failure log
    # (written by audit.receivers) as the database handler does.
    reset_failure_logs = AxesDatabaseHandler.reset_failure_logs

    def is_locked(self, request, credentials=None):
        request.lockout_until = locked_until(
            request, get_client_username(request, credentials)
        )
        return request.lockout_until is not None

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is None or self.is_whitelisted(request, credentials):
            return
        if request.axes_locked_out:
            # Refused before the password was checked: not counted, so the
            # lock keeps its end (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT
            # is off, so the backend flagged it).
            request.axes_credentials = credentials
            return
        until = count_failure(request, get_client_username(request, credentials))
        if until is not None:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            request.lockout_until = until

    def user_logged_in(self, sender, request, user, **kwargs):
        if request is None:
            return
        username = user.get_username()
        clear_failures(request, username)
        request.signed_in_as = username

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False):
        """`manage.py axes_reset_ip IP` and `axes_reset_username NAME`."""
        return reset(address=ip_address, username=username)


def locked_out(request, response=None, credentials=None):
    """The 429 page of a refused login (AXES_LOCKOUT_CALLABLE).

    It says the same whether or not the username exists, and never echoes
    it; Retry-After and the page give the time the lock has left.
    """
    now = time.time()
    until = getattr(request, "lockout_until", None)
    if until is None:  # refused by something else axes checks (a blocklist)
        until = now + settings.LOGIN_LOCKOUT.total_seconds()
    seconds = max(1, math.ceil(until - now))
    context = {
        **admin.site.each_context(request),
        "title": _("Too many failed logins"),
        "minutes": math.ceil(seconds / 60),
    }
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response

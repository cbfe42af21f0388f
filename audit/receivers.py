"""Logins, logouts and failed logins, as audit entries.

auditlog records saves and deletes only. django-axes listens to the same
signals for its lockouts and its own failure list; this is the trail that
puts them beside everything else people did.
"""

import unicodedata

from auditlog.cid import get_cid
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext

from audit.models import AuditEntry, ip_or_none
from hrprofile.throttle import client_ip

# An attempted username is whatever was typed: keep a username's worth of it.
USERNAME_MAX_LENGTH = 150


def _address(request):
    return ip_or_none(client_ip(request)) if request is not None else None


def _printable(text):
    """Text as typed, without NUL and control characters, bounded."""
    text = "".join(
        " " if unicodedata.category(char).startswith("C") else char
        for char in str(text or "")[: USERNAME_MAX_LENGTH * 2]
    )
    return " ".join(text.split())[:USERNAME_MAX_LENGTH]


def record_login(sender, request, user, **kwargs):
    AuditEntry.objects.record(
        AuditEntry.Action.LOGIN,
        user,
        actor=user,
        remote_addr=_address(request),
    )


def record_logout(sender, request, user, **kwargs):
    if user is None:  # nobody was signed in
        return
    AuditEntry.objects.record(
        AuditEntry.Action.LOGOUT,
        user,
        actor=user,
        remote_addr=_address(request),
    )


def record_login_failure(sender, credentials, request=None, **kwargs):
    user_model = get_user_model()
    username = _printable(
        credentials.get(user_model.USERNAME_FIELD, credentials.get("username"))
    )
    locked_out = getattr(request, "axes_locked_out", False)
    AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(user_model),
        object_pk="",
        object_repr=username,
        action=AuditEntry.Action.LOGIN_FAILED,
        changes_text=(
            gettext("Refused: locked out after too many failed logins.")
            if locked_out
            else gettext("Wrong username or password.")
        ),
        remote_addr=_address(request),
        cid=get_cid(),
    )

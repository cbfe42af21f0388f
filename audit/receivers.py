"""Logins, logouts, failed logins and two-step changes, as audit entries;
failed logins also in the failure log (axes' AccessFailureLog, which managers
read in the admin).

auditlog records saves and deletes only. The lockouts (hrprofile/lockouts.py,
through django-axes) listen to the same signals first; this is the trail that
puts logins beside everything else people did.
"""

import unicodedata

from auditlog.cid import get_cid
from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from audit.models import AccessFailureCount, AuditEntry, ip_or_none
from hrprofile.lockouts import RECORDED_ONE_BY_ONE, record_slot
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
    """A failed login, in the audit trail and in the failure log.

    An address's first RECORDED_ONE_BY_ONE failures in each window get a row
    each in both tables; the rest update one counter row in each (the count
    and the last attempt), so that an attack cannot fill the database.
    """
    user_model = get_user_model()
    username = _printable(
        credentials.get(user_model.USERNAME_FIELD, credentials.get("username"))
    )
    locked_out = bool(getattr(request, "axes_locked_out", False))
    if request is None:
        _failure_entry(username, locked_out, request).save()
        return
    number, window = record_slot(request)
    if number <= RECORDED_ONE_BY_ONE:
        _failure_entry(username, locked_out, request).save()
        AccessFailureLog.objects.create(**_failure_log(request, username, locked_out))
        _keep_newest_failures(username)
    else:
        _count_failure(request, window, username, locked_out)


def record_two_step_change(sender, user, description, **kwargs):
    """A change to a staff member's second step (hrprofile's two_step_changed),
    filed under their account; the actor is the request's user
    (AuditMiddleware)."""
    AuditEntry.objects.record(AuditEntry.Action.UPDATE, user, message=str(description))


def _failure_entry(username, locked_out, request, **fields):
    return AuditEntry(
        content_type=ContentType.objects.get_for_model(get_user_model()),
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
        **fields,
    )


def _db_text(value, max_length):
    """Header text as a log column can hold it (PostgreSQL refuses NUL)."""
    return (value or "").replace("\x00", "")[:max_length]


def _failure_log(request, username, locked_out):
    """The failure log's columns for this attempt."""
    return {
        "username": username,
        "ip_address": _address(request),
        "user_agent": _db_text(request.headers.get("user-agent"), 255),
        "http_accept": _db_text(request.headers.get("accept"), 1025),
        "path_info": _db_text(request.path_info, 255),
        "locked_out": locked_out,
    }


def _keep_newest_failures(username):
    """Keep the newest AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT rows of a username."""
    stale = (
        AccessFailureLog.objects.filter(username=username)
        .order_by("-attempt_time", "-pk")
        .values_list("pk", flat=True)[settings.AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT :]
    )
    AccessFailureLog.objects.filter(pk__in=list(stale)).delete()


def _count_message(count, locked_out):
    message = ngettext(
        "%(count)d more failed login from this address within the hour, "
        "counted in this entry; the username is the last one tried.",
        "%(count)d more failed logins from this address within the hour, "
        "counted in this entry; the username is the last one tried.",
        count,
    ) % {"count": count}
    if locked_out:
        refused = gettext("The last one was refused: locked out.")
        message = f"{message} {refused}"
    return message


def _count_failure(request, window, username, locked_out):
    """One more attempt on the window's counter rows, created by the first.

    The failure log's row is locked while both are updated, so concurrent
    attempts count one after the other; of two first attempts, the one that
    loses the unique window inserts nothing and counts on the winner's rows.
    """
    now = timezone.now()
    log = _failure_log(request, username, locked_out)
    with transaction.atomic():
        counter = (
            AccessFailureCount.objects.select_for_update().filter(window=window).first()
        )
        if counter is None:
            try:
                with transaction.atomic():
                    entry = _failure_entry(
                        username,
                        locked_out,
                        request,
                        timestamp=now,
                        additional_data={"count": 1, "first_at": now.isoformat()},
                    )
                    entry.changes_text = _count_message(1, locked_out)
                    entry.save()
                    AccessFailureCount.objects.create(
                        window=window,
                        count=1,
                        first_attempt_at=now,
                        audit_entry_pk=entry.pk,
                        **log,
                    )
                return
            except IntegrityError:
                counter = AccessFailureCount.objects.select_for_update().get(
                    window=window
                )
        counter.count += 1
        counter.attempt_time = now
        for field, value in log.items():
            setattr(counter, field, value)
        counter.save()
        AuditEntry.objects.filter(pk=counter.audit_entry_pk).update(
            timestamp=now,
            object_repr=username,
            changes_text=_count_message(counter.count, locked_out),
            additional_data={
                "count": counter.count,
                "first_at": counter.first_attempt_at.isoformat(),
            },
        )

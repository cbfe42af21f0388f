"""The audit trail: django-auditlog's entry, with this product's own actions.

One row per thing that happened (who, when, from which IP, to what), written
by auditlog for saves and deletes and by AuditEntry.objects.record() for
everything else. Nothing here knows the other apps: an entry names its object
through a content type and, where it concerns an office, the office's id,
which a model gives in get_additional_data() (as auditlog asks it).
"""

import ipaddress
import json

from auditlog.cid import get_cid
from auditlog.models import AbstractLogEntry, LogEntryManager
from axes.models import AccessFailureLog
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import pre_save
from django.utils.encoding import smart_str
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def ip_or_none(value):
    """An address the column can hold, or None (a proxy may append garbage)."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def office_of(obj):
    """The id of the office an object belongs to, from its get_additional_data()."""
    get_additional_data = getattr(obj, "get_additional_data", None)
    data = get_additional_data() if callable(get_additional_data) else None
    return (data or {}).get("office_id")


def describe_changes(changes):
    """The changes an entry records, as one line of text, fields by name.

    auditlog writes (auditlog/diff.py, LogEntryManager.log_m2m_changes) a
    field's `[old, new]`: strings, a JSON field's as JSON text, or any JSON
    value with AUDITLOG_STORE_JSON_CHANGES; and, for a many-to-many field,
    `{"type": "m2m", "operation": "add" or "delete", "objects": [names]}`.
    An entry of our own has none (None). Anything else raises ValueError:
    auditlog's changes_str would fail on the m2m shape (KeyError) or print
    garbage for the others.
    """
    if changes is None:
        return ""
    if not isinstance(changes, dict):
        raise ValueError(f"changes are not a field mapping: {changes!r}")
    return "; ".join(
        _describe_change(field, changes[field]) for field in sorted(changes)
    )


def _describe_change(field, change):
    if isinstance(change, dict) and change.get("type") == "m2m":
        objects = change.get("objects")
        if not isinstance(objects, list):
            raise ValueError(f"{field}: the objects are not a list: {objects!r}")
        context = {"field": field, "objects": ", ".join(map(_value, objects))}
        if change.get("operation") == "add":
            return gettext("%(field)s: added %(objects)s") % context
        if change.get("operation") == "delete":
            return gettext("%(field)s: removed %(objects)s") % context
        raise ValueError(f"{field}: no such m2m operation: {change!r}")
    if isinstance(change, list) and len(change) == 2:
        old, new = change
        return f"{field}: {_value(old)} → {_value(new)}"
    raise ValueError(f"{field}: not a change auditlog writes: {change!r}")


def _value(value):
    """A JSON value as auditlog's text mode writes it (None as "None")."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


class AuditEntryManager(LogEntryManager):
    def record(
        self,
        action,
        obj,
        *,
        actor=None,
        office_id=None,
        message="",
        data=None,
        remote_addr=None,
    ):
        """Write one entry: `action` (an AuditEntry.Action) done to `obj`.

        Inside a request, AuditMiddleware fills in the signed-in user and the
        client's address; elsewhere (a management command) pass `actor`.
        `office_id` files the entry under an office for the admin's filter;
        by default, the office the object says it belongs to.
        """
        fields = {
            "action": action,
            "office_id": office_of(obj) if office_id is None else office_id,
            "changes_text": message,
            "additional_data": data,
            "remote_addr": remote_addr,
        }
        if actor is not None:
            fields["actor"] = actor
            fields["actor_email"] = getattr(actor, "email", None)
        return self.log_create(obj, force_log=True, **fields)

    def failed_logins_before(self, moment):
        """Failed-login entries older than moment (manage.py trim_failed_logins)."""
        return self.filter(action=self.model.Action.LOGIN_FAILED, timestamp__lt=moment)

    def record_many(self, action, objects, *, actor=None, message="", data=None):
        """record() for each object, written in one INSERT whatever their number.

        bulk_create sends no pre_save, which is where AuditMiddleware fills in
        the request's user and address: send it here, as save() would.
        """
        cid = get_cid()
        entries = []
        for obj in objects:
            pk = obj.pk
            entry = self.model(
                content_type=ContentType.objects.get_for_model(obj),
                object_pk=smart_str(pk),
                object_id=pk if isinstance(pk, int) else None,
                object_repr=smart_str(obj),
                action=action,
                office_id=office_of(obj),
                changes_text=message,
                additional_data=data,
                actor=actor,
                actor_email=getattr(actor, "email", None),
                cid=cid,
            )
            pre_save.send(
                sender=self.model,
                instance=entry,
                raw=False,
                using=self.db,
                update_fields=None,
            )
            entries.append(entry)
        return self.bulk_create(entries)


class AuditEntry(AbstractLogEntry):
    class Action:
        # auditlog's own (create, update, delete, access) keep their numbers.
        CREATE = AbstractLogEntry.Action.CREATE
        UPDATE = AbstractLogEntry.Action.UPDATE
        DELETE = AbstractLogEntry.Action.DELETE
        ACCESS = AbstractLogEntry.Action.ACCESS
        PUBLISH = 10
        UNPUBLISH = 11
        REVERT = 12
        DISCARD_DRAFT = 13
        RESTORE = 14
        MARK_REVIEWED = 15
        DEFER = 16
        REVIEWERS = 17
        SUBMIT = 18
        SEND_BACK = 19
        SCHEDULE = 23
        LOGIN = 20
        LOGOUT = 21
        LOGIN_FAILED = 22

        choices = (
            (CREATE, _("create")),
            (UPDATE, _("change")),
            (DELETE, _("delete")),
            (ACCESS, _("access")),
            (PUBLISH, _("publish")),
            (UNPUBLISH, _("unpublish")),
            (REVERT, _("revert")),
            (DISCARD_DRAFT, _("discard draft")),
            (RESTORE, _("restore")),
            (MARK_REVIEWED, _("mark reviewed")),
            (DEFER, _("defer review")),
            (REVIEWERS, _("change reviewers")),
            (SUBMIT, _("submit for publication")),
            (SEND_BACK, _("send back")),
            (SCHEDULE, _("schedule")),
            (LOGIN, _("log in")),
            (LOGOUT, _("log out")),
            (LOGIN_FAILED, _("failed login")),
        )

    action = models.PositiveSmallIntegerField(
        _("action"), choices=Action.choices, db_index=True
    )
    # The office an entry concerns (its own, a field office's, a draft's), for
    # the office filter; an id, not a key, so entries outlive a purge.
    office_id = models.BigIntegerField(_("office id"), null=True, blank=True)

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["office_id", "-timestamp"])]

    @property
    def changes_summary(self):
        """What changed, as one line (describe_changes: ValueError if corrupt)."""
        return describe_changes(self.changes)

    def save(self, *args, **kwargs):
        # auditlog writes its automatic entries itself and passes a model's
        # get_additional_data() as additional_data: the office id moves from
        # there to its own, filterable column.
        data = self.additional_data
        if isinstance(data, dict) and "office_id" in data:
            office_id = data.pop("office_id")
            if self.office_id is None:
                self.office_id = office_id
            self.additional_data = data or None
        super().save(*args, **kwargs)


class AccessFailureCount(AccessFailureLog):
    """The failure log's row for an address's failed logins past the first few
    in a window (audit.receivers): the last attempt's username, time and
    lockout, the number of attempts and the first one's time.

    It is a row of the failure log (axes' AccessFailureLog, by multi-table
    inheritance), so the admin's list and `axes_reset_failure_logs` see it.
    """

    window = models.CharField(
        _("window"),
        max_length=64,
        unique=True,
        editable=False,
        help_text=_("The address and the window the attempts were counted in."),
    )
    count = models.PositiveIntegerField(_("attempts"), editable=False)
    first_attempt_at = models.DateTimeField(_("first attempt at"), editable=False)
    # The audit trail's counter entry for the same attempts; an id, not a
    # key, so that trimming either table never touches the other.
    audit_entry_pk = models.BigIntegerField(
        _("audit entry id"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("counted access failure")
        verbose_name_plural = _("counted access failures")
        ordering = ["-attempt_time"]

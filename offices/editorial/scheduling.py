"""Scheduled publishing: a draft published, or a published office unpublished,
at a time set by a publisher; publish_scheduled (run by the management command
of that name) does what has come due, and publishes a draft only while its
content is what the publisher approved (its fingerprint).
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from hrprofile.people import display_name
from offices.editorial.moderation import _admin_link, _notify
from offices.editorial.workflow import (
    EditorialError,
    _content,
    _lock,
    _record,
    publish,
    unpublish,
)
from offices.history import (
    INLINES,
    TERM_FIELDS,
)
from offices.models import Office


def fingerprint(office):
    """SHA-256 (hex) of what publishing office would put on the public site.

    Exactly what publish() copies from a draft: the office's content fields
    (every language), its terms and tags (by id: renaming a term is not a
    change of the draft), and its field offices and mandates, each keyed by
    the live row it stands for (copied_from) or its own id. Raw values in
    canonical JSON, so neither the active language nor the order of a query
    changes it.
    """
    content = {
        "office": _content(office),
        **{
            name: sorted(term.pk for term in getattr(office, name).all())
            for name in TERM_FIELDS
        },
        **{
            relation: sorted(
                (
                    [row.copied_from or row.pk, _content(row, model)]
                    for row in getattr(office, relation).all()
                ),
                key=lambda pair: pair[0],
            )
            for relation, model in INLINES.items()
        },
    }
    text = json.dumps(content, sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(text.encode()).hexdigest()


def cancel_changed_schedule(office, *, by):
    """Cancel office's scheduled publication if its content no longer
    matches the fingerprint recorded when it was scheduled (none, for a
    schedule set before there were fingerprints).

    Called by the admin after saving a draft (by: who saved it), by
    revert_office after loading a version into one, and by
    publish_scheduled before publishing one (by=None), so a change made any
    other way is caught when the time comes. Returns whether it cancelled.
    """
    with transaction.atomic():
        office = _lock(office)
        if office.publish_at is None:
            return False
        found = fingerprint(office)
        if found == office.scheduled_fingerprint:
            return False
        _cancel_schedule(office, by=by, found=found)
    return True


def _cancel_schedule(office, *, by, found):
    """Clear a locked draft's publish_at, record why (with the fingerprint
    approved and the one found), and, once the transaction commits, email who
    scheduled it and who changed it: by, or else the last one to save the
    draft in the admin."""
    publisher = office.scheduled_by
    editor = by or _last_editor(office)
    Office.objects.filter(pk=office.pk).update(
        publish_at=None, scheduled_by=None, scheduled_fingerprint=""
    )
    live = office.draft_of or office
    _record(
        AuditEntry.Action.SCHEDULE,
        live,
        by,
        _("Scheduled publication cancelled: the draft changed after it was scheduled"),
        draft=office.pk,
        publish_at=office.publish_at.isoformat(),
        scheduled_by=publisher and publisher.pk,
        approved=office.scheduled_fingerprint,
        found=found,
    )
    recipients = list(
        dict.fromkeys(
            user.email
            for user in (publisher, editor)
            if user is not None and user.is_active and user.email
        )
    )
    context = {
        "office": live,
        # Formatted by the templates, in the emails' language.
        "publish_at": timezone.localtime(office.publish_at),
        "time_zone": timezone.get_current_timezone_name(),
        "publisher": publisher and display_name(publisher),
        "changed_by": by and display_name(by),
        "admin_url": _admin_link(office),
    }
    transaction.on_commit(lambda: _notify("schedule_cancelled", recipients, context))


def _last_editor(office):
    """Who last saved office in the admin (its latest version), if anyone."""
    from reversion.models import Version

    version = (
        Version.objects.get_for_object(office).select_related("revision__user").first()
    )
    return version.revision.user if version else None


def schedule(office, *, by, at):
    """Set (or with at=None, clear) when office is published or unpublished.

    A draft gets a publish_at, a published office an unpublish_at; the time
    must lie ahead. Scheduling a publication records the draft's
    fingerprint: that is what the publisher approves, and all that
    `publish_scheduled`, which does what has come due, will publish.
    """
    with transaction.atomic():
        office = _lock(office)
        if office.deleted_at:
            raise EditorialError(_("A deleted office cannot be scheduled."))
        if at is not None and at <= timezone.now():
            raise EditorialError(_("Choose a time in the future."))
        field = "unpublish_at" if office.is_published else "publish_at"
        # What the publisher approves is the draft as it is now.
        approved = fingerprint(office) if at and field == "publish_at" else ""
        Office.objects.filter(pk=office.pk).update(
            **{
                field: at,
                "scheduled_by": by if at else None,
                "scheduled_fingerprint": approved,
            }
        )
        setattr(office, field, at)
        live = office.draft_of or office
        if at is None:
            message = (
                _("Scheduled unpublishing cancelled")
                if office.is_published
                else _("Scheduled publication cancelled")
            )
        else:
            when = date_format(timezone.localtime(at), "DATETIME_FORMAT")
            message = (
                _("Scheduled to be unpublished at %(time)s")
                if office.is_published
                else _("Scheduled to be published at %(time)s")
            ) % {"time": when}
        _record(
            AuditEntry.Action.SCHEDULE,
            live,
            by,
            message,
            **{field: at and at.isoformat(), "draft": office.pk},
        )
    return office


@dataclass
class ScheduledRun:
    """What publish_scheduled did: offices published, unpublished, refused."""

    published: list = field(default_factory=list)
    unpublished: list = field(default_factory=list)
    # Drafts not published because they changed after they were scheduled.
    cancelled: list = field(default_factory=list)
    # (office, reason) for each step refused (a slug taken meanwhile).
    failed: list = field(default_factory=list)


def due_for_publication(now):
    """Drafts whose publish_at has come: draft copies and new offices."""
    return Office.objects.filter(
        Q(draft_of__isnull=True, deleted_at__isnull=True)
        | Q(draft_of__isnull=False, draft_of__deleted_at__isnull=True),
        status=Office.Status.DRAFT,
        publish_at__lte=now,
    )


def due_for_unpublication(now):
    return Office.objects.published().filter(unpublish_at__lte=now)


def publish_scheduled(*, now=None):
    """Publish and unpublish every office whose time has come, each once.

    Each office is claimed in its own transaction by SELECT … FOR UPDATE
    SKIP LOCKED: a concurrent run skips the rows this one holds and, once it
    commits, no longer finds them due (a published draft copy is gone, a
    done schedule is cleared). A refused step (say, the slug is now another
    office's) clears that schedule, is recorded with its reason, and does not
    stop the others. The audit entry names who scheduled it.

    A draft is published only while its fingerprint is the one recorded when
    it was scheduled: one that changed since, however, has its schedule
    cancelled instead (cancel_changed_schedule), so what is published is
    what the publisher approved.
    """
    now = now or timezone.now()
    run = ScheduledRun()
    for due, step, done in [
        (due_for_publication, publish, run.published),
        (due_for_unpublication, unpublish, run.unpublished),
    ]:
        while True:
            with transaction.atomic():
                office = (
                    due(now)
                    .select_for_update(skip_locked=True, of=("self",))
                    .select_related("scheduled_by")
                    .order_by("pk")
                    .first()
                )
                if office is None:
                    break
                if step is publish and cancel_changed_schedule(office, by=None):
                    run.cancelled.append(office)
                    continue
                who = office.scheduled_by
                note = _("(as scheduled by %(user)s)") % {
                    "user": display_name(who) if who else _("someone no longer here")
                }
                try:
                    with transaction.atomic():
                        live = step(office, by=None, note=note)
                except EditorialError as error:
                    _refused(office, step, error)
                    run.failed.append((office, str(error)))
                else:
                    done.append(live)
    return run


def _refused(office, step, error):
    cleared = (
        {"publish_at": None, "scheduled_fingerprint": ""}
        if step is publish
        else {"unpublish_at": None}
    )
    Office.objects.filter(pk=office.pk).update(**cleared)
    _record(
        AuditEntry.Action.SCHEDULE,
        office.draft_of or office,
        None,
        _("Scheduled step not done: %(reason)s") % {"reason": error},
        draft=office.pk,
    )

"""The editorial workflow: drafts of live profiles, publishing, reverting, deleting.

A published office is never edited in place. Its pending changes live in a
draft copy: a second Office row (draft_of = the live office, status draft)
with its own field offices and mandates, each remembering the live row it
was copied from. Publishing applies the copy onto the live rows in one
transaction and deletes it, so the live office keeps its id, its review
history and a linear version history. A brand-new office is simply a live
row in status draft until it is first published.

Each function takes the acting user explicitly (`by`), records a reversion
revision where content changes, and writes one audit entry. See
docs/editorial-workflow.md.
"""

import datetime
import hashlib
import json
import logging
import smtplib
from dataclasses import dataclass, field

import reversion
from auditlog.context import disable_auditlog
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import AuditEntry
from hrprofile.links import admin_change_url
from hrprofile.people import display_name
from hrprofile.translations import SOURCE_LANGUAGE, column, language_codes
from offices.history import (
    INLINES,
    NOT_CONTENT,
    TERM_FIELDS,
    content_fields,
    diff,
    snapshot,
    snapshot_of_revision,
)
from offices.models import Office, PublicationRequest

# What reverting an office must leave as it is: its editorial and review state.
KEPT_ON_REVERT = [
    f.attname
    for f in Office._meta.concrete_fields
    if f.name in NOT_CONTENT and not f.primary_key
]


class EditorialError(Exception):
    """A workflow step that cannot be done; the message says why, for editors."""


def _content(row, model=Office):
    return {f.attname: getattr(row, f.attname) for f in content_fields(model)}


def _record(action, office, by, message, **data):
    AuditEntry.objects.record(
        action,
        office,
        actor=by,
        office_id=office.pk,
        message=message,
        data=data or None,
    )


def _lock(office):
    return Office.objects.select_for_update().get(pk=office.pk)


def start_draft(office, *, by):
    """The draft copy of a published office: the pending one, or a fresh copy."""
    with transaction.atomic():
        live = _lock(office)
        if live.draft_of_id:
            raise EditorialError(_("This is already a draft copy."))
        if live.deleted_at:
            raise EditorialError(_("A deleted office cannot be edited."))
        if not live.is_published:
            raise EditorialError(
                _("This office is not published yet: edit it directly.")
            )
        existing = Office.objects.filter(draft_of=live).first()
        if existing:
            return existing
        # Copying is not an edit: no audit entries for the copy's rows.
        with disable_auditlog():
            draft = _copy(live)
    return draft


def _copy(live):
    draft = Office.objects.create(
        **_content(live), status=Office.Status.DRAFT, draft_of=live
    )
    for name in TERM_FIELDS:
        getattr(draft, name).set(getattr(live, name).all())
    for relation, model in INLINES.items():
        model.objects.bulk_create(
            model(**_content(row, model), office=draft, copied_from=row.pk)
            for row in getattr(live, relation).all()
        )
    return draft


def _sync_inlines(live, draft):
    """Make the live office's field offices and mandates those of the draft.

    Rows the draft kept are updated in place (their ids, and so their
    history, stay); rows it removed are deleted; rows it added move over.
    Kept field offices first get a temporary name and lose the head-office
    flag, so the per-office unique name and the one head office hold at
    every step.
    """
    for relation, model in INLINES.items():
        live_rows = {row.pk: row for row in getattr(live, relation).all()}
        draft_rows = list(getattr(draft, relation).all())
        kept = {
            row.copied_from: row for row in draft_rows if row.copied_from in live_rows
        }
        model.objects.filter(office=live).exclude(pk__in=kept).delete()
        if model._meta.model_name == "fieldoffice":
            # Every language's name is unique per office: all of them step
            # aside (the English one carries the temporary name, and with it
            # the original column, which mirrors it).
            for pk in kept:
                names = {column("name", code): None for code in language_codes()}
                names[column("name", SOURCE_LANGUAGE)] = f"\u2060publishing {pk}"
                model.objects.filter(pk=pk).update(**names, is_head_office=False)
        for row in draft_rows:
            if row.copied_from not in live_rows:
                row.office, row.copied_from = live, None
                row.save()
        for pk, row in kept.items():
            target = live_rows[pk]
            for name, value in _content(row, model).items():
                setattr(target, name, value)
            target.save()


def publish(office, *, by, note=""):
    """Put an office on the public site: its draft copy's content, or itself.

    For a draft copy, the live office takes its content (fields, terms and
    tags, field offices, mandates) and the copy is deleted; a changed slug
    keeps the old one as a redirect. A live office in draft becomes
    published. Returns the live office.

    The audit entry lists what the publication changed; the row-by-row
    writes that apply it are not audited one by one (the copy's renames and
    deletion would read as edits that nobody made).
    """
    with transaction.atomic(), reversion.create_revision():
        if office.draft_of_id:
            draft = office
            live = Office.objects.select_for_update().get(pk=draft.draft_of_id)
            changes = diff(snapshot(live), snapshot(draft))
        else:
            live, draft, changes = _lock(office), None, []
            if live.is_published:
                raise EditorialError(_("This office is already published."))
        if live.deleted_at:
            raise EditorialError(_("A deleted office cannot be published."))
        with disable_auditlog():
            _apply(live, draft)
        reversion.add_to_revision(live)
        reversion.set_user(by)
        reversion.set_comment(_("Published"))
        _record(
            AuditEntry.Action.PUBLISH,
            live,
            by,
            " ".join(
                filter(
                    None,
                    [
                        _("Published")
                        if draft is None
                        else _publication_message(changes),
                        note,
                    ],
                )
            ),
            changes=[list(change.__dict__.values()) for change in changes],
        )
    return live


def _publication_message(changes):
    return ngettext(
        "Published the draft: %(count)d change",
        "Published the draft: %(count)d changes",
        len(changes),
    ) % {"count": len(changes)}


def _apply(live, draft):
    """Make live published, with draft's content if there is a draft copy."""
    if draft is not None:
        old_slug = live.slug
        for name, value in _content(draft).items():
            setattr(live, name, value)
        if live.slug != old_slug:
            live.record_old_slug(old_slug)
    live.status = Office.Status.PUBLISHED
    # A new office's own schedule and request are done; a draft copy's go
    # with the copy.
    live.publish_at = None
    live.scheduled_fingerprint = ""
    live.edit_version = F("edit_version") + 1
    try:
        with transaction.atomic():
            live.save()
    except IntegrityError as error:
        raise EditorialError(
            _("Another office already uses the address “%(slug)s”.")
            % {"slug": live.slug}
        ) from error
    live.refresh_from_db()
    if draft is not None:
        for name in TERM_FIELDS:
            getattr(live, name).set(getattr(draft, name).all())
        _sync_inlines(live, draft)
        draft.delete()
    else:
        PublicationRequest.objects.filter(office=live).delete()


def discard_draft(draft, *, by):
    """Throw a draft copy's pending changes away; the live office stays as it is."""
    if not draft.draft_of_id:
        raise EditorialError(
            _("Only the draft copy of a published office can be discarded.")
        )
    with transaction.atomic():
        live = draft.draft_of
        Office.objects.filter(pk=draft.pk).delete()
        _record(AuditEntry.Action.DISCARD_DRAFT, live, by, _("Discarded the draft"))
    return live


def unpublish(office, *, by, note=""):
    """Take a live office off the public site (it stays, as a draft)."""
    with transaction.atomic(), reversion.create_revision():
        live = _lock(office)
        if live.draft_of_id or not live.is_published:
            raise EditorialError(_("Only a published office can be unpublished."))
        live.status = Office.Status.DRAFT
        live.unpublish_at = None
        live.edit_version = F("edit_version") + 1
        live.save()
        live.refresh_from_db()
        reversion.add_to_revision(live)
        reversion.set_user(by)
        reversion.set_comment(_("Unpublished"))
        _record(
            AuditEntry.Action.UNPUBLISH,
            live,
            by,
            " ".join(filter(None, [_("Unpublished"), note])),
        )
    return live


def revert_office(office, version, *, by):
    """Restore an office's content as `version` (a reversion Version of it) had it.

    Field offices, mandates, terms and tags come back as they were; the
    office's status, review state, reviewers and former slugs stay as they
    are now. The revert is itself a new version.
    """
    if str(version.object_id) != str(office.pk):
        raise EditorialError(_("That version belongs to another office."))
    with transaction.atomic(), reversion.create_revision():
        live = _lock(office)
        if live.draft_of_id or live.deleted_at:
            raise EditorialError(_("Only a live office can be reverted."))
        old = snapshot_of_revision(version.revision, live.pk)
        changes = diff(snapshot(live), old) if old else []
        # As for publishing: one audit entry lists the changes.
        with disable_auditlog():
            _revert(live, version)
        reversion.add_to_revision(live)
        reversion.set_user(by)
        when = date_format(
            timezone.localtime(version.revision.date_created), "DATETIME_FORMAT"
        )
        message = _("Reverted to the version of %(date)s") % {"date": when}
        reversion.set_comment(message)
        _record(
            AuditEntry.Action.REVERT,
            live,
            by,
            message,
            version=version.pk,
            changes=[list(change.__dict__.values()) for change in changes],
        )
    return live


def _revert(live, version):
    kept = {name: getattr(live, name) for name in KEPT_ON_REVERT}
    reviewers = list(live.reviewers.all())
    current_slug = live.slug
    try:
        with transaction.atomic():
            version.revision.revert(delete=True)
    except IntegrityError as error:
        raise EditorialError(
            _("That version's address is now used by another office.")
        ) from error
    Office.objects.filter(pk=live.pk).update(**kept)
    live.refresh_from_db()
    live.reviewers.set(reviewers)
    if live.slug != current_slug:
        live.record_old_slug(current_slug)
    live.edit_version = F("edit_version") + 1
    live.save()
    live.refresh_from_db()


def soft_delete(office, *, by):
    """Take an office off the site and out of every list, restorably."""
    with transaction.atomic():
        live = _lock(office)
        if live.draft_of_id:
            raise EditorialError(_("Discard a draft copy instead of deleting it."))
        Office.objects.filter(pk=live.pk).touch(
            deleted_at=timezone.now(), deleted_by=by
        )
        _record(AuditEntry.Action.DELETE, live, by, _("Deleted (restorable)"))


def restore(office, *, by):
    """Bring a deleted office back, as it was (published or draft)."""
    with transaction.atomic():
        live = _lock(office)
        if not live.deleted_at:
            raise EditorialError(_("This office is not deleted."))
        Office.objects.filter(pk=live.pk).touch(deleted_at=None, deleted_by=None)
        _record(AuditEntry.Action.RESTORE, live, by, _("Restored"))


def purge(office):
    """Remove a deleted office for good: its rows, draft, reviews and versions.

    Audit entries stay (they name the office by id and by its name then).
    """
    if not office.deleted_at:
        raise EditorialError(_("Only a deleted office can be purged."))
    from reversion.models import Version

    with transaction.atomic():
        Version.objects.get_for_object(office).delete()
        Office.objects.filter(pk=office.pk).delete()


def claim_edit(office, seen_version):
    """Count one edit of office if nobody saved it since seen_version was read.

    A conditional UPDATE that only one of two racing saves can win; False
    means someone else's save came first (a conflict to show, not overwrite).
    """
    return bool(
        Office.objects.filter(pk=office.pk, edit_version=seen_version).update(
            edit_version=F("edit_version") + 1
        )
    )


# Moderation: asking for publication, and the publisher's answer


def is_draft(office):
    """A draft that can be published: a draft copy, or a new office never published."""
    return office.status == Office.Status.DRAFT and office.deleted_at is None


def publishers_of(office):
    """Active staff who may publish office, with an email address, by pk.

    Publishing needs offices.publish_office and the right to edit the office:
    offices.edit_all_offices, or being one of its reviewers (a draft copy's
    are its office's). Superusers have both.
    """
    users = get_user_model().objects
    live = office.draft_of or office
    backend = "django.contrib.auth.backends.ModelBackend"
    may_publish = users.with_perm("offices.publish_office", backend=backend)
    edits_all = users.with_perm("offices.edit_all_offices", backend=backend)
    return (
        may_publish.filter(is_staff=True)
        .filter(Q(pk__in=edits_all.values("pk")) | Q(reviewed_offices=live))
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _admin_link(office):
    return admin_change_url(office, office.pk, absolute=True)


@dataclass
class Notified:
    """Who a moderation step emailed, and the addresses that failed."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _notify(name, recipients, context):
    from offices.reviews import send_email

    notified = Notified()
    for address in recipients:
        try:
            send_email(name, address, context)
        except (smtplib.SMTPException, OSError):
            logger.exception("Could not send %s to %s", name, address)
            notified.failed.append(address)
        else:
            notified.sent.append(address)
    return notified


logger = logging.getLogger(__name__)


# How many submissions (each an email to every publisher) fit in a window:
# of one draft by anyone, and of one editor whatever the drafts.
SUBMISSIONS_PER_DRAFT = (3, datetime.timedelta(days=1))
SUBMISSIONS_PER_EDITOR = (10, datetime.timedelta(hours=1))


class TooManySubmissions(EditorialError):
    """A submission past a limit; retry_at is when one more fits in."""

    def __init__(self, message, *, retry_at):
        super().__init__(message)
        self.retry_at = retry_at


def _next_free(entries, limit, window, now):
    """When one more of entries (timestamped) fits in limit per window, or
    None if one does now: once the limit-th latest leaves the window."""
    latest = list(
        entries.filter(timestamp__gt=now - window)
        .order_by("-timestamp")
        .values_list("timestamp", flat=True)[:limit]
    )
    return latest[-1] + window if len(latest) == limit else None


def _check_submission_limits(live, by, now):
    """Refuse a submission past SUBMISSIONS_PER_DRAFT or SUBMISSIONS_PER_EDITOR.

    Counted from the audit trail's submission entries, which the caller's
    locks (the editor's row, then the draft's) keep from changing meanwhile.
    A draft counts by its office: discarding it and starting another does
    not start a new count.
    """
    submissions = AuditEntry.objects.filter(action=AuditEntry.Action.SUBMIT)
    refusals = []
    limit, window = SUBMISSIONS_PER_DRAFT
    at = _next_free(submissions.filter(office_id=live.pk), limit, window, now)
    if at:
        refusals.append(
            (
                at,
                ngettext(
                    "This draft was already submitted %(count)d time in the "
                    "last 24 hours.",
                    "This draft was already submitted %(count)d times in the "
                    "last 24 hours.",
                    limit,
                )
                % {"count": limit},
            )
        )
    limit, window = SUBMISSIONS_PER_EDITOR
    at = _next_free(submissions.filter(actor=by), limit, window, now)
    if at:
        refusals.append(
            (
                at,
                ngettext(
                    "You have made %(count)d submission in the last hour.",
                    "You have made %(count)d submissions in the last hour.",
                    limit,
                )
                % {"count": limit},
            )
        )
    if refusals:
        at, reason = max(refusals, key=lambda refusal: refusal[0])
        # Rounded up to the minute shown, so that the time said is never early.
        at = at.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
        raise TooManySubmissions(
            _("%(reason)s You can submit it again from %(time)s (%(zone)s).")
            % {
                "reason": reason,
                "time": date_format(timezone.localtime(at), "DATETIME_FORMAT"),
                "zone": timezone.get_current_timezone_name(),
            },
            retry_at=at,
        )


def submit_for_publication(draft, *, by, message):
    """Ask for a draft to be published, and email everyone who may publish it.

    The request (replacing any earlier one, sent back or not) and its audit
    entry are written first; then each publisher but the editor themself
    gets one email. Returns a Notified. Past a limit on submissions
    (SUBMISSIONS_PER_DRAFT, SUBMISSIONS_PER_EDITOR), raises
    TooManySubmissions and sends nothing.
    """
    with transaction.atomic():
        # The editor's row, then the draft's: two submissions by one editor,
        # or of one draft, take turns, so both cannot pass the count.
        get_user_model().objects.select_for_update().filter(pk=by.pk).first()
        draft = _lock(draft)
        if not is_draft(draft):
            raise EditorialError(_("Only a draft can be submitted for publication."))
        _check_submission_limits(draft.draft_of or draft, by, timezone.now())
        PublicationRequest.objects.update_or_create(
            office=draft,
            defaults={
                "status": PublicationRequest.Status.PENDING,
                "message": message,
                "requested_by": by,
                "requested_at": timezone.now(),
                "comment": "",
                "answered_by": None,
                "answered_at": None,
            },
        )
        live = draft.draft_of or draft
        _record(
            AuditEntry.Action.SUBMIT,
            live,
            by,
            _("Submitted for publication: %(message)s") % {"message": message},
            draft=draft.pk,
        )
        recipients = [user.email for user in publishers_of(draft).exclude(pk=by.pk)]
    return _notify(
        "publication_request",
        recipients,
        {
            "office": live,
            "message": message,
            "editor": display_name(by),
            "admin_url": _admin_link(draft),
        },
    )


def send_back(draft, *, by, comment):
    """Refuse a pending request with a comment, emailed to the editor who asked."""
    with transaction.atomic():
        draft = _lock(draft)
        request = (
            PublicationRequest.objects.select_for_update(of=("self",))
            .select_related("requested_by")
            .filter(office=draft, status=PublicationRequest.Status.PENDING)
            .first()
        )
        if request is None:
            raise EditorialError(_("This draft is not awaiting publication."))
        request.status = PublicationRequest.Status.RETURNED
        request.comment = comment
        request.answered_by = by
        request.answered_at = timezone.now()
        request.save()
        live = draft.draft_of or draft
        _record(
            AuditEntry.Action.SEND_BACK,
            live,
            by,
            _("Sent back: %(comment)s") % {"comment": comment},
            draft=draft.pk,
        )
    editor = request.requested_by
    recipients = [editor.email] if editor and editor.email else []
    return _notify(
        "publication_returned",
        recipients,
        {
            "office": live,
            "message": request.message,
            "comment": comment,
            "publisher": display_name(by),
            "admin_url": _admin_link(draft),
        },
    )


# Scheduled publishing


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

    Called by the admin after saving a draft (by: who saved it) and by
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

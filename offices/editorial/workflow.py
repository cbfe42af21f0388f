"""The editorial steps on one office: drafts of live profiles, publishing,
unpublishing, reverting (into the draft), deleting and restoring, and the
edit counter.

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

import reversion
from auditlog.context import disable_auditlog
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import AuditEntry
from hrprofile.translations import SOURCE_LANGUAGE, column, language_codes
from offices.history import (
    INLINES,
    NOT_CONTENT,
    TERM_FIELDS,
    content_fields,
    diff,
    recorded_content,
    recorded_rows,
    snapshot,
    snapshot_of_revision,
    version_time,
)
from offices.models import Office, PublicationRequest, TranslationCheck
from offices.withdrawals import forget_withdrawn

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
            checked = _apply(live, draft)
        reversion.add_to_revision(live)
        reversion.set_user(by)
        reversion.set_comment(_("Published"))
        data = {"changes": [list(change.__dict__.values()) for change in changes]}
        if checked:
            # Each check has its own entry, made when it was marked.
            data["translation_checks"] = checked
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
            **data,
        )
    return live


def _publication_message(changes):
    return ngettext(
        "Published the draft: %(count)d change",
        "Published the draft: %(count)d changes",
        len(changes),
    ) % {"count": len(changes)}


def _apply(live, draft):
    """Make live published, with draft's content if there is a draft copy.

    Returns the languages whose check, made on the draft, now holds for the
    live office (_carry_translation_checks)."""
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
        checked = _carry_translation_checks(live, draft)
        draft.delete()
        return checked
    PublicationRequest.objects.filter(office=live).delete()
    return []


def _carry_translation_checks(live, draft):
    """Record on live the draft's translation checks made against the English
    it now publishes; the others go with the draft, and live's own checks of
    those languages stand (out of date, if the English changed).

    A check never vouches for text the public does not have: one made before
    a later edit of the draft's English has another fingerprint. Returns the
    languages carried over.
    """
    digest = (
        Office.objects.filter(pk=live.pk)
        .with_english_digest()
        .values_list("english_digest", flat=True)
        .get()
    )
    carried = []
    for check in TranslationCheck.objects.filter(office=draft, english_digest=digest):
        TranslationCheck.objects.update_or_create(
            office=live,
            language=check.language,
            defaults={
                "checked_at": check.checked_at,
                "checked_by_id": check.checked_by_id,
                "english_digest": check.english_digest,
                "english_text": check.english_text,
            },
        )
        carried.append(check.language)
    return carried


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
    """Load the content `version` (a reversion Version of office) had into a draft.

    Nothing public changes: a published office's draft copy (started if
    there is none) takes the version's content, fields, terms and tags,
    field offices and mandates, in place of its own, and publishing it is
    the usual separate step. An office that is not published is its own
    draft and takes the version's content itself. Either way the office's
    status, review state, reviewers and former slugs stay as they are, the
    draft counts one edit (an editor's open form then meets a conflict,
    not a silent overwrite), and the revert is a version of the draft.

    A scheduled publication of the draft that no longer matches what the
    publisher approved is cancelled, as after any save of the draft
    (cancel_changed_schedule: recorded, and who scheduled it is emailed).
    Returns the draft.
    """
    # scheduling builds on this module's steps: imported when used.
    from offices.editorial.scheduling import cancel_changed_schedule

    if str(version.object_id) != str(office.pk):
        raise EditorialError(_("That version belongs to another office."))
    with transaction.atomic(), reversion.create_revision():
        live = _lock(office)
        if live.draft_of_id or live.deleted_at:
            raise EditorialError(_("Only a live office can be reverted."))
        draft = start_draft(live, by=by) if live.is_published else live
        old = snapshot_of_revision(version.revision, live.pk)
        changes = diff(snapshot(draft), old) if old else []
        # As for publishing: one audit entry lists the changes.
        with disable_auditlog():
            if draft is live:
                _revert(live, version)
            else:
                _load_into_draft(draft, live, version)
        reversion.add_to_revision(draft)
        reversion.set_user(by)
        message = _("Loaded the version of %(date)s into the draft") % {
            "date": version_time(version.revision.date_created)
        }
        reversion.set_comment(message)
        _record(
            AuditEntry.Action.REVERT,
            live,
            by,
            message,
            version=version.pk,
            draft=draft.pk,
            changes=[list(change.__dict__.values()) for change in changes],
        )
        cancel_changed_schedule(draft, by=by)
        draft.refresh_from_db()
    return draft


def _load_into_draft(draft, live, version):
    """Give a draft copy the content a version of its live office recorded.

    The version's field offices and mandates replace the draft's; each
    stands for the live row it was recorded as, if that row is still there
    (publishing then updates it in place), or is a new row otherwise. Terms
    since deleted are left out.
    """
    recorded = recorded_rows(version.revision, live.pk)
    if recorded is None:
        raise EditorialError(
            _("That version was recorded before the data structure changed.")
        )
    fields, inlines = recorded
    for name, value in recorded_content(Office, fields, draft).items():
        setattr(draft, name, value)
    draft.edit_version = F("edit_version") + 1
    draft.save()
    draft.refresh_from_db()
    for name in TERM_FIELDS:
        model = Office._meta.get_field(name).related_model
        getattr(draft, name).set(model.objects.filter(pk__in=fields.get(name) or []))
    for relation, model in INLINES.items():
        live_pks = set(getattr(live, relation).values_list("pk", flat=True))
        getattr(draft, relation).all().delete()
        model.objects.bulk_create(
            model(
                **recorded_content(model, values),
                office=draft,
                copied_from=pk if pk in live_pks else None,
            )
            for pk, values in inlines[relation].items()
        )


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
        # An update sends no post_save: its stored pages are forgotten here.
        forget_withdrawn(live, deleted=True)


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

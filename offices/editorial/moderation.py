"""Moderation: an editor asks for a draft to be published (within the
submission limits), publishers are emailed, and a publisher may send it back
with a comment. docs/editorial-workflow.md.
"""

import datetime
import logging
import smtplib
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import AuditEntry
from hrprofile.emails import send_email
from hrprofile.links import admin_change_url
from hrprofile.people import display_name
from offices.editorial.workflow import EditorialError, _lock, _record
from offices.models import Office, PublicationRequest

logger = logging.getLogger(__name__)


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

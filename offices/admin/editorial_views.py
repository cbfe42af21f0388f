"""The office admin's editorial pages and buttons: start a draft, unpublish,
discard a draft, load a version into the draft (revert), submit for
publication, send back, schedule. Unpublish, discard and revert first show a
page saying what the public will see (a GET changes nothing); their button
POSTs. Each calls offices/editorial/ and says how it went. Also the entries
of the history page (OfficeAdmin.history_view), whose links lead to revert.
"""

import math

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from reversion.errors import RevertError
from reversion.models import Version

from hrprofile.people import display_name
from offices import editorial
from offices.admin.views import OfficeAdminView, change_page
from offices.forms import ScheduleForm, SendBackForm, SubmitForPublicationForm
from offices.history import (
    diff,
    snapshot,
    snapshot_of_revision,
    snapshots_of_revisions,
    version_time,
)
from offices.models import Office

# Versions on a page of an office's history.
HISTORY_PER_PAGE = 20


def history_entries(office, page_number):
    """A page of the office's versions, newest first, each with what it changed."""
    page = Paginator(
        Version.objects.get_for_object(office).select_related("revision__user"),
        HISTORY_PER_PAGE,
    ).get_page(page_number)
    # Each version is compared with the one before it, the last of the
    # page with the first of the next page.
    start = (page.number - 1) * HISTORY_PER_PAGE
    versions = list(page.paginator.object_list[start : start + HISTORY_PER_PAGE + 1])
    snapshots = snapshots_of_revisions([v.revision for v in versions], office.pk)
    entries = []
    for index, version in enumerate(versions[:HISTORY_PER_PAGE]):
        current = snapshots[version.revision_id]
        older = versions[index + 1] if index + 1 < len(versions) else None
        previous = snapshots[older.revision_id] if older else None
        entries.append(
            {
                "version": version,
                "user": version.revision.user and display_name(version.revision.user),
                "time": version_time(version.revision.date_created),
                "readable": current is not None,
                "first": older is None,
                # The newest version is the office as it is.
                "revertible": current is not None and (start or index) > 0,
                "changes": (
                    diff(previous, current)
                    if current is not None and previous is not None
                    else None
                ),
            }
        )
    return page, entries


class StartDraftView(OfficeAdminView):
    """The "Edit" button of a published office: opens its draft copy."""

    http_method_names = ["post"]

    def post(self, request, object_id):
        office = self.office
        try:
            draft = editorial.start_draft(office, by=request.user)
        except editorial.EditorialError as error:
            self.message(str(error), messages.ERROR)
            return change_page(office)
        self.message(
            _(
                "You are editing a draft of “%(office)s”. The public page shows "
                "the published version until the draft is published."
            )
            % {"office": office},
            messages.INFO,
        )
        return change_page(draft)


class UnpublishView(OfficeAdminView):
    """A page that says what the public will see once the office is
    unpublished, and a button that unpublishes it."""

    def get(self, request, object_id):
        office = self.office
        if not self.model_admin.has_publish_permission(request, office):
            raise PermissionDenied
        if office.draft_of_id or not office.is_published:
            return change_page(office)
        public = [
            _(
                "“%(office)s” leaves the public site at once: its address "
                "answers “Page not found” (404), the API answers “Gone” (410), "
                "and it is no longer in the list of offices, the search, the "
                "sitemap, the feeds or the exports."
            )
            % {"office": office},
            _(
                "It stays here as a draft, with its history and its review "
                "state, and can be published again."
            ),
        ]
        if office.unpublish_at:
            public.append(_("Its scheduled unpublishing is cancelled."))
        return self.render(
            "admin/offices/office/confirm_step.html",
            _("Unpublish “%(office)s”?") % {"office": office},
            original=office,
            crumb=_("Unpublish"),
            public=public,
            button=_("Yes, unpublish"),
            back=_("No, keep it public"),
        )

    def post(self, request, object_id):
        office = self.office
        if not self.model_admin.has_publish_permission(request, office):
            raise PermissionDenied
        try:
            editorial.unpublish(office, by=request.user)
        except editorial.EditorialError as error:
            self.message(str(error), messages.ERROR)
        else:
            self.message(
                _("“%(office)s” is no longer public: it is a draft again.")
                % {"office": office},
                messages.SUCCESS,
            )
        return change_page(office)


class DiscardDraftView(OfficeAdminView):
    """A draft copy's changes, and a button that discards them."""

    def get(self, request, object_id):
        draft = self.office
        if not draft.draft_of_id:
            return change_page(draft)
        return self.render(
            "admin/offices/office/discard_draft.html",
            _("Discard the draft of “%(office)s”?") % {"office": draft.draft_of},
            original=draft,
            live_office=draft.draft_of,
            changes=diff(snapshot(draft.draft_of), snapshot(draft)),
        )

    def post(self, request, object_id):
        draft = self.office
        if not draft.draft_of_id:
            return change_page(draft)
        live = editorial.discard_draft(draft, by=request.user)
        self.message(
            _("The draft of “%(office)s” is discarded.") % {"office": live},
            messages.SUCCESS,
        )
        return change_page(live)


class RevertView(OfficeAdminView):
    """A version of the office's history loaded into its draft (the history
    page's buttons): a page that says what that replaces, and a button."""

    def get_version(self, version_id):
        office = self.office
        if not self.model_admin.has_revert_permission(self.request, office):
            raise PermissionDenied
        return (
            Version.objects.get_for_object(office)
            .select_related("revision")
            .filter(pk=version_id)
            .first()
        )

    def not_found(self):
        self.message(_("That version of the office was not found."), messages.ERROR)
        return redirect("admin:offices_office_history", self.office.pk)

    def get(self, request, object_id, version_id):
        office = self.office
        version = self.get_version(version_id)
        if version is None or office.draft_of_id:
            return self.not_found()
        when = version_time(version.revision.date_created)
        draft = pending_draft(office)
        return self.render(
            "admin/offices/office/confirm_step.html",
            _("Load the version of %(date)s into the draft?") % {"date": when},
            original=office,
            crumb=_("Revert"),
            public=revert_outcome(office, draft, when),
            changes=revert_changes(office, draft, version),
            button=_("Yes, load it into the draft"),
            back=_("No, back to the history"),
            back_url=reverse("admin:offices_office_history", args=[office.pk]),
        )

    def post(self, request, object_id, version_id):
        office = self.office
        version = self.get_version(version_id)
        if version is None:
            return self.not_found()
        draft = pending_draft(office)
        scheduled = draft is not None and draft.publish_at
        try:
            draft = editorial.revert_office(office, version, by=request.user)
        except (editorial.EditorialError, RevertError) as error:
            self.message(
                _("Not reverted: %(reason)s") % {"reason": error}, messages.ERROR
            )
            return redirect("admin:offices_office_history", office.pk)
        self.message(
            _(
                "Version of %(date)s loaded into the draft. Publish it to make "
                "it public."
            )
            % {"date": version_time(version.revision.date_created)},
            messages.SUCCESS,
        )
        if scheduled and draft.publish_at is None:
            self.message(
                _(
                    "The revert cancelled the scheduled publication of this "
                    "draft. The publisher who scheduled it is told by email."
                ),
                messages.WARNING,
            )
        return change_page(draft)


def pending_draft(office):
    """The row a revert loads into now: a published office's draft copy
    (None if it has none yet), or the office itself if it is not published."""
    if not office.is_published:
        return office
    return Office.objects.filter(draft_of=office).first()


def revert_outcome(office, draft, when):
    """What loading a version into the draft does, for the public and the
    draft, in sentences."""
    outcome = []
    if not office.is_published:
        outcome.append(
            _(
                "“%(office)s” is not on the public site: it takes the content "
                "of the version of %(date)s, and the public sees it once it "
                "is published."
            )
            % {"office": office, "date": when}
        )
    elif draft is None:
        outcome.append(
            _(
                "A draft of “%(office)s” is started with the content of the "
                "version of %(date)s. The public keeps seeing the published "
                "version until the draft is published."
            )
            % {"office": office, "date": when}
        )
    else:
        outcome.append(
            _(
                "The draft of “%(office)s” takes the content of the version of "
                "%(date)s: what it holds now (below) is replaced. The public "
                "keeps seeing the published version until the draft is "
                "published."
            )
            % {"office": office, "date": when}
        )
    if draft is not None and draft.publish_at:
        outcome.append(
            _(
                "The publication of the draft, scheduled for %(time)s, is cancelled "
                "if the revert changes it; the publisher who scheduled it is "
                "told by email."
            )
            % {
                "time": date_format(
                    timezone.localtime(draft.publish_at), "DATETIME_FORMAT"
                )
            }
        )
    return outcome


def revert_changes(office, draft, version):
    """A table of what the revert replaces: in the draft (or the office
    itself, when it is its own draft), or, without a draft, what the new
    draft changes from the published version."""
    old = snapshot_of_revision(version.revision, office.pk)
    if old is None:
        return None
    current = draft if draft is not None else office
    if draft is None or draft is office:
        caption = _("What the draft will change from the published version")
        if draft is office:
            caption = _("What the revert replaces")
        labels = (_("Now"), _("In the version"))
    else:
        caption = _("What the revert replaces in the draft")
        labels = (_("In the draft now"), _("In the version"))
    return {
        "rows": diff(snapshot(current), old),
        "caption": caption,
        "before_label": labels[0],
        "after_label": labels[1],
    }


class SubmitView(OfficeAdminView):
    """A draft submitted for publication, with a message to the publishers."""

    def get_office(self, object_id):
        # Its translators too (OfficeAdmin.may_submit): their drafts reach
        # the public through a publisher, as anyone's.
        office = self.model_admin.get_object(self.request, unquote(object_id))
        if office is not None and not self.model_admin.may_submit(self.request, office):
            raise PermissionDenied
        return office

    def post(self, request, object_id):
        draft = self.office
        if not editorial.is_draft(draft):
            return change_page(draft)
        form = SubmitForPublicationForm(request.POST or None)
        refused = None
        if form.is_valid():
            try:
                return self.moderation_step(
                    draft,
                    lambda: editorial.submit_for_publication(
                        draft, by=request.user, message=form.cleaned_data["message"]
                    ),
                    lambda notified: (
                        ngettext(
                            "Submitted for publication: %(count)d publisher was "
                            "notified.",
                            "Submitted for publication: %(count)d publishers were "
                            "notified.",
                            len(notified.sent),
                        )
                        % {"count": len(notified.sent)}
                    ),
                )
            except editorial.TooManySubmissions as error:
                form.add_error(None, str(error))
                refused = error
        live = draft.draft_of or draft
        response = self.form_page(
            draft,
            form,
            title=_("Submit “%(office)s” for publication") % {"office": live},
            button=_("Submit for publication"),
            intro=_(
                "Everyone who may publish this office gets an email with your "
                "message. The draft shows as awaiting publication until it is "
                "published or sent back."
            ),
        )
        if refused is not None:
            response.status_code = 429
            wait = (refused.retry_at - timezone.now()).total_seconds()
            response["Retry-After"] = str(max(1, math.ceil(wait)))
        return response

    get = post


class SendBackView(OfficeAdminView):
    """A draft awaiting publication sent back to its editor, with a comment."""

    def post(self, request, object_id):
        draft = self.office
        if not self.model_admin.has_publish_permission(request, draft):
            raise PermissionDenied
        form = SendBackForm(request.POST or None)
        if form.is_valid():
            return self.moderation_step(
                draft,
                lambda: editorial.send_back(
                    draft, by=request.user, comment=form.cleaned_data["comment"]
                ),
                lambda notified: _(
                    "The draft is sent back to its editor with your comment."
                ),
            )
        live = draft.draft_of or draft
        return self.form_page(
            draft,
            form,
            title=_("Send the draft of “%(office)s” back") % {"office": live},
            button=_("Send back"),
            intro=_("The editor who submitted it gets your comment by email."),
        )

    get = post


class ScheduleView(OfficeAdminView):
    """When a draft is published, or a published office unpublished."""

    def post(self, request, object_id):
        office = self.office
        if not self.model_admin.has_publish_permission(request, office):
            raise PermissionDenied
        unpublishing = office.is_published
        label = _("Unpublish at") if unpublishing else _("Publish at")
        current = office.unpublish_at if unpublishing else office.publish_at
        form = ScheduleForm(
            request.POST or None,
            label=label,
            initial={"at": current and timezone.localtime(current)},
        )
        if form.is_valid():
            at = form.cleaned_data["at"]
            try:
                editorial.schedule(office, by=request.user, at=at)
            except editorial.EditorialError as error:
                self.message(str(error), messages.ERROR)
            else:
                self.message(
                    _("The schedule is cancelled.")
                    if at is None
                    else _("Scheduled for %(time)s.")
                    % {"time": date_format(timezone.localtime(at), "DATETIME_FORMAT")},
                    messages.SUCCESS,
                )
            return change_page(office)
        live = office.draft_of or office
        return self.form_page(
            office,
            form,
            title=(
                _("Schedule unpublishing “%(office)s”")
                if unpublishing
                else _("Schedule publishing “%(office)s”")
            )
            % {"office": live},
            button=_("Save the schedule"),
            intro=_(
                "It happens within a few minutes of the time you choose "
                "(python manage.py publish_scheduled runs every few minutes)."
            ),
        )

    get = post

"""OfficeAdmin: the office list and change form, their permissions, the
saves (a revision each, no lost update, publishing after the save), the
actions, and the URLs of the pages and buttons in editorial_views.py and
review_views.py.
"""

import reversion
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, Subquery, prefetch_related_objects
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from hrprofile.admin import (
    HostileInputAdminMixin,
    SlugConflictAdminMixin,
    TranslatedFieldsAdminMixin,
    staff_choices,
)
from hrprofile.links import admin_change_url
from hrprofile.people import display_name
from hrprofile.translations import SOURCE_LANGUAGE, column, language_codes
from offices import editorial, translators
from offices.admin.actions import (
    delete_confirmation,
    delete_offices,
    mark_reviewed,
    move_to_draft,
    publish,
    push_back_review,
)
from offices.admin.editorial_views import (
    DiscardDraftView,
    RevertView,
    ScheduleView,
    SendBackView,
    StartDraftView,
    SubmitView,
    UnpublishView,
    history_entries,
)
from offices.admin.filters import (
    NEXT_REVIEW_ORDER,
    ReviewStateFilter,
    TranslationOutOfDateFilter,
    TranslationRecheckFilter,
    next_review_html,
)
from offices.admin.inlines import FieldOfficeInline, MandateInline, ReviewRecordInline
from offices.admin.layout import (
    FIELDSETS,
    LIVE_ONLY_FIELDS,
    change_page_context,
    edit_fields,
    form_sections,
    is_live_published,
    replace_field,
)
from offices.admin.review_views import (
    DeferReviewView,
    MarkReviewedView,
    MarkTranslationCheckedView,
    ResetCalendarView,
    ReviewScheduleView,
)
from offices.admin.search_views import AdminSearchView
from offices.admin.translation_views import TranslationView
from offices.admin.views import change_page
from offices.forms import OfficeEditForm, OfficeForm
from offices.history import INLINES, TERM_FIELDS
from offices.models import Office, PublicationRequest


class EditConflict(Exception):
    """Someone else's save came between this form's check and its save."""


@admin.register(Office)
class OfficeAdmin(
    HostileInputAdminMixin,
    SlugConflictAdminMixin,
    TranslatedFieldsAdminMixin,
    TranslationAdmin,
):
    # English first: the form edits the English text and the facts, each
    # translated field one input labelled as the field; the other languages
    # are edited in the translation view (TranslationView), and saving this
    # form leaves their columns as they are.
    form = OfficeEditForm
    edited_languages = (SOURCE_LANGUAGE,)
    list_display = [
        "name",
        "region",
        "engagement_type",
        "status",
        "pending_changes",
        "last_reviewed",
        "next_review",
    ]
    list_filter = [
        "region",
        "engagement_type",
        "status",
        "pillars",
        ReviewStateFilter,
        TranslationOutOfDateFilter,
        TranslationRecheckFilter,
    ]
    # Every language's name: "name" alone would search the admin's language.
    search_fields = [
        *(column("name", code) for code in language_codes()),
        "country",
        "host_mission",
        *(f"field_offices__{column('name', code)}" for code in language_codes()),
    ]
    date_hierarchy = "last_reviewed"
    prepopulated_fields = {"slug": ["name"]}
    # Short vocabularies and the staff list fit a two-box selector; tags grow.
    filter_horizontal = ["pillars", "shifts", "spotlight_populations", "reviewers"]
    autocomplete_fields = ["tags"]
    # Review dates change only through "Mark as reviewed" and "Defer review",
    # so every change lands in the review history with who and why. The
    # status changes only through publishing and unpublishing, so that each
    # is a version and an audit entry.
    readonly_fields = [
        "status",
        "last_reviewed",
        "deferred_until",
        "created_at",
        "updated_at",
    ]
    inlines = [FieldOfficeInline, MandateInline, ReviewRecordInline]

    class Media:
        # The section menu, the folded sections, the action bar, the first
        # error's focus and the unsaved-changes warning: static files, as
        # the admin's CSP allows no inline code.
        css = {"all": ["offices/admin/office_form.css"]}
        js = ["offices/admin/office_form.js"]

    actions = [mark_reviewed, push_back_review, publish, move_to_draft, delete_offices]
    fieldsets = FIELDSETS

    # Rows. The list, the actions, the review schedule and the office picker
    # of other pages (autocomplete) show live offices only: never a draft
    # copy, never a deleted office. Editors without offices.edit_all_offices
    # see and edit only the offices they review, translators see (read-only)
    # the offices they are assigned (open_to); other offices are simply not
    # in the queryset, so their URLs get the admin's usual "doesn't exist".
    def get_queryset(self, request):
        drafts = Office.objects.filter(draft_of=OuterRef("pk")).values("pk")
        # A request awaiting publication: the office's own (never published)
        # or its draft copy's.
        awaiting = PublicationRequest.objects.filter(
            Q(office=OuterRef("pk")) | Q(office__draft_of=OuterRef("pk")),
            status=PublicationRequest.Status.PENDING,
        )
        return (
            super()
            .get_queryset(request)
            .live()
            .open_to(request.user)
            .with_next_review()
            .annotate(draft_pk=Subquery(drafts[:1]), is_awaiting=Exists(awaiting))
        )

    def get_object(self, request, object_id, from_field=None):
        """A live office, or the draft copy of one: their pages are reached by id."""
        queryset = (
            Office.objects.filter(
                Q(draft_of__isnull=True, deleted_at__isnull=True)
                | Q(draft_of__isnull=False, draft_of__deleted_at__isnull=True)
            )
            .open_to(request.user)
            .select_related("draft", "draft_of")
        )
        field = (
            Office._meta.pk
            if from_field is None
            else Office._meta.get_field(from_field)
        )
        try:
            obj = queryset.get(**{field.name: field.to_python(object_id)})
        except (Office.DoesNotExist, ValidationError, ValueError):
            return None
        if getattr(request, "showing_change_form", False) and obj.draft_of_id:
            # The draft's page reads both versions' terms and rows (the form,
            # its inlines, the banner's comparison) and the office's
            # reviewers: a query per relation for the two, not one per use.
            prefetch_related_objects(
                [obj, obj.draft_of], *TERM_FIELDS, *INLINES, "reviewers"
            )
        return obj

    def _may_edit(self, request, obj):
        # Without a query when the permission says yes (the editors-in-chief).
        if obj is None or request.user.has_perm("offices.edit_all_offices"):
            return True
        # A change page asks for the change and delete permissions of the same
        # office many times (its own form, every inline, the buttons): look
        # it up once per request.
        answers = request.__dict__.setdefault("_editable_offices", {})
        if obj.pk not in answers:
            answers[obj.pk] = (
                Office.objects.editable_by(request.user).filter(pk=obj.pk).exists()
            )
        return answers[obj.pk]

    def may_work_on(self, request, obj=None):
        """Edit the office's content (through its draft if published), review it."""
        return super().has_change_permission(request, obj) and self._may_edit(
            request, obj
        )

    def may_submit(self, request, obj):
        """Submit the office's draft for publication: whoever works on it,
        and its translators (offices/translators.py), whose changes reach the
        public only through a publisher too."""
        return self.may_work_on(request, obj) or translators.is_assigned(
            request.user, obj
        )

    def has_change_permission(self, request, obj=None):
        # A translator opens their offices read-only (open_to) and never
        # passes here: they change only their languages, in the translation
        # view (translation_views.py).
        # A published office changes through its draft copy: on its own page
        # only the managers' choice of reviewers is edited.
        return self.may_work_on(request, obj) and (
            not is_live_published(obj) or self._is_manager(request)
        )

    def has_delete_permission(self, request, obj=None):
        return (
            super().has_delete_permission(request, obj)
            and self._may_edit(request, obj)
            and not (obj is not None and obj.draft_of_id)
        )

    # Who may do what. Managers (offices.edit_all_offices, which superusers
    # have too) decide who reviews, and may therefore edit, an office; an
    # office's own editors see its reviewers but cannot change them.
    # Publishing needs offices.publish_office, reverting offices.revert_office,
    # deleting offices.delete_office (and the Deleted offices page restores).

    @staticmethod
    def _is_manager(request):
        return request.user.has_perm("offices.edit_all_offices")

    def has_publish_permission(self, request, obj=None):
        # The admin offers an action if any of its permissions is held.
        return self.may_work_on(request, obj) and request.user.has_perm(
            "offices.publish_office"
        )

    def has_revert_permission(self, request, obj=None):
        return self.may_work_on(request, obj) and request.user.has_perm(
            "offices.revert_office"
        )

    def response_action(
        self, request, queryset, action_location=ActionLocation.CHANGE_LIST
    ):
        # The list also shows the offices a user only translates (open_to):
        # an action acts on the offices they may edit, never on those.
        return super().response_action(
            request, queryset.editable_by(request.user), action_location
        )

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        # Deleting is soft (delete_offices); Django's action deletes rows.
        actions.pop("delete_selected", None)
        return actions

    # The form

    def get_form(self, request, obj=None, change=False, **kwargs):
        if is_live_published(obj):
            # Nothing to overwrite: its content is not in the form.
            kwargs["form"] = OfficeForm
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if not getattr(request, "edit_conflict", False):
            return form_class

        class EditConflictForm(form_class):
            edit_conflict = True

        return EditConflictForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.draft_of_id:
            fieldsets = edit_fields(
                fieldsets, lambda f: None if f in LIVE_ONLY_FIELDS else f
            )
        elif self._is_manager(request):
            return fieldsets
        return replace_field(fieldsets, "reviewers", "reviewer_names")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if is_live_published(obj):
            fields += [
                f
                for f in flatten_fieldsets(self.get_fieldsets(request, obj))
                if f not in fields and f != "reviewers"
            ]
        elif not self._is_manager(request) or (obj is not None and obj.draft_of_id):
            fields.append("reviewer_names")
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        # The slug of a published office is not in its form.
        return (
            {}
            if is_live_published(obj)
            else super().get_prepopulated_fields(request, obj)
        )

    @admin.display(description=_("reviewers"))
    def reviewer_names(self, office):
        if office.pk is None:
            return _("You, once the office is saved.")
        # A draft copy has no reviewers of its own: its office's edit it.
        office = office.draft_of or office
        names = sorted(display_name(user) for user in office.reviewers.all())
        return ", ".join(names) or self.get_empty_value_display()

    def get_inlines(self, request, obj):
        # A new office has no review history yet, and a draft copy none of its
        # own: its office's is on the office's page.
        if obj is None or obj.draft_of_id:
            return [i for i in self.inlines if i is not ReviewRecordInline]
        return self.inlines

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "reviewers":
            kwargs["queryset"] = staff_choices()
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "reviewers":
            field.label_from_instance = display_name
        return field

    def view_on_site(self, obj):
        # A draft copy is seen through its preview, linked from its page.
        if obj.draft_of_id:
            return None
        return reverse(
            "admin:view_on_site",
            kwargs={
                "content_type_id": ContentType.objects.get_for_model(obj).pk,
                "object_id": obj.pk,
            },
        )

    # Saving: a revision per save, no lost update, publishing after the save

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            # Nothing is saved: what the page reads may be fetched at once.
            request.showing_change_form = True
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            # Managed manually: a published office's page saves only who
            # reviews it, which is not a version of its content.
            with reversion.create_revision(manage_manually=True):
                reversion.set_user(request.user)
                response = super().changeform_view(
                    request, object_id, form_url, extra_context
                )
        except EditConflict:
            # Everything was rolled back. The page is validated again, and
            # refused with what the other save changed.
            request.edit_conflict = True
            return super().changeform_view(request, object_id, form_url, extra_context)
        office = getattr(request, "publish_after_save", None)
        if office is not None:
            # After the save's revision is written: publishing is a version
            # (and an audit entry) of its own, of the live office.
            return self._publish_response(request, office)
        return response

    def save_model(self, request, obj, form, change):
        if change and is_live_published(obj):
            return  # Only its reviewers are in the form: save_related saves them.
        if change:
            seen = form.cleaned_data["edit_version"]
            # The row stays locked until the transaction ends: of two saves
            # of the same page, only the first gets past this.
            if not editorial.claim_edit(obj, seen):
                raise EditConflict
            obj.edit_version = seen + 1
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Otherwise a limited editor would lose sight of the office just added.
        if not change and not self._is_manager(request):
            form.instance.reviewers.add(request.user)
        if reversion.is_active() and not is_live_published(form.instance):
            # The office with its field offices and mandates (followed).
            reversion.add_to_revision(form.instance)
        # What a publisher scheduled is published only as they saw it.
        if (
            change
            and editorial.is_draft(form.instance)
            and editorial.cancel_changed_schedule(form.instance, by=request.user)
        ):
            self.message_user(
                request,
                _(
                    "Your change cancelled the scheduled publication of this "
                    "draft. The publisher who scheduled it is told by email."
                ),
                messages.WARNING,
            )

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        if reversion.is_active():
            reversion.set_comment(entry.get_change_message() or _("Created."))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if reversion.is_active():
            reversion.set_comment(entry.get_change_message())
        return entry

    def response_add(self, request, obj, post_url_continue=None):
        if "_publish" in request.POST:
            return self._publish_after_save(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_publish" in request.POST:
            return self._publish_after_save(request, obj)
        if obj.draft_of_id:
            self.message_user(
                request,
                _(
                    "The draft of “%(office)s” is saved. The public page shows "
                    "the published version until the draft is published."
                )
                % {"office": obj.draft_of},
                messages.SUCCESS,
            )
            response = change_page(obj)
        else:
            response = super().response_change(request, obj)
        if "_preview" in request.POST and not is_live_published(obj):
            # Saved as by "Save draft" (a refused save is re-rendered before
            # this); the preview shows the save's messages.
            return redirect(self._preview_url(obj))
        return response

    @staticmethod
    def _preview_url(obj):
        """The page as the public will see it: a draft copy's pending changes,
        or the page of an office never published (shown to staff only)."""
        if obj.draft_of_id:
            return reverse("offices:draft", kwargs={"slug": obj.draft_of.slug})
        return obj.get_absolute_url()

    def _publish_after_save(self, request, obj):
        # changeform_view publishes once the save's revision is written; this
        # answer is replaced then.
        request.publish_after_save = obj
        return change_page(obj)

    def _publish_response(self, request, office):
        if not self.has_publish_permission(request, office):
            self.message_user(
                request,
                _("Saved, not published: publishing needs another permission."),
                messages.WARNING,
            )
            return change_page(office)
        try:
            live = editorial.publish(office, by=request.user)
        except editorial.EditorialError as error:
            self.message_user(
                request,
                _("Saved, not published: %(reason)s") % {"reason": error},
                messages.ERROR,
            )
            return change_page(office)
        self.message_user(
            request,
            _("“%(office)s” is published.") % {"office": live},
            messages.SUCCESS,
        )
        return change_page(live)

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        context.update(change_page_context(self, request, obj))
        # The form posts to the page's address without its fragment: a
        # form without an action posts to the address as shown, and the
        # redirect after the save inherits its #section-…, reopening the
        # page mid-form with the message off screen. So it opens at the top.
        form_url = form_url or request.get_full_path()
        context["form_sections"] = form_sections(
            context["adminform"],
            context["inline_admin_formsets"],
            {
                FieldOfficeInline: "field-offices",
                MandateInline: "mandates",
                ReviewRecordInline: "review",
            },
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # The list

    @admin.display(description=_("next review due"), ordering=NEXT_REVIEW_ORDER)
    def next_review(self, office):
        return next_review_html(office, timezone.localdate())

    @admin.display(description=_("pending changes"))
    def pending_changes(self, office):
        if office.draft_pk is None:
            if office.is_awaiting:
                return _("Awaiting publication")
            return self.get_empty_value_display()
        return format_html(
            '<a href="{}">{}</a>',
            admin_change_url(office, office.draft_pk),
            _("Awaiting publication") if office.is_awaiting else _("Draft pending"),
        )

    # The URLs of its own pages, and the ModelAdmin pages it replaces

    def get_urls(self):
        # The office admin's own pages and buttons: path, view, URL name.
        pages = [
            ("search/", AdminSearchView, "search"),
            ("review-schedule/", ReviewScheduleView, "review_schedule"),
            ("review-schedule/calendar/", ResetCalendarView, "reset_calendar"),
            ("<path:object_id>/mark-reviewed/", MarkReviewedView, "mark_reviewed"),
            (
                "<path:object_id>/translations/<str:language>/checked/",
                MarkTranslationCheckedView,
                "mark_translation_checked",
            ),
            (
                "<path:object_id>/translate/<str:language>/",
                TranslationView,
                "translate",
            ),
            ("<path:object_id>/defer-review/", DeferReviewView, "defer_review"),
            ("<path:object_id>/submit/", SubmitView, "submit"),
            ("<path:object_id>/send-back/", SendBackView, "send_back"),
            ("<path:object_id>/schedule/", ScheduleView, "schedule"),
            ("<path:object_id>/edit/", StartDraftView, "start_draft"),
            ("<path:object_id>/unpublish/", UnpublishView, "unpublish"),
            ("<path:object_id>/discard/", DiscardDraftView, "discard_draft"),
            (
                "<path:object_id>/history/<int:version_id>/revert/",
                RevertView,
                "revert",
            ),
        ]
        info = self.opts.app_label, self.opts.model_name
        return [
            *(
                path(
                    route,
                    self.admin_site.admin_view(view.as_view(model_admin=self)),
                    name="{}_{}_{}".format(*info, name),
                )
                for route, view, name in pages
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        office = self.get_object(request, unquote(object_id))
        if office is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, office):
            raise PermissionDenied
        if office.draft_of_id:
            # A draft copy's saves are its office's pending changes.
            return redirect("admin:offices_office_history", office.draft_of_id)
        page, entries = history_entries(office, request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("History of “%(office)s”") % {"office": office},
            "subtitle": None,
            "original": office,
            "entries": entries,
            "page": page,
            "can_revert": self.has_revert_permission(request, office),
            **(extra_context or {}),
        }
        return TemplateResponse(
            request, "admin/offices/office/object_history.html", context
        )

    def delete_view(self, request, object_id, extra_context=None):
        office = self.get_object(request, unquote(object_id))
        if office is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if office.draft_of_id:
            return redirect("admin:offices_office_discard_draft", office.pk)
        if not self.has_delete_permission(request, office):
            raise PermissionDenied
        if request.method == "POST":
            try:
                editorial.soft_delete(office, by=request.user)
            except editorial.EditorialError as error:
                self.message_user(request, str(error), messages.ERROR)
                return change_page(office)
            self.message_user(
                request,
                _(
                    "“%(office)s” is deleted. It can be restored under “Deleted "
                    "offices”."
                )
                % {"office": office},
                messages.SUCCESS,
            )
            return redirect("admin:offices_office_changelist")
        return delete_confirmation(self, request, [office])

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hrprofile.admin import (
    HostileInputAdminMixin,
    SlugConflictAdminMixin,
    staff_choices,
    user_label,
)
from mandates.models import Mandate
from offices import reviews
from offices.forms import (
    DeferReviewForm,
    FieldOfficeForm,
    FieldOfficeFormSet,
    MarkReviewedForm,
)
from offices.models import FieldOffice, Office, ReviewRecord

DUE_SOON_DAYS = 30

# Never-reviewed offices (NULL next_review_on) are due now, so they sort first.
NEXT_REVIEW_ORDER = F("next_review_on").asc(nulls_first=True)


def next_review_html(office, today):
    """The next review date as lists show it: what needs attention stands out.

    `office` must come from Office.objects.with_next_review().
    """
    if office.is_closing:
        return _("Closing – not due")
    if office.is_closed:
        return _("Closed – not due")
    if office.next_review_on is None:
        return format_html("<strong>{}</strong>", _("Never reviewed"))
    due = date_format(office.next_review_on)
    if office.next_review_on < today:
        return format_html(
            "<strong>{}</strong>", _("Overdue since %(date)s") % {"date": due}
        )
    return due


class ReviewStateFilter(admin.SimpleListFilter):
    title = _("review state")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            (
                "due_soon",
                _("Due within %(days)d days") % {"days": DUE_SOON_DAYS},
            ),
            ("up_to_date", _("Up to date")),
            ("never", _("Never reviewed")),
            ("closed", _("Closed (never due)")),
        ]

    def queryset(self, request, queryset):
        # "Overdue" includes open offices never reviewed (they are due now, as
        # for the reminders); "Never reviewed" lists them on their own, as the
        # "next review due" column names them. Closed offices are never due,
        # so they appear only under "Closed".
        today = timezone.localdate()
        match self.value():
            case "overdue":
                return queryset.overdue(today)
            case "due_soon":
                return queryset.due_for_review(today, DUE_SOON_DAYS).exclude(
                    pk__in=Office.objects.overdue(today).values("pk")
                )
            case "up_to_date":
                return queryset.open().exclude(
                    pk__in=Office.objects.due_for_review(today, DUE_SOON_DAYS).values(
                        "pk"
                    )
                )
            case "never":
                return (
                    queryset.open()
                    .with_next_review()
                    .filter(next_review_on__isnull=True)
                )
            case "closed":
                return queryset.filter(closed_on__isnull=False)
        return queryset


class FieldOfficeInline(admin.StackedInline):
    # Stacked rather than tabular: Django's tabular rows have no <label> per
    # input, which leaves screen-reader users guessing at each field.
    model = FieldOffice
    form = FieldOfficeForm
    formset = FieldOfficeFormSet
    fields = [("name", "is_head_office", "position"), "note"]
    extra = 0


class MandateInline(admin.StackedInline):
    model = Mandate
    fields = [
        ("kind", "position"),
        "title",
        ("symbol", "adopted_on", "integrated_in"),
        "summary",
        "url",
    ]
    extra = 0


class ReviewRecordInline(admin.TabularInline):
    """The office's review history, read-only: it is written by reviews.py."""

    model = ReviewRecord
    verbose_name_plural = _("review history")
    fields = ["reviewed_on", "kind", "reviewed_by", "note", "deferred_until"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        # Each row shows the record's __str__, which names its office.
        return super().get_queryset(request).select_related("office", "reviewed_by")

    def has_add_permission(self, request, obj):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Part of the office's page, whose own permission is already checked.
        return True


def _replace_field(fieldsets, old, new):
    """The fieldsets with one field swapped for another."""
    return [
        (
            name,
            {**options, "fields": [new if f == old else f for f in options["fields"]]},
        )
        for name, options in fieldsets
    ]


@admin.register(Office)
class OfficeAdmin(HostileInputAdminMixin, SlugConflictAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "region",
        "engagement_type",
        "status",
        "last_reviewed",
        "next_review",
    ]
    list_filter = ["region", "engagement_type", "status", "pillars", ReviewStateFilter]
    search_fields = ["name", "country", "host_mission", "field_offices__name"]
    date_hierarchy = "last_reviewed"
    prepopulated_fields = {"slug": ["name"]}
    # Short vocabularies and the staff list fit a two-box selector; tags grow.
    filter_horizontal = ["pillars", "shifts", "spotlight_populations", "reviewers"]
    autocomplete_fields = ["tags"]
    # Review dates change only through "Mark as reviewed" and "Defer review",
    # so every change lands in the review history with who and why.
    readonly_fields = ["last_reviewed", "deferred_until", "created_at", "updated_at"]
    inlines = [FieldOfficeInline, MandateInline, ReviewRecordInline]
    actions = ["mark_reviewed", "publish", "move_to_draft"]
    fieldsets = [
        (
            _("Identity"),
            {
                "fields": [
                    "name",
                    "slug",
                    "status",
                    ("country", "country_code"),
                    "region",
                    "host_mission",
                ]
            },
        ),
        (
            _("Profile"),
            {
                "fields": [
                    "engagement_type",
                    ("year_established", "year_established_note"),
                    "profile",
                    ("more_info_url", "more_info_label"),
                ]
            },
        ),
        (
            _("Field offices"),
            {
                "fields": ["field_offices_note", "coverage_note"],
                "description": _("The field offices themselves are listed below."),
            },
        ),
        (
            _("Focus areas"),
            {"fields": ["pillars", "shifts", "spotlight_populations", "tags"]},
        ),
        (
            _("Facts"),
            {
                "fields": [
                    "staff_count",
                    "budget_needs_usd",
                    "achievements",
                    "partners_and_donors",
                ]
            },
        ),
        (
            _("Closure"),
            {"fields": ["closed_on", "closed_note"], "classes": ["collapse"]},
        ),
        (
            _("Review"),
            {
                "fields": [
                    "last_reviewed",
                    "review_interval_months",
                    "deferred_until",
                    "reviewers",
                ],
                "description": _(
                    "Record a review or a deferral with the buttons below the "
                    "form, so it appears in the review history."
                ),
            },
        ),
        (
            _("Timestamps"),
            {"fields": ["created_at", "updated_at"], "classes": ["collapse"]},
        ),
    ]

    # Row-level permission: editors without offices.edit_all_offices see and
    # edit only the offices they review. Other offices are simply not in the
    # queryset, so their URLs get the admin's usual "doesn't exist" answer.
    def get_queryset(self, request):
        return (
            super().get_queryset(request).editable_by(request.user).with_next_review()
        )

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

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(
            request, obj
        )

    # Who may do what on the form. Managers (offices.edit_all_offices, which
    # superusers have too) decide who reviews, and may therefore edit, an
    # office; an office's own editors see its reviewers but cannot change
    # them. Publishing needs offices.publish_office.

    @staticmethod
    def _is_manager(request):
        return request.user.has_perm("offices.edit_all_offices")

    def has_publish_permission(self, request):
        # The admin offers an action if any of its permissions is held.
        return self.has_change_permission(request) and request.user.has_perm(
            f"{self.opts.app_label}.publish_office"
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields.append("status")
        if not self._is_manager(request):
            fields.append("reviewer_names")
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self._is_manager(request):
            return fieldsets
        return _replace_field(fieldsets, "reviewers", "reviewer_names")

    @admin.display(description=_("reviewers"))
    def reviewer_names(self, office):
        if office.pk is None:
            return _("You, once the office is saved.")
        names = sorted(user_label(user) for user in office.reviewers.all())
        return ", ".join(names) or self.get_empty_value_display()

    def get_inlines(self, request, obj):
        # A new office has no review history yet.
        if obj is None:
            return [i for i in self.inlines if i is not ReviewRecordInline]
        return self.inlines

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "reviewers":
            kwargs["queryset"] = staff_choices()
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "reviewers":
            field.label_from_instance = user_label
        return field

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Otherwise a limited editor would lose sight of the office just added.
        if not change and not request.user.has_perm("offices.edit_all_offices"):
            form.instance.reviewers.add(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "mark_reviewed_form": MarkReviewedForm(auto_id="id_review_%s"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("next review due"), ordering=NEXT_REVIEW_ORDER)
    def next_review(self, office):
        return next_review_html(office, timezone.localdate())

    # Actions

    @admin.action(description=_("Mark as reviewed today"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        count = reviews.mark_reviewed(queryset, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d office marked as reviewed today.",
                "%(count)d offices marked as reviewed today.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Publish"), permissions=["publish"])
    def publish(self, request, queryset):
        count = self._set_status(queryset, Office.Status.PUBLISHED)
        self.message_user(
            request,
            ngettext(
                "%(count)d office published.", "%(count)d offices published.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Move to draft"), permissions=["publish"])
    def move_to_draft(self, request, queryset):
        count = self._set_status(queryset, Office.Status.DRAFT)
        self.message_user(
            request,
            ngettext(
                "%(count)d office moved to draft.",
                "%(count)d offices moved to draft.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @staticmethod
    def _set_status(queryset, status):
        """Set the status where it differs; return how many offices changed."""
        return queryset.exclude(status=status).touch(status=status)

    # Review views (issue 4)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "review-schedule/",
                view(self.review_schedule_view),
                name="{}_{}_review_schedule".format(*info),
            ),
            path(
                "<path:object_id>/mark-reviewed/",
                view(self.mark_reviewed_view),
                name="{}_{}_mark_reviewed".format(*info),
            ),
            path(
                "<path:object_id>/defer-review/",
                view(self.defer_review_view),
                name="{}_{}_defer_review".format(*info),
            ),
            *super().get_urls(),
        ]

    def _get_editable_office(self, request, object_id):
        """The office to act on, or None if this user may not see it."""
        office = self.get_object(request, unquote(object_id))
        if office is not None and not self.has_change_permission(request, office):
            raise PermissionDenied
        return office

    def _change_page(self, office):
        return redirect("admin:offices_office_change", office.pk)

    def mark_reviewed_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        office = self._get_editable_office(request, object_id)
        if office is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        form = MarkReviewedForm(request.POST)
        if not form.is_valid():
            self.message_user(
                request,
                _("Not marked as reviewed: %(errors)s")
                % {"errors": " ".join(form.errors["note"])},
                messages.ERROR,
            )
            return self._change_page(office)
        reviews.mark_reviewed([office], by=request.user, note=form.cleaned_data["note"])
        self.message_user(
            request,
            _("“%(office)s” is marked as reviewed today.") % {"office": office},
            messages.SUCCESS,
        )
        return self._change_page(office)

    def defer_review_view(self, request, object_id):
        office = self._get_editable_office(request, object_id)
        if office is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        form = DeferReviewForm(request.POST or None, office=office)
        if form.is_valid():
            until = form.cleaned_data["until"]
            reviews.defer_review(
                office, until=until, by=request.user, reason=form.cleaned_data["reason"]
            )
            self.message_user(
                request,
                _("The review of “%(office)s” is deferred until %(date)s.")
                % {"office": office, "date": date_format(until)},
                messages.SUCCESS,
            )
            return self._change_page(office)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Defer the review of “%(office)s”") % {"office": office},
            "original": office,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(
            request, "admin/offices/office/defer_review.html", context
        )

    def review_schedule_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        offices = (
            self.get_queryset(request)
            .open()
            .order_by(NEXT_REVIEW_ORDER, "name")
            .prefetch_related("reviewers")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Review schedule"),
            "rows": [(office, next_review_html(office, today)) for office in offices],
        }
        return TemplateResponse(
            request, "admin/offices/office/review_schedule.html", context
        )


@admin.register(ReviewRecord)
class ReviewRecordAdmin(HostileInputAdminMixin, admin.ModelAdmin):
    """The review history of every office, for audit: written by reviews.py."""

    list_display = [
        "office",
        "kind",
        "reviewed_on",
        "reviewed_by",
        "deferred_until",
        "note",
    ]
    list_filter = ["kind"]
    list_select_related = ["office", "reviewed_by"]
    search_fields = ["office__name", "note"]
    date_hierarchy = "reviewed_on"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(office__in=Office.objects.editable_by(request.user))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""The office admin: profiles, their drafts, history and review cycle.

A published office is never edited in place (offices/editorial.py): its page
shows the content read-only with an "Edit" button that opens its draft copy,
a second Office row edited with the usual form and published, discarded or
previewed from there. A new office is a live row in status draft, edited
directly until it is first published. Every save of an office or of a draft
copy is a reversion revision, and a form opened before someone else's save
is refused instead of overwriting it.
"""

import math

import reversion
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from reversion.errors import RevertError
from reversion.models import Version

from hrprofile.admin import (
    HostileInputAdminMixin,
    ReadOnlyAdminMixin,
    SlugConflictAdminMixin,
    TranslatedFieldsAdminMixin,
    staff_choices,
)
from hrprofile.links import admin_change_url
from hrprofile.people import display_name
from hrprofile.translations import column, language_codes
from mandates.models import Mandate
from offices import calendar, editorial, freshness, reviews
from offices.forms import (
    DeferReviewForm,
    FieldOfficeForm,
    FieldOfficeFormSet,
    MarkReviewedForm,
    OfficeEditForm,
    OfficeForm,
    PushBackReviewForm,
    ScheduleForm,
    SendBackForm,
    SubmitForPublicationForm,
)
from offices.history import diff, snapshot, snapshots_of_revisions
from offices.models import (
    DUE_SOON_DAYS,
    CalendarFeed,
    DeletedOffice,
    FieldOffice,
    Office,
    PublicationRequest,
    ReviewRecord,
)

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


class TranslationOutOfDateFilter(admin.SimpleListFilter):
    """Offices whose translation into a language needs checking against the
    English text: changed since it was last checked, or never checked."""

    title = _("translation to check")
    parameter_name = "translation_out_of_date"

    def lookups(self, request, model_admin):
        return freshness.translation_languages()

    def queryset(self, request, queryset):
        if self.value() in dict(freshness.translation_languages()):
            return queryset.filter(
                pk__in=Office.objects.translation_out_of_date(self.value()).values("pk")
            )
        return queryset


class TranslationRecheckFilter(admin.SimpleListFilter):
    """Offices whose translation into a language was checked before checks
    kept the English text: they need a re-check (TranslationState)."""

    title = _("translation needs a re-check")
    parameter_name = "translation_needs_recheck"

    def lookups(self, request, model_admin):
        return freshness.translation_languages()

    def queryset(self, request, queryset):
        if self.value() in dict(freshness.translation_languages()):
            return queryset.filter(
                pk__in=Office.objects.translation_needs_recheck(self.value()).values(
                    "pk"
                )
            )
        return queryset


def is_live_published(office):
    """A published office itself (not its draft copy): shown, not edited."""
    return (
        office is not None
        and office.pk is not None
        and not office.draft_of_id
        and office.is_published
    )


class EditConflict(Exception):
    """Someone else's save came between this form's check and its save."""


class BoundedInlineMixin:
    """At most max_num rows, and never more forms built, whatever the posted
    TOTAL_FORMS claims: past it, a form error (Django's default bound builds
    up to 2,000 forms, seconds of CPU per request)."""

    def get_formset(self, request, obj=None, **kwargs):
        # The class's max_num: the admin sets an instance's to 0 when rows
        # may not be added, and the rows already there are still posted.
        kwargs.setdefault("absolute_max", type(self).max_num)
        return super().get_formset(request, obj, **kwargs)


class ProfileInlineMixin(BoundedInlineMixin):
    """Field offices and mandates are content: a published office shows
    them, its draft copy edits them."""

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and not is_live_published(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not is_live_published(
            obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not is_live_published(
            obj
        )


class FieldOfficeInline(
    ProfileInlineMixin, TranslatedFieldsAdminMixin, TranslationTabularInline
):
    # Compact rows, a column per language of the name and the note
    # (modeltranslation); the template gives every input a (visually hidden)
    # label, which Django's tabular rows lack, for screen-reader users.
    model = FieldOffice
    form = FieldOfficeForm
    formset = FieldOfficeFormSet
    fields = ["name", "note", "is_head_office", "position"]
    template = "admin/offices/office/edit_inline/tabular.html"
    extra = 0
    max_num = 50  # the largest presences have about 20


class MandateInline(
    ProfileInlineMixin, TranslatedFieldsAdminMixin, TranslationStackedInline
):
    model = Mandate
    fields = [
        ("kind", "position"),
        "title",
        ("symbol", "adopted_on", "integrated_in"),
        "summary",
        "url",
    ]
    extra = 0
    max_num = 30


class ReviewRecordInline(BoundedInlineMixin, admin.TabularInline):
    """The office's review history, read-only: it is written by reviews.py."""

    model = ReviewRecord
    verbose_name_plural = _("review history")
    fields = ["reviewed_on", "kind", "reviewed_by", "note", "deferred_until"]
    readonly_fields = fields
    extra = 0
    max_num = 600  # fifty years of monthly reviews
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


def _edit_fields(fieldsets, change):
    """The fieldsets with change(field) for each field: a name, or None to drop."""
    edited = []
    for name, options in fieldsets:
        fields = []
        for line in options["fields"]:
            if isinstance(line, (list, tuple)):
                line = tuple(f for f in map(change, line) if f)
                if line:
                    fields.append(line)
            elif change(line):
                fields.append(change(line))
        edited.append((name, {**options, "fields": fields}))
    return edited


def _replace_field(fieldsets, old, new):
    """The fieldsets with one field swapped for another."""
    return _edit_fields(fieldsets, lambda f: new if f == old else f)


# Versions on a page of an office's history.
HISTORY_PER_PAGE = 20

# What a draft copy's form leaves out: the review state and the reviewers
# belong to the live office, and publishing leaves them as they are.
LIVE_ONLY_FIELDS = {"last_reviewed", "deferred_until"}


# The sections of the office's change form, in the order of the public page,
# with the base names of their fields. A translated field (name_fr, added by
# the languages work) belongs to its base field's section; a field no section
# names goes to a last "More" section, so extra fields never break the form.
FORM_SECTIONS = [
    (
        "identity",
        _("Identity"),
        {"name", "slug", "status", "country", "country_code", "region", "host_mission"},
    ),
    (
        "profile",
        _("Profile"),
        {
            "engagement_type",
            "year_established",
            "year_established_note",
            "profile",
            "more_info_url",
            "more_info_label",
        },
    ),
    ("field-offices", _("Field offices"), {"field_offices_note", "coverage_note"}),
    ("mandates", _("Mandates"), set()),
    (
        "focus-areas",
        _("Focus areas"),
        {"pillars", "shifts", "spotlight_populations", "tags"},
    ),
    (
        "figures",
        _("Figures"),
        {"staff_count", "budget_needs_usd", "achievements", "partners_and_donors"},
    ),
    (
        "review",
        _("Review"),
        {
            "last_reviewed",
            "review_interval_months",
            "deferred_until",
            "reviewers",
            "reviewer_names",
        },
    ),
    ("closure", _("Closure"), {"closed_on", "closed_note"}),
]
MORE_SECTION = ("more", _("More"))
SECTION_OF_FIELD = {name: key for key, _title, names in FORM_SECTIONS for name in names}


def base_field_name(name):
    """name without a language suffix (name_fr, profile_zh_hans → name, profile)."""
    for code, _language in settings.LANGUAGES:
        suffix = "_" + code.replace("-", "_")
        if name.endswith(suffix) and name[: -len(suffix)] in SECTION_OF_FIELD:
            return name[: -len(suffix)]
    return name


def section_of(fields):
    """The section key of a fieldset with these fields (lines may be tuples)."""
    for line in fields:
        for name in line if isinstance(line, (list, tuple)) else [line]:
            key = SECTION_OF_FIELD.get(base_field_name(name))
            if key:
                return key
    return MORE_SECTION[0]


def form_sections(adminform, inline_admin_formsets, inline_sections):
    """The change form's sections: their fieldsets, inlines and whether they
    hold a validation error. Empty sections are left out."""
    sections = {
        key: {"key": key, "title": title, "fieldsets": [], "inlines": []}
        for key, title, _names in [*FORM_SECTIONS, (*MORE_SECTION, None)]
    }
    errors = set(adminform.form.errors)
    for fieldset in adminform:
        section = sections[section_of(fieldset.fields)]
        section["fieldsets"].append(fieldset)
        names = flatten_fieldsets([(None, {"fields": fieldset.fields})])
        section["has_errors"] = section.get("has_errors") or bool(errors & set(names))
    for inline in inline_admin_formsets:
        section = sections[inline_sections.get(type(inline.opts), MORE_SECTION[0])]
        section["inlines"].append(inline)
        formset = inline.formset
        section["has_errors"] = section.get("has_errors") or bool(
            formset.is_bound and formset.total_error_count()
        )
    return [s for s in sections.values() if s["fieldsets"] or s["inlines"]]


@admin.register(Office)
class OfficeAdmin(
    HostileInputAdminMixin,
    SlugConflictAdminMixin,
    TranslatedFieldsAdminMixin,
    TranslationAdmin,
):
    # Each translated field is one input per language, English first
    # (MODELTRANSLATION_LANGUAGES), each labelled "Name [fr]" and marked with
    # its lang and dir; admin/css/translations.css groups a field's languages.
    form = OfficeEditForm
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
        # The section menu, the first error's focus and the unsaved-changes
        # warning: static files, as the admin's CSP allows no inline code.
        css = {"all": ["offices/admin/office_form.css"]}
        js = ["offices/admin/office_form.js"]

    actions = [
        "mark_reviewed",
        "push_back_review",
        "publish",
        "move_to_draft",
        "delete_offices",
    ]
    # In the order of the public page; each fieldset falls into a section of
    # the form (FORM_SECTIONS) by the base names of its fields.
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
        # The field offices' own heading (the inline's) names this section.
        (None, {"fields": ["field_offices_note", "coverage_note"]}),
        (
            _("Focus areas"),
            {"fields": ["pillars", "shifts", "spotlight_populations", "tags"]},
        ),
        (
            _("Figures"),
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
        (_("Closure"), {"fields": ["closed_on", "closed_note"]}),
        (
            _("Timestamps"),
            {"fields": ["created_at", "updated_at"], "classes": ["collapse"]},
        ),
    ]

    # Rows. The list, the actions, the review schedule and the office picker
    # of other pages (autocomplete) show live offices only: never a draft
    # copy, never a deleted office. Editors without offices.edit_all_offices
    # see and edit only the offices they review; other offices are simply not
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
            .editable_by(request.user)
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
            .editable_by(request.user)
            .select_related("draft", "draft_of")
        )
        field = (
            Office._meta.pk
            if from_field is None
            else Office._meta.get_field(from_field)
        )
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (Office.DoesNotExist, ValidationError, ValueError):
            return None

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

    def has_change_permission(self, request, obj=None):
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
            fieldsets = _edit_fields(
                fieldsets, lambda f: None if f in LIVE_ONLY_FIELDS else f
            )
        elif self._is_manager(request):
            return fieldsets
        return _replace_field(fieldsets, "reviewers", "reviewer_names")

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
            return self._change_page(obj)
        return super().response_change(request, obj)

    def _publish_after_save(self, request, obj):
        # changeform_view publishes once the save's revision is written; this
        # answer is replaced then.
        request.publish_after_save = obj
        return self._change_page(obj)

    def _publish_response(self, request, office):
        if not self.has_publish_permission(request, office):
            self.message_user(
                request,
                _("Saved, not published: publishing needs another permission."),
                messages.WARNING,
            )
            return self._change_page(office)
        try:
            live = editorial.publish(office, by=request.user)
        except editorial.EditorialError as error:
            self.message_user(
                request,
                _("Saved, not published: %(reason)s") % {"reason": error},
                messages.ERROR,
            )
            return self._change_page(office)
        self.message_user(
            request,
            _("“%(office)s” is published.") % {"office": live},
            messages.SUCCESS,
        )
        return self._change_page(live)

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        context.update(self._editorial_context(request, obj))
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

    def _editorial_context(self, request, obj):
        """What the page says about the office's state, and its buttons."""
        if obj is None:
            return {"can_publish": self.has_publish_permission(request)}
        live = obj.draft_of or obj
        pending = getattr(live, "draft", None) if live is obj else obj
        return {
            "live_office": live,
            "is_draft_copy": bool(obj.draft_of_id),
            "is_live_published": is_live_published(obj),
            "pending_draft": pending,
            "preview_url": pending
            and reverse("offices:draft", kwargs={"slug": live.slug}),
            "draft_changes": (
                diff(snapshot(live), snapshot(obj)) if obj.draft_of_id else None
            ),
            "can_edit": self.may_work_on(request, obj),
            "can_review": self.may_work_on(request, live),
            "can_publish": not is_live_published(obj)
            and self.has_publish_permission(request, obj),
            "can_unpublish": is_live_published(obj)
            and self.has_publish_permission(request, obj),
            "mark_reviewed_form": MarkReviewedForm(auto_id="id_review_%s"),
            # Checks belong to the live office, whose English readers see: on
            # its own page (a draft copy's page links to it).
            "translation_statuses": (
                live.translation_statuses()
                if live is obj and self.may_work_on(request, live)
                else ()
            ),
            **self._publication_context(request, obj, pending),
        }

    def _publication_context(self, request, obj, pending):
        """The moderation request and the schedule, for the change page."""
        # The request of the draft this page is about: itself, or the pending
        # draft copy of a published office.
        draft = obj if editorial.is_draft(obj) else pending
        publication_request = (
            PublicationRequest.objects.filter(office=draft)
            .select_related("requested_by", "answered_by")
            .first()
            if draft is not None and draft.pk
            else None
        )
        may_publish = self.has_publish_permission(request, obj)
        return {
            "publication_draft": draft,
            "publication_request": publication_request,
            "can_submit": editorial.is_draft(obj) and self.may_work_on(request, obj),
            "can_send_back": bool(
                publication_request and publication_request.is_pending and may_publish
            ),
            "can_schedule": may_publish and obj.deleted_at is None,
            "scheduled_at": obj.unpublish_at if obj.is_published else obj.publish_at,
            # editorial.cancel_changed_schedule, on save: said beforehand.
            "cancelled_by_saving": bool(
                editorial.is_draft(obj)
                and obj.publish_at
                and self.has_change_permission(request, obj)
            ),
            "time_zone": timezone.get_current_timezone_name(),
        }

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

    @admin.action(description=_("Push back review…"), permissions=["change"])
    def push_back_review(self, request, queryset):
        """Defer the selected offices' reviews: one date, one reason, each recorded.

        An intermediate page asks for the date and reason; each office is
        deferred as by its own "Defer review" button, within its own limits.
        """
        offices = list(queryset.order_by("name", "pk"))
        form = PushBackReviewForm(
            request.POST if "apply" in request.POST else None, offices=offices
        )
        if form.is_valid():
            until = form.cleaned_data["until"]
            try:
                count = reviews.defer_reviews(
                    offices,
                    until=until,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValueError:
                # An interval changed since the form was checked: nothing done.
                self.message_user(
                    request,
                    _("No review was pushed back: the limits changed. Try again."),
                    messages.ERROR,
                )
                return None
            self.message_user(
                request,
                ngettext(
                    "The review of %(count)d office is pushed back until %(date)s.",
                    "The reviews of %(count)d offices are pushed back until %(date)s.",
                    count,
                )
                % {"count": count, "date": date_format(until)},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Push back the review of these offices"),
            "offices": offices,
            "form": form,
            "media": self.media + form.media,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/offices/office/push_back_review.html", context
        )

    @admin.action(description=_("Publish"), permissions=["publish"])
    def publish(self, request, queryset):
        count = self._each(
            request, queryset.filter(status=Office.Status.DRAFT), editorial.publish
        )
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
        count = self._each(
            request,
            queryset.filter(status=Office.Status.PUBLISHED),
            editorial.unpublish,
        )
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

    def _each(self, request, offices, step):
        """Run an editorial step on each office; how many it succeeded for.

        Each is its own transaction, version and audit entry; one refused
        (a slug taken meanwhile) does not stop the others.
        """
        count = 0
        for office in offices:
            try:
                step(office, by=request.user)
            except editorial.EditorialError as error:
                self.message_user(request, f"{office}: {error}", messages.ERROR)
            else:
                count += 1
        return count

    @admin.action(
        description=_("Delete selected offices (restorable)"), permissions=["delete"]
    )
    def delete_offices(self, request, queryset):
        if not request.POST.get("post"):
            return self._delete_confirmation(request, list(queryset), action=True)
        count = self._each(request, queryset, editorial.soft_delete)
        self.message_user(
            request,
            ngettext(
                "%(count)d office deleted. It can be restored under “Deleted offices”.",
                "%(count)d offices deleted. They can be restored under “Deleted "
                "offices”.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
        return None

    # Views

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
                "review-schedule/calendar/",
                view(self.reset_calendar_view),
                name="{}_{}_reset_calendar".format(*info),
            ),
            path(
                "<path:object_id>/mark-reviewed/",
                view(self.mark_reviewed_view),
                name="{}_{}_mark_reviewed".format(*info),
            ),
            path(
                "<path:object_id>/translations/<str:language>/checked/",
                view(self.mark_translation_checked_view),
                name="{}_{}_mark_translation_checked".format(*info),
            ),
            path(
                "<path:object_id>/defer-review/",
                view(self.defer_review_view),
                name="{}_{}_defer_review".format(*info),
            ),
            path(
                "<path:object_id>/submit/",
                view(self.submit_view),
                name="{}_{}_submit".format(*info),
            ),
            path(
                "<path:object_id>/send-back/",
                view(self.send_back_view),
                name="{}_{}_send_back".format(*info),
            ),
            path(
                "<path:object_id>/schedule/",
                view(self.schedule_view),
                name="{}_{}_schedule".format(*info),
            ),
            path(
                "<path:object_id>/edit/",
                view(self.start_draft_view),
                name="{}_{}_start_draft".format(*info),
            ),
            path(
                "<path:object_id>/unpublish/",
                view(self.unpublish_view),
                name="{}_{}_unpublish".format(*info),
            ),
            path(
                "<path:object_id>/discard/",
                view(self.discard_draft_view),
                name="{}_{}_discard_draft".format(*info),
            ),
            path(
                "<path:object_id>/history/<int:version_id>/revert/",
                view(self.revert_view),
                name="{}_{}_revert".format(*info),
            ),
            *super().get_urls(),
        ]

    def _get_editable_office(self, request, object_id):
        """The office to act on, or None if this user may not see it."""
        office = self.get_object(request, unquote(object_id))
        if office is not None and not self.may_work_on(request, office):
            raise PermissionDenied
        return office

    def _change_page(self, office):
        return redirect("admin:offices_office_change", office.pk)

    def _missing(self, request, object_id):
        return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)

    def start_draft_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        office = self._get_editable_office(request, object_id)
        if office is None:
            return self._missing(request, object_id)
        try:
            draft = editorial.start_draft(office, by=request.user)
        except editorial.EditorialError as error:
            self.message_user(request, str(error), messages.ERROR)
            return self._change_page(office)
        self.message_user(
            request,
            _(
                "You are editing a draft of “%(office)s”. The public page shows "
                "the published version until the draft is published."
            )
            % {"office": office},
            messages.INFO,
        )
        return self._change_page(draft)

    def unpublish_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        office = self._get_editable_office(request, object_id)
        if office is None:
            return self._missing(request, object_id)
        if not self.has_publish_permission(request, office):
            raise PermissionDenied
        try:
            editorial.unpublish(office, by=request.user)
        except editorial.EditorialError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                _("“%(office)s” is no longer public: it is a draft again.")
                % {"office": office},
                messages.SUCCESS,
            )
        return self._change_page(office)

    def discard_draft_view(self, request, object_id):
        draft = self._get_editable_office(request, object_id)
        if draft is None:
            return self._missing(request, object_id)
        if not draft.draft_of_id:
            return self._change_page(draft)
        if request.method == "POST":
            live = editorial.discard_draft(draft, by=request.user)
            self.message_user(
                request,
                _("The draft of “%(office)s” is discarded.") % {"office": live},
                messages.SUCCESS,
            )
            return self._change_page(live)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Discard the draft of “%(office)s”?")
            % {"office": draft.draft_of},
            "original": draft,
            "live_office": draft.draft_of,
            "changes": diff(snapshot(draft.draft_of), snapshot(draft)),
        }
        return TemplateResponse(
            request, "admin/offices/office/discard_draft.html", context
        )

    def history_view(self, request, object_id, extra_context=None):
        office = self.get_object(request, unquote(object_id))
        if office is None:
            return self._missing(request, object_id)
        if not self.has_view_or_change_permission(request, office):
            raise PermissionDenied
        if office.draft_of_id:
            # A draft copy's saves are its office's pending changes.
            return redirect("admin:offices_office_history", office.draft_of_id)
        page = Paginator(
            Version.objects.get_for_object(office).select_related("revision__user"),
            HISTORY_PER_PAGE,
        ).get_page(request.GET.get("p"))
        # Each version is compared with the one before it, the last of the
        # page with the first of the next page.
        start = (page.number - 1) * HISTORY_PER_PAGE
        versions = list(
            page.paginator.object_list[start : start + HISTORY_PER_PAGE + 1]
        )
        snapshots = snapshots_of_revisions([v.revision for v in versions], office.pk)
        entries = []
        for index, version in enumerate(versions[:HISTORY_PER_PAGE]):
            current = snapshots[version.revision_id]
            older = versions[index + 1] if index + 1 < len(versions) else None
            previous = snapshots[older.revision_id] if older else None
            entries.append(
                {
                    "version": version,
                    "user": version.revision.user
                    and display_name(version.revision.user),
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

    def revert_view(self, request, object_id, version_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        office = self._get_editable_office(request, object_id)
        if office is None:
            return self._missing(request, object_id)
        if not self.has_revert_permission(request, office):
            raise PermissionDenied
        version = (
            Version.objects.get_for_object(office)
            .select_related("revision")
            .filter(pk=version_id)
            .first()
        )
        if version is None:
            self.message_user(
                request, _("That version of the office was not found."), messages.ERROR
            )
            return redirect("admin:offices_office_history", office.pk)
        try:
            editorial.revert_office(office, version, by=request.user)
        except (editorial.EditorialError, RevertError) as error:
            self.message_user(
                request,
                _("Not reverted: %(reason)s") % {"reason": error},
                messages.ERROR,
            )
            return redirect("admin:offices_office_history", office.pk)
        self.message_user(
            request,
            _("“%(office)s” is reverted to the version of %(date)s.")
            % {
                "office": office,
                "date": date_format(
                    timezone.localtime(version.revision.date_created),
                    "DATETIME_FORMAT",
                ),
            },
            messages.SUCCESS,
        )
        return self._change_page(office)

    def delete_view(self, request, object_id, extra_context=None):
        office = self.get_object(request, unquote(object_id))
        if office is None:
            return self._missing(request, object_id)
        if office.draft_of_id:
            return redirect("admin:offices_office_discard_draft", office.pk)
        if not self.has_delete_permission(request, office):
            raise PermissionDenied
        if request.method == "POST":
            try:
                editorial.soft_delete(office, by=request.user)
            except editorial.EditorialError as error:
                self.message_user(request, str(error), messages.ERROR)
                return self._change_page(office)
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
        return self._delete_confirmation(request, [office])

    def _delete_confirmation(self, request, offices, action=False):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Are you sure?"),
            "offices": offices,
            "original": offices[0] if not action else None,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/offices/office/delete_confirmation.html", context
        )

    def mark_reviewed_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        office = self._get_editable_office(request, object_id)
        if office is None:
            return self._missing(request, object_id)
        # A draft copy's review is its office's.
        office = office.draft_of or office
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

    def _form_page(self, request, office, form, *, title, button, intro=""):
        """One office's form on a page of its own (defer, submit, send back,
        schedule): the form, a button and a way back to the office."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "original": office,
            "form": form,
            "button": button,
            "intro": intro,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/offices/office/form_page.html", context)

    def _moderation_step(self, request, draft, step, done):
        """Run an editorial step that emails people (submit, send back), say
        how it went and whose email failed, and go back to the draft's page.

        step() returns the step's Notified; done(notified) the success message.
        """
        try:
            notified = step()
        except editorial.TooManySubmissions:
            raise  # submit_view shows the form again, with what was typed.
        except editorial.EditorialError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, done(notified), messages.SUCCESS)
            if notified.failed:
                self.message_user(
                    request,
                    _("The email could not be sent to %(addresses)s.")
                    % {"addresses": ", ".join(notified.failed)},
                    messages.WARNING,
                )
        return self._change_page(draft)

    def submit_view(self, request, object_id):
        draft = self._get_editable_office(request, object_id)
        if draft is None:
            return self._missing(request, object_id)
        if not editorial.is_draft(draft):
            return self._change_page(draft)
        form = SubmitForPublicationForm(request.POST or None)
        refused = None
        if form.is_valid():
            try:
                return self._moderation_step(
                    request,
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
        response = self._form_page(
            request,
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

    def send_back_view(self, request, object_id):
        draft = self._get_editable_office(request, object_id)
        if draft is None:
            return self._missing(request, object_id)
        if not self.has_publish_permission(request, draft):
            raise PermissionDenied
        form = SendBackForm(request.POST or None)
        if form.is_valid():
            return self._moderation_step(
                request,
                draft,
                lambda: editorial.send_back(
                    draft, by=request.user, comment=form.cleaned_data["comment"]
                ),
                lambda notified: _(
                    "The draft is sent back to its editor with your comment."
                ),
            )
        live = draft.draft_of or draft
        return self._form_page(
            request,
            draft,
            form,
            title=_("Send the draft of “%(office)s” back") % {"office": live},
            button=_("Send back"),
            intro=_("The editor who submitted it gets your comment by email."),
        )

    def schedule_view(self, request, object_id):
        office = self._get_editable_office(request, object_id)
        if office is None:
            return self._missing(request, object_id)
        if not self.has_publish_permission(request, office):
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
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("The schedule is cancelled.")
                    if at is None
                    else _("Scheduled for %(time)s.")
                    % {"time": date_format(timezone.localtime(at), "DATETIME_FORMAT")},
                    messages.SUCCESS,
                )
            return self._change_page(office)
        live = office.draft_of or office
        return self._form_page(
            request,
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

    def mark_translation_checked_view(self, request, object_id, language):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        office = self._get_editable_office(request, object_id)
        if office is None:
            return self._missing(request, object_id)
        office = office.draft_of or office
        if language not in dict(freshness.translation_languages()):
            self.message_user(request, _("Unknown language."), messages.ERROR)
            return self._change_page(office)
        freshness.mark_translation_checked(office, language, by=request.user)
        self.message_user(
            request,
            _(
                "The %(language)s translation of “%(office)s” is marked as "
                "checked against the English text."
            )
            % {"language": freshness.language_name(language), "office": office},
            messages.SUCCESS,
        )
        return self._change_page(office)

    def defer_review_view(self, request, object_id):
        office = self._get_editable_office(request, object_id)
        if office is None:
            return self._missing(request, object_id)
        if office.draft_of_id:
            return redirect("admin:offices_office_defer_review", office.draft_of_id)
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
        return self._form_page(
            request,
            office,
            form,
            title=_("Defer the review of “%(office)s”") % {"office": office},
            button=_("Defer review"),
        )

    def review_schedule_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        feed = CalendarFeed.objects.filter(user=request.user).first()
        # The translation checks come with the rows (no query of their own).
        offices = freshness.with_translation_checks(
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
            "calendar_url": feed and calendar.feed_url(feed),
            "outdated_translations": freshness.group_by_language(
                freshness.outdated_items(offices)
            ),
        }
        return TemplateResponse(
            request, "admin/offices/office/review_schedule.html", context
        )

    def reset_calendar_view(self, request):
        """A new address for the user's calendar feed; the old one stops working."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        existed = CalendarFeed.objects.filter(user=request.user).exists()
        calendar.reset_feed(request.user)
        self.message_user(
            request,
            _(
                "Your calendar has a new address: subscribe to it again. The old "
                "address no longer works."
            )
            if existed
            else _("Your calendar's address is ready: subscribe to it."),
            messages.SUCCESS,
        )
        return redirect("admin:offices_office_review_schedule")


@admin.register(DeletedOffice)
class DeletedOfficeAdmin(ReadOnlyAdminMixin, HostileInputAdminMixin, admin.ModelAdmin):
    """Deleted offices, until restored or purged (`manage.py purge_offices`).

    Read-only: a deleted office is not edited, only restored.
    """

    list_display = ["name", "slug", "status", "deleted_at", "deleted_by_name"]
    list_select_related = ["deleted_by"]
    search_fields = ["name", "slug", "country"]
    date_hierarchy = "deleted_at"
    fields = [
        "name",
        "slug",
        "country",
        "status",
        "deleted_at",
        "deleted_by_name",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    actions = ["restore"]

    def get_queryset(self, request):
        return super().get_queryset(request).deleted().editable_by(request.user)

    # Those who may delete offices see and restore them.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("offices.delete_office")

    def has_restore_permission(self, request):
        return request.user.has_perm("offices.delete_office")

    @admin.display(description=_("deleted by"), ordering="deleted_by__username")
    def deleted_by_name(self, office):
        if office.deleted_by is None:
            return self.get_empty_value_display()
        return display_name(office.deleted_by)

    @admin.action(description=_("Restore"), permissions=["restore"])
    def restore(self, request, queryset):
        count = 0
        for office in queryset:
            try:
                editorial.restore(office, by=request.user)
            except editorial.EditorialError as error:
                self.message_user(request, f"{office}: {error}", messages.ERROR)
            else:
                count += 1
        self.message_user(
            request,
            ngettext("%(count)d office restored.", "%(count)d offices restored.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ReviewRecord)
class ReviewRecordAdmin(ReadOnlyAdminMixin, HostileInputAdminMixin, admin.ModelAdmin):
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

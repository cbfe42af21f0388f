"""The office's change page: which fields its form shows, the sections they
fall into, and what the page says around the form about the office's state
(its buttons, its draft, its publication request and schedule).
"""

from django.conf import settings
from django.contrib.admin.utils import flatten_fieldsets
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from offices import editorial
from offices.forms import MarkReviewedForm
from offices.history import diff, snapshot
from offices.models import PublicationRequest


def is_live_published(office):
    """A published office itself (not its draft copy): shown, not edited."""
    return (
        office is not None
        and office.pk is not None
        and not office.draft_of_id
        and office.is_published
    )


# The office form's fieldsets (OfficeAdmin.fieldsets), in the order of the
# public page; each falls into a section of the form (FORM_SECTIONS below) by
# the base names of its fields.
FIELDSETS = [
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


def edit_fields(fieldsets, change):
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


def replace_field(fieldsets, old, new):
    """The fieldsets with one field swapped for another."""
    return edit_fields(fieldsets, lambda f: new if f == old else f)


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


def change_page_context(model_admin, request, obj):
    """What the change page says about the office's state, and its buttons."""
    if obj is None:
        return {"can_publish": model_admin.has_publish_permission(request)}
    live = obj.draft_of or obj
    pending = getattr(live, "draft", None) if live is obj else obj
    return {
        "live_office": live,
        "is_draft_copy": bool(obj.draft_of_id),
        "is_live_published": is_live_published(obj),
        "pending_draft": pending,
        "preview_url": pending and reverse("offices:draft", kwargs={"slug": live.slug}),
        "draft_changes": (
            diff(snapshot(live), snapshot(obj)) if obj.draft_of_id else None
        ),
        "can_edit": model_admin.may_work_on(request, obj),
        "can_review": model_admin.may_work_on(request, live),
        "can_publish": not is_live_published(obj)
        and model_admin.has_publish_permission(request, obj),
        "can_unpublish": is_live_published(obj)
        and model_admin.has_publish_permission(request, obj),
        "mark_reviewed_form": MarkReviewedForm(auto_id="id_review_%s"),
        # Checks belong to the live office, whose English readers see: on
        # its own page (a draft copy's page links to it).
        "translation_statuses": (
            live.translation_statuses()
            if live is obj and model_admin.may_work_on(request, live)
            else ()
        ),
        **_publication_context(model_admin, request, obj, pending),
    }


def _publication_context(model_admin, request, obj, pending):
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
    may_publish = model_admin.has_publish_permission(request, obj)
    return {
        "publication_draft": draft,
        "publication_request": publication_request,
        "can_submit": editorial.is_draft(obj) and model_admin.may_work_on(request, obj),
        "can_send_back": bool(
            publication_request and publication_request.is_pending and may_publish
        ),
        "can_schedule": may_publish and obj.deleted_at is None,
        "scheduled_at": obj.unpublish_at if obj.is_published else obj.publish_at,
        # editorial.cancel_changed_schedule, on save: said beforehand.
        "cancelled_by_saving": bool(
            editorial.is_draft(obj)
            and obj.publish_at
            and model_admin.has_change_permission(request, obj)
        ),
        "time_zone": timezone.get_current_timezone_name(),
    }

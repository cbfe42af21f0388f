"""The office's change page: which fields its form shows, the sections they
fall into (and the line each shows when folded), and what the page says
around the form about the office's state: the action bar's state in words,
the side panel's review, publication and translations.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib.admin.utils import flatten_fieldsets, label_for_field
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, capfirst
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from offices import editorial
from offices.forms import MarkReviewedForm
from offices.history import diff, snapshot
from offices.models import PublicationRequest, add_months


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
                "Record a review or a deferral with the buttons of the "
                "Review panel, so it appears in the review history."
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


# The sections folded to their summary line while they are not being edited
# (office_form.js, once the page has loaded: without JavaScript every section
# is open). The identity, the review and the closure are a few short fields,
# always shown; a section holding an error is never folded.
FOLDED_SECTIONS = {"profile", "field-offices", "mandates", "focus-areas", "figures"}
# What a section's summary line shows at most: its first filled fields.
SUMMARY_ITEMS = 3
SUMMARY_WORDS = 8


def form_sections(adminform, inline_admin_formsets, inline_sections):
    """The change form's sections: their fieldsets, inlines, summary line and
    whether they hold a validation error. Empty sections are left out."""
    sections = {
        key: {
            "key": key,
            "title": title,
            "fieldsets": [],
            "inlines": [],
            "is_folded": key in FOLDED_SECTIONS,
        }
        for key, title, _names in [*FORM_SECTIONS, (*MORE_SECTION, None)]
    }
    errors = set(adminform.form.errors)
    for fieldset in adminform:
        section = sections[section_of(fieldset.fields)]
        if fieldset.name == section["title"]:
            # The section's own heading names it already.
            fieldset.name = None
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
    shown = [s for s in sections.values() if s["fieldsets"] or s["inlines"]]
    for section in shown:
        section["summary"] = section_summary(adminform.form, section)
    return shown


def section_summary(form, section):
    """The line a folded section shows: its rows' counts and its first
    filled fields ("Engagement type: Country office · Profile: UN Human…")."""
    items = [
        f"{capfirst(inline.opts.verbose_name_plural)}: "
        f"{len(inline.formset.initial_forms)}"
        for inline in section["inlines"]
    ]
    for fieldset in section["fieldsets"]:
        for name in flatten_fieldsets([(None, {"fields": fieldset.fields})]):
            text = (
                _field_summary(form[name])
                if name in form.fields
                else _value_summary(form.instance, name)
            )
            if text:
                items.append(f"{_label(form, name)}: {text}")
    return " · ".join(items[:SUMMARY_ITEMS])


def _label(form, name):
    """A field's label as the form shows it, read-only fields' too."""
    if name in form.fields:
        return form[name].label
    labels = form._meta.labels or {}
    return labels.get(name) or capfirst(
        label_for_field(name, type(form.instance), form=form)
    )


def _value_summary(obj, name):
    """A read-only field's text, number or choice in a few words ("" for
    anything else: a relation would be a query)."""
    value = getattr(obj, name, None)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return ""
    try:
        choices = dict(obj._meta.get_field(name).flatchoices)
    except FieldDoesNotExist:
        choices = {}
    return Truncator(str(choices.get(value, value))).words(SUMMARY_WORDS)


def _field_summary(bound_field):
    """A field's value in a few words, or "" when empty or costly to name (a
    foreign key's choice would be a query)."""
    field, value = bound_field.field, bound_field.value()
    if value in (None, "", [], ()) or isinstance(field, forms.BooleanField):
        return ""
    if isinstance(field, forms.ModelMultipleChoiceField):
        return str(len(value))
    if isinstance(field, forms.ModelChoiceField):
        return ""
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    return Truncator(str(value)).words(SUMMARY_WORDS)


def saved(request, obj):
    """obj as it is saved. A page answering a POST shows a refused save (a
    save that succeeds redirects), whose form has written what was typed
    into obj: what the page says differs from the public version is read
    again, never the values that were refused."""
    if request.method == "POST":
        return type(obj).objects.get(pk=obj.pk)
    return obj


def change_page_context(model_admin, request, obj):
    """What the change page says about the office's state, and its buttons."""
    if obj is None:
        return {"can_publish": model_admin.has_publish_permission(request)}
    live = obj.draft_of or obj
    pending = getattr(live, "draft", None) if live is obj else obj
    return {
        # The action bar keeps to this office's actions.
        "show_save_and_add_another": False,
        "live_office": live,
        "is_draft_copy": bool(obj.draft_of_id),
        "is_live_published": is_live_published(obj),
        "pending_draft": pending,
        "preview_url": pending and reverse("offices:draft", kwargs={"slug": live.slug}),
        "draft_changes": (
            diff(snapshot(live), snapshot(saved(request, obj)))
            if obj.draft_of_id
            else None
        ),
        "can_edit": model_admin.may_work_on(request, obj),
        "can_review": model_admin.may_work_on(request, live),
        "can_publish": not is_live_published(obj)
        and model_admin.has_publish_permission(request, obj),
        "can_unpublish": is_live_published(obj)
        and model_admin.has_publish_permission(request, obj),
        "mark_reviewed_form": MarkReviewedForm(auto_id="id_review_%s"),
        "next_review_on": next_review_on(live),
        # Checks belong to the live office, whose English readers see: the
        # draft's page shows them too, and marks them on the live page.
        "translation_statuses": (
            translation_rows(live, obj)
            if model_admin.may_work_on(request, live)
            else ()
        ),
        **_publication_context(model_admin, request, obj, pending),
    }


def next_review_on(office):
    """When the office's next review is due (None: never reviewed, due now),
    as Office.objects.with_next_review() computes it in SQL."""
    due = office.last_reviewed and add_months(
        office.last_reviewed, office.review_interval_months
    )
    return max(filter(None, [due, office.deferred_until]), default=None)


def translation_rows(office, page_office):
    """Each language's translation state (the live office's) with the
    address of its translation view, from the page's office (a draft copy's
    page translates the draft)."""
    return [
        (
            status,
            reverse(
                "admin:offices_office_translate",
                args=[page_office.pk, status.language],
            ),
        )
        for status in office.translation_statuses()
    ]


def editorial_state(obj, pending, publication_request):
    """The office's state in words, for the action bar: "Draft, saved 2
    minutes ago", "Awaiting publication", "Published"."""
    if obj is None or obj.pk is None:
        return ""
    awaiting = publication_request is not None and publication_request.is_pending
    if is_live_published(obj):
        if awaiting:
            return _("Published; changes awaiting publication")
        return _("Published; changes in a draft") if pending else _("Published")
    if awaiting:
        return _("Awaiting publication")
    if timezone.now() - obj.updated_at < datetime.timedelta(minutes=1):
        return _("Draft, saved just now")
    return _("Draft, saved %(time)s ago") % {"time": timesince(obj.updated_at)}


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
        "editorial_state": editorial_state(obj, pending, publication_request),
        "publication_draft": draft,
        "publication_request": publication_request,
        "can_submit": editorial.is_draft(obj) and model_admin.may_submit(request, obj),
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

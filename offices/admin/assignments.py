"""The translators' assignments (TranslationAssignment), which content
managers keep: who translates which office into which language."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hrprofile.admin import HostileInputAdminMixin, staff_choices
from hrprofile.people import display_name
from offices.models import TRANSLATORS, TranslationAssignment


@admin.register(TranslationAssignment)
class TranslationAssignmentAdmin(HostileInputAdminMixin, admin.ModelAdmin):
    """Assignments are kept with the model's permissions (content managers,
    offices migration 0021); a translator's own are on their desk."""

    list_display = ["office", "language", "translator_name", "assigned_at"]
    list_filter = ["language", ("translator", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["office", "translator"]
    search_fields = [
        "office__name",
        "translator__username",
        "translator__first_name",
        "translator__last_name",
    ]
    # Offices through OfficeAdmin's picker (live offices only). Translators
    # from a list, not a picker: the user picker needs the user admin's
    # permissions, which content managers do not have.
    autocomplete_fields = ["office"]
    fields = ["translator", "office", "language", "assigned_by", "assigned_at"]
    readonly_fields = ["assigned_by", "assigned_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "translator":
            # Active staff of the Translators group: an assignment gives
            # nothing to anyone without the group's permissions.
            kwargs["queryset"] = staff_choices().filter(groups__name=TRANSLATORS)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "translator":
            field.label_from_instance = display_name
        return field

    def save_model(self, request, obj, form, change):
        if not change:
            obj.assigned_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("translator"), ordering="translator__username")
    def translator_name(self, assignment):
        return display_name(assignment.translator)

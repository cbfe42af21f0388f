"""The read-only admins of the office records: deleted offices (restored from
here) and the review history of every office.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hrprofile.admin import HostileInputAdminMixin, ReadOnlyAdminMixin
from hrprofile.people import display_name
from offices import editorial
from offices.models import DeletedOffice, Office, ReviewRecord


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

from django.contrib import admin, messages
from django.db.models import Count, ProtectedError
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from hrprofile.admin import (
    HostileInputAdminMixin,
    SlugConflictAdminMixin,
    TranslatedFieldsAdminMixin,
)
from hrprofile.links import admin_change_url
from hrprofile.translations import column, language_codes
from mandates.models import (
    Mandate,
    Shift,
    SpotlightPopulation,
    Tag,
    ThematicPillar,
    protect_terms_in_use,
)


class TermInUseAdminMixin:
    """For vocabulary that profiles use (pillars, shifts, populations, tags).

    Shows how many profiles use each term, and refuses to delete a term in
    use. The models raise ProtectedError on delete, but the admin's delete page
    and "delete selected" action decide what to delete beforehand, from
    get_deleted_objects(): listing the profiles as "protected" there makes the
    stock admin show its "cannot delete" page instead of a server error.
    """

    def get_queryset(self, request):
        # A GROUP BY query ignores Meta.ordering: without order_by the tag
        # picker (autocomplete) would list and page terms in no set order.
        return (
            super()
            .get_queryset(request)
            .annotate(office_count=Count("offices"))
            .order_by(*self.model._meta.ordering)
        )

    @admin.display(description=_("profiles using it"), ordering="office_count")
    def office_count(self, obj):
        return obj.office_count

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        try:
            protect_terms_in_use(
                self.model.objects.filter(pk__in=[obj.pk for obj in objs])
            )
        except ProtectedError as error:
            messages.error(request, error.args[0])
            protected = [
                *protected,
                *(self._office_link(office) for office in error.protected_objects),
            ]
        return deleted, model_count, perms_needed, protected

    @staticmethod
    def _office_link(office):
        return format_html(
            '{}: <a href="{}">{}</a>',
            capfirst(office._meta.verbose_name),
            admin_change_url(office, office.pk),
            office,
        )


@admin.register(Shift, SpotlightPopulation, ThematicPillar)
class TermAdmin(
    HostileInputAdminMixin,
    SlugConflictAdminMixin,
    TermInUseAdminMixin,
    TranslatedFieldsAdminMixin,
    TranslationAdmin,
):
    list_display = ["name", "slug", "description", "position", "office_count"]
    list_editable = ["position"]
    # Every language's name: "name" alone would search the admin's language.
    search_fields = [
        *(
            column(field, code)
            for field in ("name", "description")
            for code in language_codes()
        ),
        "slug",
    ]
    prepopulated_fields = {"slug": ["name"]}

    def get_changelist_formset(self, request, **kwargs):
        # A page's rows at most, whatever the posted TOTAL_FORMS claims.
        rows = max(self.list_per_page, self.list_max_show_all)
        return super().get_changelist_formset(
            request, max_num=rows, absolute_max=rows, **kwargs
        )

    def save_model(self, request, obj, form, change):
        # The page's former address keeps answering, with a 301 to the new one.
        if change and "slug" in form.changed_data:
            obj.record_old_slug(form.initial["slug"])
        super().save_model(request, obj, form, change)


@admin.register(Tag)
class TagAdmin(
    HostileInputAdminMixin,
    SlugConflictAdminMixin,
    TermInUseAdminMixin,
    TranslatedFieldsAdminMixin,
    TranslationAdmin,
):
    list_display = ["name", "slug", "office_count"]
    search_fields = [*(column("name", code) for code in language_codes()), "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Mandate)
class MandateAdmin(
    HostileInputAdminMixin, TranslatedFieldsAdminMixin, TranslationAdmin
):
    list_display = ["title", "office", "kind", "symbol", "adopted_on"]
    list_filter = ["kind"]
    list_select_related = ["office"]
    search_fields = [
        *(column("title", code) for code in language_codes()),
        "symbol",
        "office__name_en",
    ]
    autocomplete_fields = ["office"]

    @property
    def offices(self):
        # Office, reached through the relation: mandates depends on no app above it.
        return self.model._meta.get_field("office").related_model.objects

    # Mandates belong to an office: editors limited to their own offices
    # (see OfficeAdmin) see and attach mandates only there. Draft copies'
    # mandates are edited in the draft's own form, so the list shows the
    # offices' own mandates only.
    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(office__in=self.offices.editable_by(request.user).live())
        )

    def _unpublished(self, request):
        """Offices whose mandates may be edited here: not yet public ones."""
        Status = self.offices.model.Status
        return (
            self.offices.editable_by(request.user)
            .live()
            .exclude(status=Status.PUBLISHED)
        )

    # A published office changes only through a draft (docs/editorial-
    # workflow.md): its mandates are view-only here, edited in the draft.
    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or not obj.office.is_published)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not obj.office.is_published)

    # A mandate is part of its office's page: the database moves the office's
    # updated_at on every write (offices migration 0017_office_stamp).
    def delete_queryset(self, request, queryset):
        super().delete_queryset(
            request, queryset.filter(office__in=self._unpublished(request))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "office":
            kwargs["queryset"] = self._unpublished(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db.models import Count, ProtectedError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from mandates.models import (
    Mandate,
    Shift,
    SpotlightPopulation,
    ThematicPillar,
    protect_terms_in_use,
)
from offices.models import Office


def _is_valid_key(field, value):
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True


class ValidKeysAutocompleteMixin:
    """An autocomplete widget that skips values that are not keys.

    Django looks the selected values up as they are, so one that is not an id
    (a tampered form redisplayed with its errors, or ?tags=abc on an add page)
    would be a server error instead of a form error.
    """

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        key = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        value = [v for v in value if _is_valid_key(key, v)]
        return super().optgroups(name, value, attr)


class AutocompleteSelect(ValidKeysAutocompleteMixin, widgets.AutocompleteSelect):
    pass


class AutocompleteSelectMultiple(
    ValidKeysAutocompleteMixin, widgets.AutocompleteSelectMultiple
):
    pass


class HostileInputAdminMixin:
    """Malformed query strings and ids get the admin's usual answers.

    PostgreSQL refuses text containing NUL, and Django passes filter values,
    autocomplete terms and selected ids to the database as they come, so
    without this a hand-edited URL or form is a server error.
    """

    def get_changelist_instance(self, request):
        values = (value for _name, values in request.GET.lists() for value in values)
        if any("\x00" in value for value in values):
            raise IncorrectLookupParameters  # the admin redirects to ?e=1
        return super().get_changelist_instance(request)

    def get_search_results(self, request, queryset, search_term):
        # The changelist's search form rejects NUL; the autocomplete view does not.
        return super().get_search_results(
            request, queryset, search_term.replace("\x00", "")
        )

    def response_action(self, request, queryset, *args, **kwargs):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(_is_valid_key(self.opts.pk, pk) for pk in selected):
            self.message_user(
                request,
                _(
                    "Items must be selected in order to perform actions on them. "
                    "No items have been changed."
                ),
                messages.WARNING,
            )
            return None
        return super().response_action(request, queryset, *args, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                AutocompleteSelect(
                    db_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                AutocompleteSelectMultiple(
                    db_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The term's wording and position are part of every profile using it.
        if change:
            Office.objects.filter(**{self.model.office_relation: obj}).touch()

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
            capfirst(Office._meta.verbose_name),
            reverse("admin:offices_office_change", args=[office.pk]),
            office,
        )


class TermAdmin(HostileInputAdminMixin, TermInUseAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "description", "position", "office_count"]
    list_editable = ["position"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


admin.site.register([ThematicPillar, Shift, SpotlightPopulation], TermAdmin)


@admin.register(Mandate)
class MandateAdmin(HostileInputAdminMixin, admin.ModelAdmin):
    list_display = ["title", "office", "kind", "symbol", "adopted_on"]
    list_filter = ["kind"]
    list_select_related = ["office"]
    search_fields = ["title", "symbol", "office__name"]
    autocomplete_fields = ["office"]

    # Mandates belong to an office: editors limited to their own offices
    # (see OfficeAdmin) see and attach mandates only there.
    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(office__in=Office.objects.editable_by(request.user))
        )

    # A mandate is part of its office's public page (and of the office it was
    # moved away from).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        Office.objects.filter(
            pk__in=[obj.office_id, form.initial.get("office")]
        ).touch()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        Office.objects.filter(pk=obj.office_id).touch()

    def delete_queryset(self, request, queryset):
        offices = list(queryset.values_list("office", flat=True))
        super().delete_queryset(request, queryset)
        Office.objects.filter(pk__in=offices).touch()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "office":
            kwargs["queryset"] = Office.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

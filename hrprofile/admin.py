"""Project-wide admin glue: site titles, shared hardening, User and Group.

The apps' admin modules build on this one; it imports nothing from them.
hrprofile/urls.py imports it (see the comment there).
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("UN Human Rights profiles")
admin.site.site_title = _("UN Human Rights profiles")
admin.site.index_title = _("Profiles administration")


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


# Staff accounts (the offices' reviewers) are edited in the same admin: give
# Django's own user and group pages the same protection against bad input.
# Importing django.contrib.auth.admin above has registered Django's own
# admins, whatever the order in which the admin modules are loaded.
admin.site.unregister([get_user_model(), Group])


@admin.register(get_user_model())
class StaffUserAdmin(HostileInputAdminMixin, UserAdmin):
    pass


@admin.register(Group)
class StaffGroupAdmin(HostileInputAdminMixin, GroupAdmin):
    pass

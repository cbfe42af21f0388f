"""Project-wide admin glue: shared hardening, people pickers, slug races,
the User and Group admins, failed logins and two-step devices.

The site itself (titles, two-step verification) is hrprofile.auth's
SecureAdminSite. The apps' admin modules build on this one; it imports
nothing from them. hrprofile/urls.py imports it (see the comment there).
"""

# Imported for their side effect as well: django-otp's own device admins are
# registered, so that they can be replaced below.
import django_otp.plugins.otp_static.admin
import django_otp.plugins.otp_totp.admin  # noqa: F401
from axes.models import AccessFailureLog
from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, router, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


class TranslatedFieldsAdminMixin:
    """Per-language inputs (django-modeltranslation's admin) that say their
    language: lang and dir on each, so that spell checkers, screen readers
    and Arabic text behave; grouped by static/css/admin-translations.css."""

    class Media:
        css = {"all": ["css/admin-translations.css"]}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        language = getattr(db_field, "language", None)
        if field is not None and language:
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs["lang"] = language
            widget.attrs["dir"] = (
                "rtl" if get_language_info(language)["bidi"] else "ltr"
            )
        return field


def user_label(user):
    """A person as pickers and lists show them: their name, else their username."""
    return user.get_full_name() or user.get_username()


# user_label in SQL, to list people in the order their labels read.
BY_LABEL = Lower(
    Coalesce(
        NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")),
        "username",
    )
)


def staff_choices():
    """The people who can be given work: active staff, by name."""
    return (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .order_by(BY_LABEL, "username")
    )


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


class ReadOnlyAdminMixin:
    """A record to read, never to edit: no add, change or delete, for anyone.

    The list and the detail page stay (view permission decides who sees them).
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


class StaffAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete, listing people as active staff by name."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset.model is get_user_model():
            queryset = queryset.filter(is_staff=True, is_active=True).order_by(
                BY_LABEL, "username"
            )
        return queryset

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, get_user_model()):
            result["text"] = user_label(obj)
        return result


class SlugTakenError(Exception):
    def __init__(self, slug):
        super().__init__(slug)
        self.slug = slug


class SlugConflictAdminMixin:
    """Two editors saving the same slug at once: a form error, never a 500.

    The form checks that the slug is free, but both editors can pass that
    check before either saves; the database's unique constraint then refuses
    the second INSERT. That IntegrityError ends Django's transaction around
    the view (everything is rolled back), and the page is validated again
    with the slug marked as taken: the editor sees their own input and an
    error on the slug field.
    """

    slug_taken_message = _(
        "Someone else has just saved a page with this slug. Choose another."
    )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SlugTakenError as taken:
            request.slug_taken = taken.slug
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        try:
            # A savepoint, so the database can still be asked why it refused.
            with transaction.atomic(using=router.db_for_write(self.model)):
                super().save_model(request, obj, form, change)
        except IntegrityError:
            if self._slug_in_use(obj):
                raise SlugTakenError(obj.slug) from None
            raise

    def _slug_in_use(self, obj):
        return (
            self.model._default_manager.filter(slug__iexact=obj.slug)
            .exclude(pk=obj.pk)
            .exists()
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        taken = getattr(request, "slug_taken", None)
        if taken is None:
            return form_class
        message = self.slug_taken_message

        class SlugTakenForm(form_class):
            def validate_constraints(self):
                super().validate_constraints()
                slug = self.cleaned_data.get("slug")
                if slug is not None and slug.lower() == taken.lower():
                    self.add_error("slug", ValidationError(message, code="unique"))

        return SlugTakenForm


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(
    ReadOnlyAdminMixin, HostileInputAdminMixin, admin.ModelAdmin
):
    """Failed staff logins, for managers: written by the axes handler only.

    Visible to superusers and to staff given "Can view access failure".
    A locked-out account unlocks by itself after LOGIN_LOCKOUT_MINUTES, or at
    once with `manage.py axes_reset_username NAME` / `axes_reset_ip IP`.
    """

    list_display = ["attempt_time", "username", "ip_address", "locked_out", "path_info"]
    list_filter = ["locked_out", "attempt_time"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"
    fields = [
        "attempt_time",
        "username",
        "ip_address",
        "locked_out",
        "path_info",
        "user_agent",
        "http_accept",
    ]
    readonly_fields = fields


# django-otp's own device admins show each person's secret key and QR code,
# and their backup codes, to anyone who may view devices: enough to copy
# their second step. Managers only need to see who has set it up, and to
# delete a lost phone's device so that its owner sets up a new one.
admin.site.unregister([TOTPDevice, StaticDevice])


@admin.register(TOTPDevice, StaticDevice)
class OTPDeviceAdmin(HostileInputAdminMixin, admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    list_select_related = ["user"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
    ]
    fields = list_display
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

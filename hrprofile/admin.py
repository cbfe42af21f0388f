"""Project-wide admin glue: shared hardening, people pickers, slug races,
the User and Group admins, failed logins and two-step devices.

The site itself (titles, two-step verification) is hrprofile.sites'
SecureAdminSite. The apps' admin modules build on this one; it imports
nothing from them. The admin's autodiscovery imports it: hrprofile comes
after auth, axes and django-otp in INSTALLED_APPS, whose admins it replaces.
"""

import logging
import smtplib
from dataclasses import dataclass, field
from itertools import groupby

# Imported for their side effect as well: django-otp's own device admins are
# registered, so that they can be replaced below.
import django_otp.plugins.otp_static.admin
import django_otp.plugins.otp_totp.admin  # noqa: F401
from axes.models import AccessFailureLog
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, router, transaction
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from hrprofile.emails import send_email
from hrprofile.people import BY_DISPLAY_NAME, display_name

logger = logging.getLogger(__name__)


class TranslatedFieldsAdminMixin:
    """Per-language inputs (django-modeltranslation's admin) that say their
    language: lang and dir on each, so that spell checkers, screen readers
    and Arabic text behave; grouped by static/css/admin-translations.css."""

    # The languages the form edits: every one (None), or only these, whose
    # inputs are then labelled as the field itself ("Name", not "Name [en]").
    # The office's form edits the English (the other languages have their
    # own translation view): the other columns are left out of the form, so
    # that saving it never touches them.
    edited_languages = None

    class Media:
        css = {"all": ["css/admin-translations.css"]}

    def _is_edited(self, name):
        """Whether the form keeps the field called name."""
        if self.edited_languages is None:
            return True
        try:
            language = getattr(self.model._meta.get_field(name), "language", None)
        except FieldDoesNotExist:  # a method or an admin attribute
            return True
        return language is None or language in self.edited_languages

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            lines = []
            for line in options["fields"]:
                if isinstance(line, (list, tuple)):
                    line = tuple(f for f in line if self._is_edited(f))
                    if line:
                        lines.append(line)
                elif self._is_edited(line):
                    lines.append(line)
            fieldsets.append((name, {**options, "fields": lines}))
        return fieldsets

    def _labels(self):
        """One language: each of its columns labelled as its field, read-only
        ones too (the admin labels those from the form's Meta.labels)."""
        if not self.edited_languages or len(self.edited_languages) != 1:
            return {}
        return {
            field.name: capfirst(field.translated_field.verbose_name)
            for field in self.model._meta.fields
            if getattr(field, "language", None) in self.edited_languages
        }

    def get_form(self, request, obj=None, **kwargs):
        if labels := self._labels():
            kwargs.setdefault("labels", labels)
        return super().get_form(request, obj, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        if labels := self._labels():
            kwargs.setdefault("labels", labels)
        return super().get_formset(request, obj, **kwargs)

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


def staff_choices():
    """The people who can be given work: active staff, by name."""
    return (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .order_by(BY_DISPLAY_NAME, "username")
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


# People and their roles
#
# Django's user admin lets whoever may change users change everything about
# them: make a superuser, give any permission, their own account included.
# Here only superusers do that. Other staff who may change users (the "User
# managers" group, offices 0019) look after accounts that hold nothing more
# than the editorial groups, and give or take away only those groups.

# The groups a user manager gives and takes away (offices 0009's roles).
# Only these (and the translators of offices 0021): any other group is the
# superusers' to give.
EDITORIAL_GROUPS = ("Content managers", "Office editors", "Translators")


def holds_more_than_editorial(account):
    """Whether an account has what a user manager cannot give: superuser
    status, a direct permission, or a group outside EDITORIAL_GROUPS.

    Read from the database (one query), not from the instance a form may
    have changed.
    """
    return (
        get_user_model()
        .objects.filter(pk=account.pk)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__isnull=False)
            | Q(groups__in=Group.objects.exclude(name__in=EDITORIAL_GROUPS))
        )
        .exists()
    )


def may_manage(user, account):
    """Whether `user` may change `account` at all (their own: only its name).

    Changing an account is taking it over (its password, its second step):
    a user manager may do it only to accounts they could have made.
    """
    return (
        user.is_superuser
        or account.pk == user.pk
        or not holds_more_than_editorial(account)
    )


def may_reset_two_step(user, account):
    """Whether `user` may reset `account`'s two-step verification.

    Never their own: a stolen session would swap the owner's phone for its
    own. The owner asks another user manager or a superuser.
    """
    return account.pk != user.pk and may_manage(user, account)


@dataclass
class TwoStepReset:
    """What reset_two_step did: the devices deleted, and whether the owner
    was told by email."""

    devices: list[str] = field(default_factory=list)
    emailed: bool = False


def reset_two_step(account, *, by, devices=None):
    """Delete `account`'s two-step devices (by default all: the authenticator
    and the backup codes), so that they set it up again at their next login.

    An audit entry names who did it, and the owner is emailed: a reset they
    did not ask for is an attack they must hear of. Nothing is done if there
    is no device to delete. The caller checks may_reset_two_step().
    """
    if devices is None:
        devices = [
            *TOTPDevice.objects.filter(user=account),
            *StaticDevice.objects.filter(user=account),
        ]
    result = TwoStepReset(devices=[device.name for device in devices])
    if not devices:
        return result
    audit_entry = apps.get_model("audit", "AuditEntry")
    with transaction.atomic():
        for device in devices:
            device.delete()
        audit_entry.objects.record(
            audit_entry.Action.UPDATE,
            account,
            actor=by,
            message=gettext("Two-step verification reset: %(devices)s deleted.")
            % {"devices": ", ".join(result.devices)},
        )
    if account.email:
        context = {
            "by": display_name(by),
            "username": account.get_username(),
            "login_url": settings.SITE_URL + reverse("admin:login"),
        }
        try:
            send_email("two_step_reset", account.email, context)
        except (smtplib.SMTPException, OSError):
            logger.exception("Could not tell %s of a two-step reset", account.pk)
        else:
            result.emailed = True
    return result


# Staff accounts (the offices' reviewers) are edited in the same admin: give
# Django's own user and group pages the same protection against bad input.
# Importing django.contrib.auth.admin above has registered Django's own
# admins, whatever the order in which the admin modules are loaded.
admin.site.unregister([get_user_model(), Group])


@admin.register(get_user_model())
class StaffUserAdmin(HostileInputAdminMixin, UserAdmin):
    actions = ["reset_two_step"]
    # What staff who are not superusers see of an account: no superuser
    # status, no direct permissions (the form leaves out what it does not
    # show, however it is posted).
    limited_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.limited_fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is None or request.user.is_superuser:
            return readonly
        readonly += ["last_login", "date_joined"]
        if obj.pk == request.user.pk:
            readonly += ["is_active", "is_staff", "groups"]
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            # Another group posted is "not one of the available choices".
            kwargs["queryset"] = Group.objects.filter(name__in=EDITORIAL_GROUPS)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        # Without it, the account's page is read-only and its password page,
        # a POST to either and the actions on it are refused.
        return super().has_change_permission(request, obj) and (
            obj is None or may_manage(request.user, obj)
        )

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser and unquote(id) == str(request.user.pk):
            # Their own password is changed with the old one.
            return redirect("admin:password_change")
        return super().user_change_password(request, id, form_url)

    @admin.action(description=_("Reset two-step verification"), permissions=["change"])
    def reset_two_step(self, request, queryset):
        accounts = list(queryset.order_by(BY_DISPLAY_NAME, "username"))
        refused = [a for a in accounts if not may_reset_two_step(request.user, a)]
        if refused:
            self.message_user(
                request,
                gettext(
                    "Nothing was reset: you may not reset the two-step "
                    "verification of %(names)s. Nobody resets their own; a "
                    "superuser resets a superuser's, a user manager's, and "
                    "that of an account with other permissions."
                )
                % {"names": ", ".join(map(display_name, refused))},
                messages.ERROR,
            )
            return
        for account in accounts:
            self._report_reset(
                request, account, reset_two_step(account, by=request.user)
            )

    def _report_reset(self, request, account, result):
        name = display_name(account)
        if not result.devices:
            self.message_user(
                request,
                gettext("%(name)s has not set up two-step verification.")
                % {"name": name},
                messages.WARNING,
            )
            return
        self.message_user(
            request,
            gettext(
                "Two-step verification reset for %(name)s: they set it up "
                "again at their next login."
            )
            % {"name": name},
            messages.SUCCESS,
        )
        if not result.emailed:
            self.message_user(
                request,
                gettext(
                    "%(name)s could not be emailed (no email address, or the "
                    "email failed): tell them yourself."
                )
                % {"name": name},
                messages.WARNING,
            )


@admin.register(Group)
class StaffGroupAdmin(HostileInputAdminMixin, GroupAdmin):
    """Groups are listed for user managers, and changed by superusers only:
    giving a group a permission gives it to all its members, whoever may
    change groups may make themselves anything."""

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class StaffAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete, listing people as active staff by name."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset.model is get_user_model():
            queryset = queryset.filter(is_staff=True, is_active=True).order_by(
                BY_DISPLAY_NAME, "username"
            )
        return queryset

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, get_user_model()):
            result["text"] = display_name(obj)
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

    # Deleting a device is resetting a person's second step: the same rules,
    # audit entry and email as the user list's "Reset two-step verification".

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or may_reset_two_step(request.user, obj.user)
        )

    def delete_model(self, request, obj):
        self.delete_queryset(request, [obj])

    def delete_queryset(self, request, queryset):
        devices = sorted(queryset, key=lambda device: device.user_id)
        by_owner = [
            (owner, list(owned))
            for owner, owned in groupby(devices, key=lambda device: device.user)
        ]
        if not all(may_reset_two_step(request.user, owner) for owner, _ in by_owner):
            raise PermissionDenied
        for owner, owned in by_owner:
            reset_two_step(owner, by=request.user, devices=owned)

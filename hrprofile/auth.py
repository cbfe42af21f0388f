"""Staff login: failed-login lockouts (django-axes) and two-step verification.

The admin's own password login comes first and is guarded by axes. Then
SecureAdminSite asks for a second step: a code from an authenticator app
(django-otp TOTP) or one of ten single-use backup codes (django-otp static).
The second step is required for the staff who can publish or manage users,
and offered to the others; see `requires_2fa`.
"""

import ipaddress
import math
from base64 import b32encode
from functools import wraps
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from axes.handlers.cache import AxesCacheHandler
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessFailureLog
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

# Failed logins


def _db_text(value, max_length):
    """Header or form text as a log column can hold it (PostgreSQL refuses NUL)."""
    return (value or "").replace("\x00", "")[:max_length]


def _ip_or_none(value):
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


class CacheHandlerWithFailureLog(AxesCacheHandler):
    """Counts failures in the cache and logs each one in the database.

    The lockout lives in the cache, so it ends by itself when the key expires
    (AXES_COOLOFF_TIME after the last attempt). The AccessFailureLog rows are
    the record managers read in the admin: who tried, from where, and when.
    """

    # `axes_reset_failure_logs --age N` deletes old rows as the database
    # handler does; the cache handler's own version does nothing.
    reset_failure_logs = AxesDatabaseHandler.reset_failure_logs

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or self.is_whitelisted(request, credentials):
            return
        username = _db_text(get_client_username(request, credentials), 255)
        AccessFailureLog.objects.create(
            username=username,
            ip_address=_ip_or_none(request.axes_ip_address),
            user_agent=_db_text(request.axes_user_agent, 255),
            http_accept=_db_text(request.axes_http_accept, 1025),
            path_info=_db_text(request.axes_path_info, 255),
            attempt_time=request.axes_attempt_time,
            locked_out=bool(getattr(request, "axes_locked_out", False)),
        )
        self.remove_out_of_limit_failure_logs(username=username)

    def remove_out_of_limit_failure_logs(self, *, username, limit=None):
        """Keep the newest AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT rows of a username.

        The database handler's version deletes the newest rows instead (the
        model is ordered newest first), which would hide an ongoing attack.
        """
        if limit is None:
            limit = settings.AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT
        stale = (
            AccessFailureLog.objects.filter(username=username)
            .order_by("-attempt_time", "-pk")
            .values_list("pk", flat=True)[limit:]
        )
        count, _ = AccessFailureLog.objects.filter(pk__in=list(stale)).delete()
        return count


def locked_out(request, response=None, credentials=None):
    """The 429 page after too many failed logins (AXES_LOCKOUT_CALLABLE).

    It says the same whether or not the username exists, and never echoes it.
    Every attempt during the lockout restarts the cool-off (axes's default),
    so the wait is the full cool-off from now.
    """
    cool_off = get_cool_off(request)
    seconds = math.ceil(cool_off.total_seconds()) if cool_off else None
    context = {
        **admin.site.each_context(request),
        "title": _("Too many failed logins"),
        "minutes": math.ceil(seconds / 60) if seconds else None,
    }
    response = render(request, "registration/locked_out.html", context, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response


# Two-step verification

BACKUP_CODES = 10
# What makes a staff member's account worth taking over: publishing, and
# handing out accounts and permissions.
SENSITIVE_PERMISSIONS = [
    "offices.publish_office",
    "auth.add_user",
    "auth.change_user",
    "auth.delete_user",
    "auth.change_group",
]
# Session flag: the local-mode invitation to set it up was put aside.
OFFER_DISMISSED_SESSION_KEY = "otp_offer_dismissed"


def requires_2fa(user):
    """Whether this staff member must pass a second step to use the admin."""
    return (
        settings.OTP_REQUIRED_FOR_ALL_STAFF
        or user.is_superuser
        or any(user.has_perm(permission) for permission in SENSITIVE_PERMISSIONS)
    )


def is_local_dev(request):
    """A developer's own checkout: offer, don't force.

    `make run` (HRPROFILE_ENV=local, DEBUG) prints a password that must log a
    newcomer straight in. Decided by that explicit mode (settings.LOCAL_DEV),
    never by the client's address: behind a proxy on the same host, every
    client is loopback.
    """
    return settings.LOCAL_DEV


def is_verified(user):
    # OTPMiddleware adds is_verified(); a request that skipped it is not verified.
    return getattr(user, "is_verified", lambda: False)()


def second_step_due(request):
    """The step a signed-in staff member still owes ("verify", "enrol"), or None."""
    user = request.user
    if not (user.is_active and user.is_staff) or is_verified(user):
        return None
    if user_has_device(user):
        return "verify"
    if requires_2fa(user) and not is_local_dev(request):
        return "enrol"
    return None


def acting_user(request):
    """The user as staff-only features outside the admin should see them.

    A staff member who still owes the second step is, until then, no more
    than an anonymous visitor (drafts in the public preview, for one).
    """
    return AnonymousUser() if second_step_due(request) else request.user


def _normalize_code(code):
    return "".join(code.split()).replace("-", "").lower()


def _wait_message(locked_until):
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    if seconds < 120:
        wait = ngettext("%(count)d second", "%(count)d seconds", seconds)
    else:
        seconds = math.ceil(seconds / 60)
        wait = ngettext("%(count)d minute", "%(count)d minutes", seconds)
    return _("Too many wrong codes. Try again in %(wait)s.") % {
        "wait": wait % {"count": seconds}
    }


def verify_code(user, code):
    """Check a code against the user's devices: (device or None, error).

    Six digits are an authenticator code, anything else a backup code, so a
    wrong code counts against one device only (each device slows down its own
    guessing). Rows are locked so a code is accepted once: a TOTP code never
    again in its time step, a backup code never again.
    """
    code = _normalize_code(code)
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        devices = model.objects.devices_for_user(user, confirmed=True)
        for device in devices.select_for_update():
            allowed, details = device.verify_is_allowed()
            if not allowed:
                return None, _wait_message(details["locked_until"])
            if device.verify_token(code):
                return device, None
    return None, _("That code is not valid.")


def pending_device(user):
    """The authenticator being set up: the same secret until it is confirmed."""
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    )
    return device or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=False
    )


def confirm_device(device, code):
    """Confirm a new authenticator with its first code: (device, backup codes).

    It replaces the user's previous authenticator and backup codes. None if
    the code is wrong, or the device was confirmed meanwhile (a double submit).
    """
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device.pk, confirmed=False)
            .first()
        )
        if device is None or not device.verify_token(_normalize_code(code)):
            return None, []
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        user = device.user
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        StaticDevice.objects.filter(user=user).delete()
        backup = StaticDevice.objects.create(user=user, name="Backup codes")
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create(
            StaticToken(device=backup, token=code) for code in codes
        )
    return device, codes


def manual_key(device):
    """The secret as people type it into an app, in groups of four."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(data):
    """A QR code as inline SVG: a path on a white square, no style attributes."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage)
    return mark_safe(image.to_string(encoding="unicode"))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


class SecureAdminSite(admin.AdminSite):
    """The admin, with a second login step for the staff who need one.

    Not django-otp's OTPAdminSite: that one demands the second step from
    every staff member, and replaces the admin's login page.
    """

    site_header = _("UN Human Rights profiles")
    site_title = _("UN Human Rights profiles")
    index_title = _("Profiles administration")

    # Reachable between the password and the second step.
    second_step_views = {"logout", "otp_verify", "otp_enrol"}

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)
        exempt = (
            getattr(view, "__self__", None) is self
            and view.__name__ in self.second_step_views
        )
        if exempt:
            return inner

        @wraps(inner)
        def wrapper(request, *args, **kwargs):
            redirect = self.second_step_redirect(request)
            return redirect or inner(request, *args, **kwargs)

        return wrapper

    def second_step_redirect(self, request):
        """Where a signed-in staff member must go first, or None."""
        step = second_step_due(request)
        if step is None:
            return None
        name = "admin:otp_verify" if step == "verify" else "admin:otp_enrol"
        return self._redirect(name, request.get_full_path())

    def _redirect(self, name, next_url):
        url = reverse(name, current_app=self.name)
        return HttpResponseRedirect(
            f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"
        )

    def get_urls(self):
        return [
            path("otp/verify/", self.admin_view(self.otp_verify), name="otp_verify"),
            path("otp/enrol/", self.admin_view(self.otp_enrol), name="otp_enrol"),
            path(
                "otp/not-now/",
                self.admin_view(self.otp_dismiss),
                name="otp_dismiss",
            ),
            *super().get_urls(),
        ]

    def autocomplete_view(self, request):
        # hrprofile.admin configures this site, so it cannot be imported first.
        from hrprofile.admin import StaffAutocompleteJsonView

        return StaffAutocompleteJsonView.as_view(admin_site=self)(request)

    def index(self, request, extra_context=None):
        user = request.user
        offer = (
            is_local_dev(request)
            and not request.session.get(OFFER_DISMISSED_SESSION_KEY)
            and not is_verified(user)
            and requires_2fa(user)
            and not user_has_device(user)
        )
        context = {"otp_offer": offer}
        if user.has_perm("offices.view_office") or user.has_perm(
            "offices.change_office"
        ):
            # The editor's desk (offices/dashboard.py): this site is the
            # project's glue, the panels are the offices app's.
            from offices.dashboard import dashboard

            context["desk"] = dashboard(user)
        return super().index(request, {**context, **(extra_context or {})})

    def _next_url(self, request):
        """The page asked for, if it is on this site; else the admin index."""
        url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(
            REDIRECT_FIELD_NAME
        )
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return url
        return reverse("admin:index", current_app=self.name)

    def _second_step_context(self, request, **context):
        pending = not is_verified(request.user)
        return {
            **self.each_context(request),
            # Nothing of the admin is shown before the second step.
            **({"available_apps": [], "otp_pending": True} if pending else {}),
            "is_nav_sidebar_enabled": False,
            "next": self._next_url(request),
            **context,
        }

    def _log_in(self, request, device):
        # A new session key for the more privileged session, as login() does.
        request.session.cycle_key()
        otp_login(request, device)

    def otp_verify(self, request):
        user = request.user
        if is_verified(user):
            return HttpResponseRedirect(self._next_url(request))
        if not user_has_device(user):
            return self._redirect("admin:otp_enrol", self._next_url(request))
        form = CodeForm(request.POST or None)
        if form.is_valid():
            device, error = verify_code(user, form.cleaned_data["code"])
            if device is not None:
                self._log_in(request, device)
                return HttpResponseRedirect(self._next_url(request))
            form.add_error("code", error)
        context = self._second_step_context(
            request, form=form, title=_("Two-step verification")
        )
        request.current_app = self.name
        return TemplateResponse(request, "admin/otp/verify.html", context)

    def otp_enrol(self, request):
        user = request.user
        has_device = user_has_device(user)
        if has_device and not is_verified(user):
            # Only the holder of the current device may replace it.
            return self._redirect("admin:otp_verify", request.get_full_path())
        device = pending_device(user)
        form = CodeForm(request.POST or None)
        codes = []
        if form.is_valid():
            confirmed, codes = confirm_device(device, form.cleaned_data["code"])
            if confirmed is not None:
                self._log_in(request, confirmed)
            else:
                form.add_error("code", _("That code is not valid."))
        context = self._second_step_context(
            request,
            form=form,
            title=_("Set up two-step verification"),
            has_device=has_device,
            required=requires_2fa(user),
            codes=codes,
        )
        if not codes:
            context.update(qr=qr_svg(device.config_url), key=manual_key(device))
        request.current_app = self.name
        return TemplateResponse(request, "admin/otp/enrol.html", context)

    def otp_dismiss(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        request.session[OFFER_DISMISSED_SESSION_KEY] = True
        messages.info(
            request,
            _(
                "You can set up two-step verification at any time from "
                "“Two-step verification” at the top of the page."
            ),
        )
        return HttpResponseRedirect(reverse("admin:index", current_app=self.name))

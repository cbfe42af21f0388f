"""Staff login: two-step verification.

The admin's own password login comes first, guarded by the failed-login
lockouts (hrprofile/lockouts.py). Then SecureAdminSite asks for a second
step: a code from an authenticator app (django-otp TOTP) or one of ten
single-use backup codes (django-otp static).
The second step is required for the staff who can publish or manage users,
and offered to the others; see `requires_2fa`.

The second step must survive a stolen password or a stolen session: a secret
being set up belongs to the session that asked for it, for ten minutes;
turning it on where it is optional, replacing the authenticator and making new
backup codes ask for the password again (and the latter two for a current
code), and each is an audit entry and an email to the owner. Wrong current
passwords end the session after as many as end a login.
"""

import datetime
import logging
import math
import smtplib
from base64 import b32encode
from functools import wraps
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hrprofile.emails import send_email
from hrprofile.throttle import client_ip

logger = logging.getLogger(__name__)

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
# The authenticator this session is setting up, and how long it may take.
PENDING_DEVICE_SESSION_KEY = "otp_pending_device"
PENDING_DEVICE_LIFETIME = datetime.timedelta(minutes=10)
# Wrong current passwords typed in this session (password change, two-step
# changes): at settings.LOGIN_FAILURE_LIMIT, as many as lock a login, the
# session ends. Kept in the session, so only logging in again resets it.
WRONG_PASSWORDS_SESSION_KEY = "wrong_passwords"
# What record_two_step_change writes in the audit trail.
TWO_STEP_EVENTS = {
    "enrolled": _("Turned on two-step verification."),
    "replaced": _("Replaced the authenticator app."),
    "backup_codes": _("Made new backup codes."),
}


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


def pending_device(request):
    """The authenticator this session is setting up: one secret per session.

    Another session (someone else with the password, say) gets a secret of
    its own, and a secret unconfirmed after PENDING_DEVICE_LIFETIME is
    dropped: no one but the session that asked for a secret ever sees it.
    """
    user = request.user
    pending = _pending_devices(user)
    device = pending.filter(pk=request.session.get(PENDING_DEVICE_SESSION_KEY)).first()
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).exclude(
            pk__in=pending
        ).delete()
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False
        )
        request.session[PENDING_DEVICE_SESSION_KEY] = device.pk
    return device


def _pending_devices(user):
    since = timezone.now() - PENDING_DEVICE_LIFETIME
    return TOTPDevice.objects.filter(user=user, confirmed=False, created_at__gt=since)


def confirm_device(device, code, *, current_code=None):
    """Confirm a new authenticator with its first code: (device, codes, error).

    It replaces the user's previous authenticator and backup codes. With
    `current_code`, a code of the user's present devices must come first; it
    is spent only if the new code is right too. No device, and an error
    (the form field, the message), if a code is wrong, the secret expired, or
    the device was confirmed meanwhile (a double submit).
    """
    user = device.user
    with transaction.atomic():
        if current_code is not None:
            current, error = verify_code(user, current_code)
            if current is None:
                return None, [], ("current_code", error)
        device = _pending_devices(user).select_for_update().filter(pk=device.pk).first()
        if device is None or not device.verify_token(_normalize_code(code)):
            # Keep the current code for the next try: the person who knows
            # it has made a typo in the new one.
            transaction.set_rollback(True)
            return None, [], ("code", _("That code is not valid."))
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = new_backup_codes(user)
    return device, codes, None


def new_backup_codes(user):
    """BACKUP_CODES fresh single-use codes, in place of the user's others."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        backup = StaticDevice.objects.create(user=user, name="Backup codes")
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create(
            StaticToken(device=backup, token=code) for code in codes
        )
    return codes


def replace_backup_codes(user, current_code):
    """New backup codes for a current code of the user's: (codes, error)."""
    with transaction.atomic():
        device, error = verify_code(user, current_code)
        if device is None:
            return [], ("current_code", error)
        return new_backup_codes(user), None


def record_two_step_change(request, user, event):
    """An audit entry (the request's user as the actor), and an email to the
    account's owner, for a change to `user`'s second step (TWO_STEP_EVENTS).
    A failing mail server is logged: the change is made, and the audit entry
    keeps it."""
    # The audit trail builds on this project machinery: imported here, as the
    # index imports the editor's desk.
    from audit.models import AuditEntry

    AuditEntry.objects.record(
        AuditEntry.Action.UPDATE, user, message=str(TWO_STEP_EVENTS[event])
    )
    if not user.email:
        return
    context = {
        "event": event,
        "user": user,
        "when": timezone.localtime(),
        "address": client_ip(request),
    }
    try:
        send_email("two_step_changed", user.email, context)
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not tell %s of a two-step change", user.pk)


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


class ConfirmIdentityForm(forms.Form):
    """The password again, and a code of the present second step, where asked.

    Checked by the view (SecureAdminSite._identity_error): a wrong password
    counts toward ending the session, and a code is spent when accepted.
    """

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    current_code = forms.CharField(
        label=_("Current code"),
        max_length=32,
        help_text=_(
            "From your authenticator app, or one of your backup codes (it is "
            "then used up)."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )

    def __init__(self, *args, password=True, current_code=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not password:
            del self.fields["password"]
        if not current_code:
            del self.fields["current_code"]
        # Start where the form starts.
        for index, field in enumerate(self.fields.values()):
            field.widget.attrs["autofocus"] = index == 0


class EnrolForm(ConfirmIdentityForm, CodeForm):
    """The new authenticator's first code, after what ConfirmIdentityForm asks."""

    field_order = ["password", "current_code", "code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "current_code" in self.fields:
            self.fields["code"].label = _("Code from the new app")


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
                "otp/backup-codes/",
                self.admin_view(self.otp_backup_codes),
                name="otp_backup_codes",
            ),
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
        required = requires_2fa(user)
        device = pending_device(request)
        # Where the second step is optional, someone with the password alone
        # would lock its owner out; a stolen session would keep the account.
        form = EnrolForm(
            request.POST or None,
            password=has_device or not required,
            current_code=has_device,
        )
        codes = []
        if form.is_valid():
            error, ended = self._identity_error(request, form)
            if ended:
                return ended
            confirmed = None
            if error is None:
                confirmed, codes, error = confirm_device(
                    device,
                    form.cleaned_data["code"],
                    current_code=form.cleaned_data.get("current_code"),
                )
            if confirmed is not None:
                request.session.pop(PENDING_DEVICE_SESSION_KEY, None)
                self._log_in(request, confirmed)
                record_two_step_change(
                    request, user, "replaced" if has_device else "enrolled"
                )
            else:
                form.add_error(*error)
        context = self._second_step_context(
            request,
            form=form,
            title=_("Set up two-step verification"),
            has_device=has_device,
            required=required,
            codes=codes,
        )
        if not codes:
            context.update(qr=qr_svg(device.config_url), key=manual_key(device))
        request.current_app = self.name
        return TemplateResponse(request, "admin/otp/enrol.html", context)

    def otp_backup_codes(self, request):
        user = request.user
        if not user_has_device(user):
            return self._redirect("admin:otp_enrol", self._next_url(request))
        form = ConfirmIdentityForm(request.POST or None)
        codes = []
        if form.is_valid():
            error, ended = self._identity_error(request, form)
            if ended:
                return ended
            if error is None:
                codes, error = replace_backup_codes(
                    user, form.cleaned_data["current_code"]
                )
            if codes:
                record_two_step_change(request, user, "backup_codes")
            else:
                form.add_error(*error)
        context = self._second_step_context(
            request, form=form, title=_("New backup codes"), codes=codes
        )
        request.current_app = self.name
        return TemplateResponse(request, "admin/otp/backup_codes.html", context)

    def password_change(self, request, extra_context=None):
        response = super().password_change(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if form is not None and form.has_error("old_password", "password_incorrect"):
            return self._wrong_password(request) or response
        if response.status_code == 302:
            request.session.pop(WRONG_PASSWORDS_SESSION_KEY, None)
        return response

    def _identity_error(self, request, form):
        """Check the password a ConfirmIdentityForm asks for: (error, ended).

        error is a (field, message) pair for form.add_error, or None; ended
        the redirect out when that wrong password ended the session.
        """
        if "password" not in form.fields:
            return None, None
        if request.user.check_password(form.cleaned_data["password"]):
            request.session.pop(WRONG_PASSWORDS_SESSION_KEY, None)
            return None, None
        error = ("password", _("That is not your password."))
        return error, self._wrong_password(request)

    def _wrong_password(self, request):
        """Count a wrong current password; the last one allowed logs out.

        A stolen session must not become a way to guess the password. Returns
        the redirect to the login page if the session ended, else None.
        """
        session = request.session
        session[WRONG_PASSWORDS_SESSION_KEY] = wrong = (
            session.get(WRONG_PASSWORDS_SESSION_KEY, 0) + 1
        )
        if wrong < settings.LOGIN_FAILURE_LIMIT:
            return None
        logout(request)
        messages.error(
            request,
            _("You were logged out: the password was wrong too many times."),
        )
        return HttpResponseRedirect(reverse("admin:login", current_app=self.name))

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

"""The admin site: Django's, with a second login step for the staff who need one.

The admin's own password login comes first, guarded by the failed-login
lockouts (hrprofile/lockouts.py). Then SecureAdminSite asks for a second
step (hrprofile/twostep.py: who needs it, devices and codes), offers to set
it up, and lets its owner replace the authenticator or the backup codes.

Turning it on where it is optional, replacing the authenticator and making
new backup codes ask for the password again (the latter two also for a
current code). Wrong current passwords end the session after as many as end
a login.
"""

from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import user_has_device

from hrprofile.twostep import (
    PENDING_DEVICE_SESSION_KEY,
    confirm_device,
    is_local_dev,
    is_verified,
    manual_key,
    pending_device,
    qr_svg,
    record_two_step_change,
    replace_backup_codes,
    requires_2fa,
    second_step_due,
    verify_code,
)

# Session flag: the local-mode invitation to set it up was put aside.
OFFER_DISMISSED_SESSION_KEY = "otp_offer_dismissed"
# Wrong current passwords typed in this session (password change, two-step
# changes): at settings.LOGIN_FAILURE_LIMIT, as many as lock a login, the
# session ends. Kept in the session, so only logging in again resets it.
WRONG_PASSWORDS_SESSION_KEY = "wrong_passwords"


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
        # The editor's desk on the same page is the offices app's template
        # tag (templates/admin/index.html).
        context = {"otp_offer": offer}
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

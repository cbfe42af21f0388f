"""Two-step verification: who needs a second step, and its devices and codes.

A code from an authenticator app (django-otp TOTP) or one of ten single-use
backup codes (django-otp static). The second step is required for the staff
who can publish or manage users, and offered to the others; see
`requires_2fa`. The admin's pages that ask for it are SecureAdminSite's
(hrprofile/sites.py).

The second step must survive a stolen password or a stolen session: a secret
being set up belongs to the session that asked for it, for ten minutes, and
replacing the authenticator or the backup codes needs a current code. Each
change is announced with the two_step_changed signal (the audit trail records
it) and emailed to the owner.
"""

import datetime
import logging
import math
import smtplib
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hrprofile.emails import send_email
from hrprofile.signals import two_step_changed
from hrprofile.throttle import client_ip

logger = logging.getLogger(__name__)

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
# The authenticator this session is setting up, and how long it may take.
PENDING_DEVICE_SESSION_KEY = "otp_pending_device"
PENDING_DEVICE_LIFETIME = datetime.timedelta(minutes=10)
# The changes record_two_step_change announces, as the audit trail words them.
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
    """Announce a change to `user`'s second step (TWO_STEP_EVENTS) with the
    two_step_changed signal (the audit trail records it, the request's user as
    the actor), then email the account's owner. A failing mail server is
    logged: the change is made, and the audit entry keeps it."""
    two_step_changed.send(
        sender=type(user),
        request=request,
        user=user,
        event=event,
        description=TWO_STEP_EVENTS[event],
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

"""Helpers shared by test modules: a test module never imports another."""

import datetime
from importlib import import_module

from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ReviewRecordFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    TagFactory,
    ThematicPillarFactory,
    UserFactory,
)


def populate(count):
    """`count` offices with everything the admin lists: a query-count fixture."""
    pillars = ThematicPillarFactory.create_batch(3)
    shifts = ShiftFactory.create_batch(2)
    populations = SpotlightPopulationFactory.create_batch(2)
    tags = TagFactory.create_batch(2)
    reviewers = UserFactory.create_batch(2)
    today = timezone.localdate()
    for index in range(count):
        office = OfficeFactory(
            last_reviewed=(
                today - datetime.timedelta(days=100 * index) if index % 3 else None
            ),
            pillars=pillars,
            shifts=shifts,
            spotlight_populations=populations,
            tags=tags,
            reviewers=reviewers,
        )
        FieldOfficeFactory.create_batch(2, office=office)
        MandateFactory(office=office)
        ReviewRecordFactory(office=office, reviewed_by=reviewers[0])


# What a signed-in admin page costs besides the session, the user and its own
# work: the device that passed the second step, and the session saved to push
# its idle expiry back (an UPDATE, between a savepoint and its release inside
# a test's transaction).
SIGNED_IN_QUERIES = 4


def totp_device(user):
    """The user's confirmed authenticator, created if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def totp_code(device):
    """The code the person's authenticator app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def mark_verified(client, user):
    """Pass the second login step for the client's session, as with a phone."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()


class VerifiedClient(Client):
    """A test client whose force_login also passes two-step verification.

    Admin tests test the admin, not the login: security/test_login.py uses a
    plain Client to show that the second step is enforced.
    """

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        mark_verified(self, user)


def form_data(response):
    """The POST data a browser sends for an admin form page as rendered."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    return {
        field.html_name: field.value()
        for form in forms
        for field in form
        if field.value() is not None
    }


def add_rows(data, prefix, *rows):
    """Rows added to an inline formset's POST data, as "Add another" does."""
    start = int(data[f"{prefix}-TOTAL_FORMS"])
    for index, row in enumerate(rows, start):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    data[f"{prefix}-TOTAL_FORMS"] = start + len(rows)
    return data


def editorial_group(name):
    """A group of the data migration (offices 0009), as a new database has it.

    A transactional test (browser, process-level) empties the database after
    it, which takes the migration's groups away, and parallel workers may run
    such a test before any other: they are made again from its own table.
    """
    roles = import_module("offices.migrations.0009_editorial_groups").ROLES
    group, created = Group.objects.get_or_create(name=name)
    if created:
        for app_label, codename in roles[name]:
            permissions = Permission.objects.filter(content_type__app_label=app_label)
            if codename != "*":
                permissions = permissions.filter(codename=codename)
            group.permissions.add(*permissions)
    return group

"""Helpers shared by test modules: a test module never imports another."""

import datetime
from importlib import import_module

from django.contrib.auth.models import Group, Permission
from django.db.models import F, Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from offices.models import ContentStamp, Office, PageStamp
from tests.factories import (
    PASSWORD,
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


# The address a test's own browser signs in from (axes and the lockouts key
# failures by it).
OWNER_IP = "198.51.100.7"


def log_in(client, username, password=PASSWORD, ip=OWNER_IP, **extra):
    """Post the admin's login form, as a browser at this address would."""
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
        **extra,
    )


def is_signed_in(client):
    return "_auth_user_id" in client.session


# What a signed-in admin page costs besides the session, the user and its own
# work: the device that passed the second step, and the session saved to push
# its idle expiry back (an UPDATE, between a savepoint and its release inside
# a test's transaction).
SIGNED_IN_QUERIES = 4


def signed_in(user):
    """A VerifiedClient signed in as user."""
    client = VerifiedClient()
    client.force_login(user)
    return client


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


# Every translated field's name (modeltranslation): the admin's inputs are
# name_en, name_fr…, and a test typing into "name" types the English.
TRANSLATED_FIELDS = {
    "name",
    "year_established_note",
    "profile",
    "more_info_label",
    "field_offices_note",
    "coverage_note",
    "achievements",
    "partners_and_donors",
    "closed_note",
    "note",
    "title",
    "summary",
    "description",
}


def english_key(key):
    """The admin input a translated field's English is typed into:
    "name" -> "name_en", "field_offices-0-note" -> "field_offices-0-note_en"."""
    prefix, _dash, name = key.rpartition("-")
    if name in TRANSLATED_FIELDS:
        return f"{prefix}{_dash}{name}_en"
    return key


class FormData(dict):
    """An admin form's POST data, where a translated field's plain name stands
    for its English input (as an editor fills in the English first)."""

    def __init__(self, *args, **kwargs):
        super().__init__()
        self.update(*args, **kwargs)

    def __setitem__(self, key, value):
        super().__setitem__(english_key(key), value)

    def __getitem__(self, key):
        return super().__getitem__(english_key(key))

    def __contains__(self, key):
        return super().__contains__(english_key(key))

    def __delitem__(self, key):
        super().__delitem__(english_key(key))

    def get(self, key, default=None):
        return super().get(english_key(key), default)

    def pop(self, key, *default):
        return super().pop(english_key(key), *default)

    def update(self, *args, **kwargs):
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def copy(self):
        return FormData(self)


def form_data(response):
    """The POST data a browser sends for an admin form page as rendered."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = FormData()
    for form in forms:
        for field in form:
            if field.value() is not None:
                dict.__setitem__(data, field.html_name, field.value())
    return data


def office_admin_url(name, office, *args):
    """The address of one of an office's admin pages ("change", "submit"…)."""
    return reverse(f"admin:offices_office_{name}", args=[office.pk, *args])


def change_url(office):
    """The office's change page in the admin."""
    return office_admin_url("change", office)


# A valid new office, as an editor fills in the add form.
NEW_OFFICE = {
    "name": "UN Human Rights in Iraq",
    "slug": "iraq",
    "region": "mena",
    "engagement_type": "political_mission",
    "year_established": 2003,
}


def add_office_data(client, url=None, **changes):
    """The POST data of the office form at url (the add page unless named),
    as rendered for client, filled in as NEW_OFFICE and then changes."""
    data = form_data(client.get(url or reverse("admin:offices_office_add")))
    data.update(NEW_OFFICE)
    data.update(changes)
    return data


def add_rows(data, prefix, *rows):
    """Rows added to an inline formset's POST data, as "Add another" does."""
    start = int(data[f"{prefix}-TOTAL_FORMS"])
    for index, row in enumerate(rows, start):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    data[f"{prefix}-TOTAL_FORMS"] = start + len(rows)
    return data


# The data migrations that make the roles' groups, each with a ROLES table.
ROLE_MIGRATIONS = [
    "offices.migrations.0009_editorial_groups",
    "offices.migrations.0019_user_managers",
    "offices.migrations.0021_translators_group",
]


def editorial_group(name):
    """A group of the data migrations (the editorial roles of offices 0009,
    the user managers of 0018), as a new database has it.

    A transactional test (browser, process-level) empties the database after
    it, which takes the migration's groups away, and parallel workers may run
    such a test before any other: they are made again from its own table.
    """
    roles = {}
    for module in ROLE_MIGRATIONS:
        roles.update(import_module(module).ROLES)
    group, created = Group.objects.get_or_create(name=name)
    if created:
        for app_label, codename in roles[name]:
            permissions = Permission.objects.filter(content_type__app_label=app_label)
            if codename != "*":
                permissions = permissions.filter(codename=codename)
            group.permissions.add(*permissions)
    return group


def member(group, username, **fields):
    """A user in one of the editorial groups ("Office editors", "Content
    managers", "User managers")."""
    user = UserFactory(username=username, **fields)
    user.groups.add(editorial_group(group))
    return user


def stamped_later(seconds=5):
    """Date the last content write seconds later, as if it came then.

    HTTP dates count whole seconds, and a test's writes all fall within one:
    this is the edit "a few seconds on" that If-Modified-Since must notice.
    Every stamp a page may be versioned by moves: the office last changed
    (a write of its stamp alone, which moves the list's), then the content
    and page stamps.
    """
    later = datetime.timedelta(seconds=seconds)
    latest = Office.objects.aggregate(latest=Max("updated_at"))["latest"]
    Office.objects.filter(updated_at=latest).update(updated_at=F("updated_at") + later)
    ContentStamp.objects.update(changed_at=F("changed_at") + later)
    PageStamp.objects.update(changed_at=F("changed_at") + later)


def publish_changes(office, by, **changes):
    """Edit a published office as editors do: a draft copy with these field
    values, then published."""
    from offices import editorial

    draft = editorial.start_draft(office, by=by)
    for name, value in changes.items():
        setattr(draft, name, value)
    draft.save()
    return editorial.publish(draft, by=by)

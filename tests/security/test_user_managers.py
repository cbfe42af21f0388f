"""User managers: staff accounts and the editorial groups, nothing more.

A member of the "User managers" group (offices 0018) holds auth.add_user and
auth.change_user, which Django's user admin treats as the right to make
anyone a superuser. These tests post to the admin's user and group pages as
an attacker with that group would, fields the page does not show included.
"""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from hrprofile.admin import EDITORIAL_GROUPS
from tests.factories import UserFactory
from tests.support import SIGNED_IN_QUERIES, VerifiedClient, editorial_group

pytestmark = pytest.mark.django_db

USERS = reverse("admin:auth_user_changelist")
ADD_USER = reverse("admin:auth_user_add")
GROUPS = reverse("admin:auth_group_changelist")
ADD_GROUP = reverse("admin:auth_group_add")
OWN_PASSWORD = reverse("admin:password_change")


def change_url(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def password_url(user):
    return reverse("admin:auth_user_password_change", args=[user.pk])


def member(username, *groups, **kwargs):
    user = UserFactory(username=username, **kwargs)
    user.groups.add(*(editorial_group(name) for name in groups))
    return user


@pytest.fixture
def manager(db):
    return member("manager", "User managers", first_name="Uma", last_name="Manager")


@pytest.fixture
def as_manager(manager):
    client = VerifiedClient()
    client.force_login(manager)
    return client


@pytest.fixture
def amina(db):
    """An office editor: an account a user manager looks after."""
    return member("amina", "Office editors", first_name="Amina", last_name="Said")


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True)


def user_form(user, **changes):
    """The user change form's POST data as Django's own page sends it (every
    field it shows a superuser), with `changes`."""
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "date_joined_0": joined.date().isoformat(),
        "date_joined_1": joined.time().isoformat(timespec="seconds"),
        "last_login_0": "",
        "last_login_1": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def set_password(client, account, password):
    """Post the admin's "Set password" page of an account."""
    return client.post(
        password_url(account),
        {"usable_password": "true", "password1": password, "password2": password},
    )


def group_ids(*names):
    return [str(editorial_group(name).pk) for name in names]


def group_names(user):
    return sorted(user.groups.values_list("name", flat=True))


def reset(client, *users):
    return client.post(
        USERS,
        {"action": "reset_two_step", "_selected_action": [u.pk for u in users]},
    )


def enrolled(user):
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    StaticDevice.objects.create(user=user, name="Backup codes")
    return user


def devices(user):
    return TOTPDevice.objects.filter(user=user).count() + (
        StaticDevice.objects.filter(user=user).count()
    )


# The group


def test_the_migration_makes_the_user_managers_group():
    migration = importlib.import_module("offices.migrations.0019_user_managers")
    Group.objects.filter(name="User managers").delete()

    migration.create_group(apps, None)

    group = Group.objects.get(name="User managers")
    assert sorted(group.permissions.values_list("codename", flat=True)) == [
        "add_user",
        "change_user",
        "view_group",
        "view_user",
    ]


# What a user manager does


def test_a_user_manager_creates_a_staff_account_in_an_editorial_group(as_manager):
    response = as_manager.post(
        ADD_USER,
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    newcomer = UserFactory._meta.model.objects.get(username="newcomer")

    response = as_manager.post(
        change_url(newcomer),
        user_form(
            newcomer,
            email="newcomer@example.org",
            is_staff="on",
            groups=group_ids("Office editors"),
        ),
    )

    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.is_staff
    assert not newcomer.is_superuser
    assert newcomer.email == "newcomer@example.org"
    assert group_names(newcomer) == ["Office editors"]


def test_a_user_manager_moves_an_editor_between_the_editorial_groups(as_manager, amina):
    response = as_manager.post(
        change_url(amina), user_form(amina, groups=group_ids("Content managers"))
    )

    assert response.status_code == 302
    assert group_names(amina) == ["Content managers"]


def test_a_user_manager_deactivates_an_account(as_manager, amina):
    response = as_manager.post(change_url(amina), user_form(amina, is_active=""))

    assert response.status_code == 302
    amina.refresh_from_db()
    assert not amina.is_active


def test_a_user_manager_sets_a_password_for_an_editor(as_manager, amina):
    new = "another long passphrase"

    response = set_password(as_manager, amina, new)

    assert response.status_code == 302
    amina.refresh_from_db()
    assert amina.check_password(new)


# What the form shows them


def test_the_form_shows_a_user_manager_only_what_they_may_change(as_manager, amina):
    form = as_manager.get(change_url(amina)).context["adminform"].form

    assert sorted(form.fields) == [
        "email",
        "first_name",
        "groups",
        "is_active",
        "is_staff",
        "last_name",
        "password",
        "username",
    ]
    assert [label for _pk, label in form.fields["groups"].choices] == sorted(
        name for name in EDITORIAL_GROUPS if Group.objects.filter(name=name).exists()
    )


def test_their_own_account_shows_them_their_name_only(as_manager, manager):
    response = as_manager.get(change_url(manager))

    form = response.context["adminform"].form
    assert sorted(form.fields) == [
        "email",
        "first_name",
        "last_name",
        "password",
        "username",
    ]
    assert "User managers" in response.content.decode()  # read, not chosen


def test_a_superuser_still_sees_every_field(admin_client, amina):
    # As a new database has it (a transactional test may have emptied it).
    editorial_group("User managers")
    form = admin_client.get(change_url(amina)).context["adminform"].form

    assert {"is_superuser", "user_permissions", "groups"} <= set(form.fields)
    assert "User managers" in [label for _pk, label in form.fields["groups"].choices]


def test_superusers_and_other_managers_are_read_only_to_a_user_manager(
    as_manager, root
):
    colleague = member("colleague", "User managers")

    for account in (root, colleague):
        response = as_manager.get(change_url(account))

        assert response.status_code == 200
        assert response.context["has_change_permission"] is False
        # Every field is read-only (the password's is a read-only display).
        assert list(response.context["adminform"].form.fields) == ["password"]


# What they cannot do, however it is posted


def test_a_user_manager_cannot_make_someone_a_superuser(as_manager, amina):
    as_manager.post(change_url(amina), user_form(amina, is_superuser="on"))

    amina.refresh_from_db()
    assert not amina.is_superuser


def test_a_user_manager_cannot_make_themselves_a_superuser(as_manager, manager):
    as_manager.post(change_url(manager), user_form(manager, is_superuser="on"))

    manager.refresh_from_db()
    assert not manager.is_superuser


def test_a_user_manager_cannot_give_a_direct_permission(as_manager, amina):
    publish = Permission.objects.get(codename="publish_office")

    as_manager.post(
        change_url(amina), user_form(amina, user_permissions=[str(publish.pk)])
    )

    assert not amina.user_permissions.exists()


@pytest.mark.parametrize("group", ["User managers", "Auditors"])
def test_a_user_manager_cannot_give_a_group_outside_the_editorial_ones(
    as_manager, amina, group
):
    other, _ = Group.objects.get_or_create(name=group)

    response = as_manager.post(
        change_url(amina),
        user_form(amina, groups=[*group_ids("Office editors"), str(other.pk)]),
    )

    assert response.status_code == 200  # the form again, with an error
    assert response.context["adminform"].form.errors["groups"]
    assert group_names(amina) == ["Office editors"]


def test_a_user_manager_cannot_change_their_own_groups(as_manager, manager):
    as_manager.post(
        change_url(manager),
        user_form(manager, groups=group_ids("Content managers")),
    )

    assert group_names(manager) == ["User managers"]


def test_a_user_manager_cannot_take_away_their_own_staff_status(as_manager, manager):
    as_manager.post(change_url(manager), user_form(manager, is_staff=""))

    manager.refresh_from_db()
    assert manager.is_staff


def test_a_user_manager_cannot_change_a_superuser(as_manager, root):
    response = as_manager.post(
        change_url(root), user_form(root, email="mine@evil.example", is_active="")
    )

    assert response.status_code == 403
    root.refresh_from_db()
    assert root.is_active
    assert root.email == "root@example.org"


def test_a_user_manager_cannot_set_a_superusers_password(as_manager, root):
    response = set_password(as_manager, root, "taken over")

    assert response.status_code == 403
    root.refresh_from_db()
    assert not root.check_password("taken over")


def test_a_user_manager_cannot_take_over_an_account_with_direct_permissions(
    as_manager, amina
):
    amina.user_permissions.add(Permission.objects.get(codename="publish_office"))

    response = as_manager.post(
        change_url(amina), user_form(amina, email="x@evil.example")
    )

    assert response.status_code == 403
    amina.refresh_from_db()
    assert amina.email == "amina@example.org"


def test_their_own_password_is_changed_with_the_old_one(as_manager, manager):
    response = set_password(as_manager, manager, "no old one")

    assert response.status_code == 302
    assert response["Location"] == OWN_PASSWORD
    manager.refresh_from_db()
    assert not manager.check_password("no old one")


def test_a_user_manager_cannot_add_or_change_a_group(as_manager):
    editors = editorial_group("Office editors")
    publish = Permission.objects.get(codename="publish_office")

    added = as_manager.post(ADD_GROUP, {"name": "Mine", "permissions": [publish.pk]})
    changed = as_manager.post(
        reverse("admin:auth_group_change", args=[editors.pk]),
        {"name": "Office editors", "permissions": [publish.pk]},
    )

    assert (added.status_code, changed.status_code) == (403, 403)
    assert not Group.objects.filter(name="Mine").exists()
    assert not editors.permissions.filter(pk=publish.pk).exists()


def test_only_a_superuser_changes_a_groups_permissions(amina):
    """Changing groups is as good as being a superuser: the permission alone
    does not give it."""
    amina.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_group", "change_group"])
    )
    client = VerifiedClient()
    client.force_login(amina)
    editors = editorial_group("Office editors")
    publish = Permission.objects.get(codename="publish_office")

    response = client.post(
        reverse("admin:auth_group_change", args=[editors.pk]),
        {"name": "Office editors", "permissions": [publish.pk]},
    )

    assert response.status_code == 403
    assert not editors.permissions.filter(pk=publish.pk).exists()


def test_a_superuser_still_makes_superusers(admin_client, amina):
    response = admin_client.post(change_url(amina), user_form(amina, is_superuser="on"))

    assert response.status_code == 302
    amina.refresh_from_db()
    assert amina.is_superuser


# Resetting two-step verification (a lost phone)


def test_a_user_manager_resets_an_editors_two_step_verification(
    as_manager, manager, amina
):
    enrolled(amina)

    response = reset(as_manager, amina)

    assert response.status_code == 302
    assert devices(amina) == 0
    entry = AuditEntry.objects.get(
        object_pk=str(amina.pk), action=AuditEntry.Action.UPDATE
    )
    assert entry.actor == manager
    assert "two-step verification" in entry.changes_text.lower()
    [email] = mail.outbox
    assert email.to == ["amina@example.org"]
    assert "Uma Manager" in email.body
    assert "two-step verification" in email.subject.lower()


def test_the_reset_is_refused_for_accounts_they_may_not_change(as_manager, root):
    colleague = enrolled(member("colleague", "User managers"))
    amina = enrolled(member("amina", "Office editors"))
    enrolled(root)

    for account in (root, colleague):
        response = reset(as_manager, amina, account)

        assert response.status_code == 302
        assert devices(account) == 2
        assert devices(amina) == 2  # nothing is done when any is refused
    assert not mail.outbox
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).exists()


def test_nobody_resets_their_own_two_step_verification(admin_client, admin_user):
    """A stolen session would otherwise swap the owner's phone for its own."""
    enrolled(admin_user)

    reset(admin_client, admin_user)

    # The admin client's own verified device, and the two made above.
    assert devices(admin_user) == 3
    assert not mail.outbox


def test_a_superuser_resets_a_user_managers_two_step_verification(
    admin_client, manager
):
    enrolled(manager)

    reset(admin_client, manager)

    assert devices(manager) == 0
    assert [email.to for email in mail.outbox] == [["manager@example.org"]]


def test_a_reset_without_an_email_address_says_so(as_manager, amina):
    enrolled(amina)
    amina.email = ""
    amina.save()

    response = reset(as_manager, amina)

    assert devices(amina) == 0
    assert not mail.outbox
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("no email address" in message for message in messages)


def test_deleting_a_device_in_its_admin_is_a_reset(admin_client, admin_user, amina):
    enrolled(amina)
    device = TOTPDevice.objects.get(user=amina)

    response = admin_client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=amina).exists()
    assert StaticDevice.objects.filter(user=amina).exists()  # only what was chosen
    entry = AuditEntry.objects.get(object_pk=str(amina.pk))
    assert entry.actor == admin_user
    assert [email.to for email in mail.outbox] == [["amina@example.org"]]


def test_nobody_deletes_their_own_device_in_its_admin(admin_client, admin_user):
    device = TOTPDevice.objects.get(user=admin_user)  # the client's verified one
    delete = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    changelist = reverse("admin:otp_totp_totpdevice_changelist")

    one = admin_client.post(delete, {"post": "yes"})
    selected = admin_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [device.pk], "post": "yes"},
    )

    assert (one.status_code, selected.status_code) == (403, 403)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not mail.outbox


# Query counts


@pytest.mark.parametrize("size", [2, 30])
def test_the_user_list_query_count_is_constant(
    as_manager, django_assert_max_num_queries, size
):
    for index in range(size):
        member(f"editor{index}", "Office editors")

    with django_assert_max_num_queries(8 + SIGNED_IN_QUERIES):
        response = as_manager.get(USERS)

    assert response.status_code == 200

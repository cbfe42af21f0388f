# The "User managers" role, beside the editorial groups of 0009: its members
# create staff accounts, deactivate them, reset their two-step verification and
# put them in or out of the editorial groups. What they may not do (superusers,
# direct permissions, other groups, their own account) is the user admin's
# rule (hrprofile/admin.py), not a permission.

from django.contrib.auth.management import create_permissions
from django.db import migrations

USER_MANAGERS = "User managers"

# (app label, codename) pairs, as in 0009.
ROLES = {
    USER_MANAGERS: [
        ("auth", "add_user"),
        ("auth", "change_user"),
        ("auth", "view_user"),
        ("auth", "view_group"),
    ],
}


def create_group(apps, schema_editor):
    # On a fresh database, permissions are created after all migrations ran.
    # Restored afterwards, not set to None: called with the project's own
    # registry (a test), None would stop every later flush from making the
    # auth models' content types again.
    auth = apps.get_app_config("auth")
    models_module = getattr(auth, "models_module", None)
    auth.models_module = models_module or True
    create_permissions(auth, apps=apps, verbosity=0)
    auth.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in grants:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename=codename
                )
            )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("offices", "0018_scheduled_fingerprint"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]

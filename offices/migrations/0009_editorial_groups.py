# The two editorial roles, so every new database has them (docs/editorial-workflow.md).
# Permissions are normally created after all migrations ran; create them here
# first so the groups can be filled on a fresh database too.

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_MANAGERS = "Content managers"
OFFICE_EDITORS = "Office editors"

# (app label, codename) pairs; "*" is every permission of that app.
ROLES = {
    CONTENT_MANAGERS: [
        ("offices", "*"),
        ("mandates", "*"),
        ("audit", "view_auditentry"),
        ("axes", "view_accessfailurelog"),
        ("reversion", "view_revision"),
        ("reversion", "view_version"),
    ],
    OFFICE_EDITORS: [
        ("offices", "view_office"),
        ("offices", "change_office"),
        ("offices", "view_fieldoffice"),
        ("offices", "add_fieldoffice"),
        ("offices", "change_fieldoffice"),
        ("offices", "delete_fieldoffice"),
        ("offices", "view_reviewrecord"),
        ("mandates", "view_mandate"),
        ("mandates", "add_mandate"),
        ("mandates", "change_mandate"),
        ("mandates", "delete_mandate"),
        ("mandates", "view_thematicpillar"),
        ("mandates", "view_shift"),
        ("mandates", "view_spotlightpopulation"),
        ("mandates", "view_tag"),
    ],
}


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in grants:
            permissions = Permission.objects.filter(content_type__app_label=app_label)
            if codename != "*":
                permissions = permissions.filter(codename=codename)
            group.permissions.add(*permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("axes", "__latest__"),
        ("reversion", "__latest__"),
        ("mandates", "0007_editorial"),
        ("offices", "0008_editorial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]

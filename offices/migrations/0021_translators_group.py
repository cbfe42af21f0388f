# The "Translators" role, beside the editorial groups of 0009 and the user
# managers of 0019 (docs/editorial-workflow.md). Its members see the offices
# and their vocabulary; what they may change, and of which office, is their
# TranslationAssignment (offices/translators.py), never change_office. The
# content managers, who keep the assignments, get the new model's permissions:
# 0009 gave them every offices permission that existed then.

from django.contrib.auth.management import create_permissions
from django.db import migrations

TRANSLATORS = "Translators"  # as offices.models.TRANSLATORS, frozen here
CONTENT_MANAGERS = "Content managers"
ASSIGNMENT_PERMISSIONS = [
    ("offices", f"{action}_translationassignment")
    for action in ("add", "change", "delete", "view")
]

# (app label, codename) pairs, as in 0009.
ROLES = {
    TRANSLATORS: [
        ("offices", "view_office"),
        ("offices", "view_fieldoffice"),
        ("mandates", "view_mandate"),
        ("mandates", "view_thematicpillar"),
        ("mandates", "view_shift"),
        ("mandates", "view_spotlightpopulation"),
        ("mandates", "view_tag"),
    ],
}


def permissions(Permission, grants):
    found = Permission.objects.none()
    for app_label, codename in grants:
        found |= Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        )
    return found


def create_group(apps, schema_editor):
    # On a fresh database, permissions are created after all migrations ran.
    # Restored afterwards, as in 0019.
    for label in ("offices", "mandates"):
        app_config = apps.get_app_config(label)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions(Permission, grants))
    managers = Group.objects.filter(name=CONTENT_MANAGERS).first()
    if managers is not None:
        managers.permissions.add(*permissions(Permission, ASSIGNMENT_PERMISSIONS))


def remove_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name__in=ROLES).delete()
    managers = Group.objects.filter(name=CONTENT_MANAGERS).first()
    if managers is not None:
        managers.permissions.remove(*permissions(Permission, ASSIGNMENT_PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("offices", "0020_translation_assignment"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]

# Tag moves from offices to mandates, next to the rest of the vocabulary.
# The table is renamed, so its rows and the offices' links to them (the
# offices_office_tags table, whose foreign key follows the rename) are kept,
# and the content type moves too, so permissions granted on tags still hold.

from django.db import migrations, models


def move_content_type(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=new, model="tag").exists():
        ContentType.objects.using(db).filter(app_label=old, model="tag").update(
            app_label=new
        )


def forwards(apps, schema_editor):
    move_content_type(apps, schema_editor, "offices", "mandates")


def backwards(apps, schema_editor):
    move_content_type(apps, schema_editor, "mandates", "offices")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("mandates", "0003_help_texts"),
        ("offices", "0004_slug_help_text"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE offices_tag RENAME TO mandates_tag",
                    reverse_sql="ALTER TABLE mandates_tag RENAME TO offices_tag",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="Tag",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "name",
                            models.CharField(
                                max_length=100, unique=True, verbose_name="name"
                            ),
                        ),
                        (
                            "slug",
                            models.SlugField(
                                max_length=100, unique=True, verbose_name="slug"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "tag",
                        "verbose_name_plural": "tags",
                        "ordering": ["name"],
                    },
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]

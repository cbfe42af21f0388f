# The other half of mandates.0004_tag: offices.Office.tags now points at
# mandates.Tag, and offices.Tag leaves the migration state. Nothing changes in
# the database (the table was renamed by mandates.0004_tag).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mandates", "0004_tag"),
        ("offices", "0004_slug_help_text"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="office",
                    name="tags",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="offices",
                        to="mandates.tag",
                        verbose_name="tags",
                    ),
                ),
                migrations.DeleteModel(name="Tag"),
            ],
        ),
    ]

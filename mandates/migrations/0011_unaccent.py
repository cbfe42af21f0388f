"""Lists sort by the name the reader sees (hrprofile/collations.py): the
unaccent extension folds accents where the server has no ICU collations
(the embedded PostgreSQL). Here, as the lower app: offices sorts by it too."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

import hrprofile.collations


class Migration(migrations.Migration):
    dependencies = [
        ("mandates", "0010_prose_line_endings"),
    ]

    operations = [
        UnaccentExtension(),
        migrations.AlterModelOptions(
            name="shift",
            options={
                "ordering": [
                    "position",
                    hrprofile.collations.ReaderOrder("name"),
                    "pk",
                ],
                "verbose_name": "shift",
                "verbose_name_plural": "shifts",
            },
        ),
        migrations.AlterModelOptions(
            name="spotlightpopulation",
            options={
                "ordering": [
                    "position",
                    hrprofile.collations.ReaderOrder("name"),
                    "pk",
                ],
                "verbose_name": "spotlight population",
                "verbose_name_plural": "spotlight populations",
            },
        ),
        migrations.AlterModelOptions(
            name="tag",
            options={
                "ordering": [hrprofile.collations.ReaderOrder("name"), "pk"],
                "verbose_name": "tag",
                "verbose_name_plural": "tags",
            },
        ),
        migrations.AlterModelOptions(
            name="thematicpillar",
            options={
                "ordering": [
                    "position",
                    hrprofile.collations.ReaderOrder("name"),
                    "pk",
                ],
                "verbose_name": "thematic pillar",
                "verbose_name_plural": "thematic pillars",
            },
        ),
    ]

"""Offices and field offices sort by the name the reader sees
(hrprofile/collations.py); only the models' state changes."""

from django.db import migrations

import hrprofile.collations


class Migration(migrations.Migration):
    dependencies = [
        # The unaccent extension, which the order needs without ICU.
        ("mandates", "0011_unaccent"),
        ("offices", "0015_translation_check_text"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="fieldoffice",
            options={
                "ordering": [
                    "office",
                    "-is_head_office",
                    "position",
                    hrprofile.collations.ReaderOrder("name"),
                    "pk",
                ],
                "verbose_name": "field office",
                "verbose_name_plural": "field offices",
            },
        ),
        migrations.AlterModelOptions(
            name="office",
            options={
                "ordering": [hrprofile.collations.ReaderOrder("name"), "pk"],
                "permissions": [
                    ("edit_all_offices", "Can edit every office, not only their own"),
                    ("publish_office", "Can publish and unpublish offices"),
                    ("revert_office", "Can revert offices to an earlier version"),
                ],
                "verbose_name": "office",
                "verbose_name_plural": "offices",
            },
        ),
    ]

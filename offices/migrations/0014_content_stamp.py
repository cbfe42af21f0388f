"""The content stamp: one row that database triggers bump after every write
to a table the public pages show (ContentStamp, content_version())."""

from django.db import migrations, models

# Every table a public page reads: its rows, its links, its vocabulary.
CONTENT_TABLES = [
    "offices_office",
    "offices_fieldoffice",
    "offices_office_pillars",
    "offices_office_shifts",
    "offices_office_spotlight_populations",
    "offices_office_tags",
    "offices_translationcheck",
    "mandates_mandate",
    "mandates_thematicpillar",
    "mandates_shift",
    "mandates_spotlightpopulation",
    "mandates_tag",
]

# An upsert: the row comes back after a TRUNCATE (a test's flush). The time
# never goes back, even if the server's clock does.
FUNCTION = """
CREATE FUNCTION offices_stamp_content() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO offices_contentstamp (id, generation, changed_at)
    VALUES (1, 1, clock_timestamp())
    ON CONFLICT (id) DO UPDATE SET
        generation = offices_contentstamp.generation + 1,
        changed_at = greatest(offices_contentstamp.changed_at, clock_timestamp());
    RETURN NULL;
END
$$;
"""

# Once per statement, not per row: a bulk update of 10,000 offices bumps the
# stamp once.
TRIGGERS = [
    f"CREATE TRIGGER {table}_stamp_content "
    f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION offices_stamp_content()"
    for table in CONTENT_TABLES
]
DROP_TRIGGERS = [
    f"DROP TRIGGER {table}_stamp_content ON {table}" for table in CONTENT_TABLES
]


class Migration(migrations.Migration):
    dependencies = [
        ("mandates", "0009_translations"),
        ("offices", "0013_desk"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentStamp",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(
                        default=1, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "generation",
                    models.BigIntegerField(
                        default=0, editable=False, verbose_name="generation"
                    ),
                ),
                (
                    "changed_at",
                    models.DateTimeField(editable=False, verbose_name="changed at"),
                ),
            ],
            options={
                "verbose_name": "content stamp",
                "verbose_name_plural": "content stamps",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)),
                        name="offices_contentstamp_one_row",
                    )
                ],
            },
        ),
        migrations.RunSQL(
            [
                "INSERT INTO offices_contentstamp (id, generation, changed_at) "
                "VALUES (1, 1, now())",
                FUNCTION,
                *TRIGGERS,
            ],
            reverse_sql=[*DROP_TRIGGERS, "DROP FUNCTION offices_stamp_content()"],
        ),
    ]

"""The page stamps: database triggers version each kind of stored page by what
it shows (PageStamp, content_version()'s scope), so that an edit to one
office leaves the others' profiles stored.

- "list" moves after any statement that changes a public office (its row or
  its stamp, which 0017_office_stamp moves with everything its page shows),
  makes one public, or takes one away; and after any write to a vocabulary
  (the index's filters and the sitemap name every term). A draft copy's
  edit, or a bookkeeping column's, leaves it.
- Each vocabulary's row (by its table's name) moves after any write to it.

Once per statement, like the content stamp of 0014_content_stamp, which
stays as it is (the API's validators).
"""

from django.db import migrations, models

VOCABULARIES = [
    "mandates_thematicpillar",
    "mandates_shift",
    "mandates_spotlightpopulation",
    "mandates_tag",
]
LIST = "list"

# Columns of offices_office no listing shows, as 0017_office_stamp's
# BOOKKEEPING (frozen here) less updated_at: the stamp itself, which the
# sitemap and the feed date each office by, and which the office's rows
# move.
BOOKKEEPING = [
    "id",
    "created_at",
    "edit_version",
    "review_interval_months",
    "deferred_until",
    "publish_at",
    "unpublish_at",
    "scheduled_by_id",
    "deleted_by_id",
]
BOOKKEEPING_ARRAY = "ARRAY[{}]::text[]".format(
    ", ".join(f"'{column}'" for column in BOOKKEEPING)
)

# An upsert, as the content stamp's: the row comes back after a TRUNCATE (a
# test's flush), and its time never goes back.
BUMP = """
CREATE FUNCTION offices_bump_page_stamp(stamp_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO offices_pagestamp (name, generation, changed_at)
    VALUES (stamp_name, 1, clock_timestamp())
    ON CONFLICT (name) DO UPDATE SET
        generation = offices_pagestamp.generation + 1,
        changed_at = greatest(offices_pagestamp.changed_at, clock_timestamp());
END
$$;
"""

# The stamps a table's writes move, named by the trigger (TG_ARGV).
STAMP_PAGES = """
CREATE FUNCTION offices_stamp_pages() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    stamp_name text;
BEGIN
    FOREACH stamp_name IN ARRAY TG_ARGV LOOP
        PERFORM offices_bump_page_stamp(stamp_name);
    END LOOP;
    RETURN NULL;
END
$$;
"""
VOCABULARY_TRIGGERS = [
    f"CREATE TRIGGER {table}_stamp_pages "
    f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION offices_stamp_pages('{LIST}', '{table}')"
    for table in VOCABULARIES
]


def public(row):
    """Whether row of offices_office is on the public site (OfficeQuerySet.published)."""
    return (
        f"({row}.status = 'published' AND {row}.deleted_at IS NULL "
        f"AND {row}.draft_of_id IS NULL)"
    )


# From the transition tables: only a public office (before or after the
# statement) that changed moves the list. One branch per event: each reads
# only the transition tables its trigger has.
STAMP_LIST = f"""
CREATE FUNCTION offices_stamp_list() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed boolean := TG_OP = 'TRUNCATE';
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := EXISTS (SELECT FROM new_rows AS n WHERE {public("n")});
    ELSIF TG_OP = 'DELETE' THEN
        changed := EXISTS (SELECT FROM old_rows AS o WHERE {public("o")});
    ELSIF TG_OP = 'UPDATE' THEN
        changed := EXISTS (
            SELECT FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
            WHERE ({public("o")} OR {public("n")})
            AND (to_jsonb(o) - {BOOKKEEPING_ARRAY})
                IS DISTINCT FROM (to_jsonb(n) - {BOOKKEEPING_ARRAY})
        );
    END IF;
    IF changed THEN
        PERFORM offices_bump_page_stamp('{LIST}');
    END IF;
    RETURN NULL;
END
$$;
"""

# PostgreSQL allows transition tables on triggers of one event only.
TRANSITION_TABLES = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
    "TRUNCATE": "",
}
LIST_TRIGGERS = [
    f"CREATE TRIGGER offices_office_stamp_list_{event.lower()} "
    f"AFTER {event} ON offices_office {tables} "
    "FOR EACH STATEMENT EXECUTE FUNCTION offices_stamp_list()"
    for event, tables in TRANSITION_TABLES.items()
]

STAMPS = ", ".join(f"('{name}', 1, now())" for name in [LIST, *VOCABULARIES])

DROP = [
    *(
        f"DROP TRIGGER offices_office_stamp_list_{event.lower()} ON offices_office"
        for event in TRANSITION_TABLES
    ),
    *(f"DROP TRIGGER {table}_stamp_pages ON {table}" for table in VOCABULARIES),
    "DROP FUNCTION offices_stamp_list()",
    "DROP FUNCTION offices_stamp_pages()",
    "DROP FUNCTION offices_bump_page_stamp(text)",
]


class Migration(migrations.Migration):
    dependencies = [
        ("mandates", "0011_unaccent"),
        ("offices", "0021_translators_group"),
    ]

    operations = [
        migrations.CreateModel(
            name="PageStamp",
            fields=[
                (
                    "name",
                    models.CharField(
                        editable=False,
                        max_length=63,
                        primary_key=True,
                        serialize=False,
                        verbose_name="name",
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
                "verbose_name": "page stamp",
                "verbose_name_plural": "page stamps",
            },
        ),
        migrations.RunSQL(
            [
                "INSERT INTO offices_pagestamp (name, generation, changed_at) "
                f"VALUES {STAMPS}",
                BUMP,
                STAMP_PAGES,
                *VOCABULARY_TRIGGERS,
                STAMP_LIST,
                *LIST_TRIGGERS,
            ],
            reverse_sql=DROP,
        ),
    ]

"""The per-office stamp and the removals: database triggers keep
Office.updated_at and OfficeRemoval true, however a row is written.

- An office's updated_at moves whenever what its public representation
  shows changes: its own row (except the bookkeeping columns below), its
  field offices, mandates, translation checks and links to terms and tags,
  and the terms and tags it links to. Writes that change no value move
  nothing.
- A published live office that stops being public (unpublished,
  soft-deleted, deleted) gets an OfficeRemoval row; one that is public
  again loses it.

Rows' updated_at are left as they are: the stamp moves from the next change.
"""

from django.db import migrations, models

# Columns of offices_office that no public representation shows: writing
# them alone (a claim_edit, a deferral, a schedule) moves no stamp.
BOOKKEEPING = [
    "id",
    "created_at",
    "updated_at",
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

# Rows that belong to one office (office_id): what its page and API show
# besides its own row.
OFFICE_ROWS = [
    "offices_fieldoffice",
    "mandates_mandate",
    "offices_translationcheck",
    "offices_office_pillars",
    "offices_office_shifts",
    "offices_office_spotlight_populations",
    "offices_office_tags",
]

# Each vocabulary table, with the links that reach the offices showing it.
TERM_LINKS = {
    "mandates_thematicpillar": ("offices_office_pillars", "thematicpillar_id"),
    "mandates_shift": ("offices_office_shifts", "shift_id"),
    "mandates_spotlightpopulation": (
        "offices_office_spotlight_populations",
        "spotlightpopulation_id",
    ),
    "mandates_tag": ("offices_office_tags", "tag_id"),
}

# clock_timestamp(), not now(): the time of the statement, as Python's
# timezone.now() is the time of the save, rather than the start of its
# transaction, so a change made late in a long transaction is not dated
# before one another client has already seen. An office's stamp never goes
# back and each change moves it by at least a microsecond, even if a
# clock does (the edge cache keys stored pages by it).
NEXT_STAMP = "greatest(clock_timestamp(), {row}.updated_at + interval '1 microsecond')"

STAMP_OFFICES = f"""
CREATE FUNCTION offices_stamp_offices(office_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(office_ids) > 0 THEN
        UPDATE offices_office
        SET updated_at = {NEXT_STAMP.format(row="offices_office")}
        WHERE id = ANY(office_ids);
    END IF;
END
$$;
"""

# Before the write, per row: the only way to change the row being written.
# A writer's own later stamp (auto_now, touch()) is kept; a write of the
# stamp alone (a test dating an office) is the writer's business.
OFFICE_ROW = f"""
CREATE FUNCTION offices_office_stamp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (to_jsonb(NEW) - {BOOKKEEPING_ARRAY})
        IS DISTINCT FROM (to_jsonb(OLD) - {BOOKKEEPING_ARRAY}) THEN
        NEW.updated_at := greatest({NEXT_STAMP.format(row="OLD")}, NEW.updated_at);
    END IF;
    RETURN NEW;
END
$$;
"""
OFFICE_ROW_TRIGGER = """
CREATE TRIGGER offices_office_stamp
BEFORE UPDATE ON offices_office
FOR EACH ROW EXECUTE FUNCTION offices_office_stamp()
"""

# Once per statement, from the transition tables: copying twenty field
# offices into a draft stamps it once. An update moves the offices of the
# rows it changed (both, if a row changed office); copied_from only says
# where a draft's row came from.
FROM_ROWS = """
CREATE FUNCTION offices_stamp_from_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM offices_stamp_offices(ARRAY(SELECT office_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM offices_stamp_offices(ARRAY(SELECT office_id FROM old_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM offices_stamp_offices(ARRAY(
            SELECT unnest(ARRAY[o.office_id, n.office_id])
            FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
            WHERE to_jsonb(o) - 'copied_from' IS DISTINCT FROM to_jsonb(n) - 'copied_from'
        ));
    ELSE
        PERFORM offices_stamp_offices(ARRAY(SELECT id FROM offices_office));
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
FROM_ROWS_TRIGGERS = [
    f"CREATE TRIGGER {table}_stamp_office_{event.lower()} "
    f"AFTER {event} ON {table} {tables} "
    "FOR EACH STATEMENT EXECUTE FUNCTION offices_stamp_from_rows()"
    for table in OFFICE_ROWS
    for event, tables in TRANSITION_TABLES.items()
]

# A term's update moves every office linked to it (TG_ARGV: the link table
# and its column for the term). A save that changes only the term's own
# updated_at moves none. A term is inserted before any link to it, and its
# links are deleted before it (a raw DELETE of a linked term fails on their
# foreign key): the link triggers see both.
FROM_TERMS = """
CREATE FUNCTION offices_stamp_from_terms() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'SELECT offices_stamp_offices(ARRAY(
            SELECT link.office_id FROM %I AS link
            JOIN old_rows AS o ON o.id = link.%I
            JOIN new_rows AS n ON n.id = o.id
            WHERE to_jsonb(o) - ''updated_at'' IS DISTINCT FROM to_jsonb(n) - ''updated_at''
        ))',
        TG_ARGV[0],
        TG_ARGV[1]
    );
    RETURN NULL;
END
$$;
"""
FROM_TERMS_TRIGGERS = [
    f"CREATE TRIGGER {table}_stamp_offices "
    f"AFTER UPDATE ON {table} {TRANSITION_TABLES['UPDATE']} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION offices_stamp_from_terms('{link}', '{column}')"
    for table, (link, column) in TERM_LINKS.items()
]


def public(row):
    """Whether row of offices_office is on the public site (OfficeQuerySet.published)."""
    return (
        f"({row}.status = 'published' AND {row}.deleted_at IS NULL "
        f"AND {row}.draft_of_id IS NULL)"
    )


RECORD_REMOVAL = """
ON CONFLICT (office_id) DO UPDATE
SET slug = excluded.slug, removed_at = excluded.removed_at
"""

REMOVALS = f"""
CREATE FUNCTION offices_office_removals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM offices_officeremoval WHERE office_id IN (
            SELECT n.id FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
            WHERE NOT {public("o")} AND {public("n")}
        );
        INSERT INTO offices_officeremoval (office_id, slug, removed_at)
        SELECT o.id, o.slug, clock_timestamp()
        FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
        WHERE {public("o")} AND NOT {public("n")}
        {RECORD_REMOVAL};
    ELSE
        INSERT INTO offices_officeremoval (office_id, slug, removed_at)
        SELECT o.id, o.slug, clock_timestamp() FROM old_rows AS o
        WHERE {public("o")}
        {RECORD_REMOVAL};
    END IF;
    RETURN NULL;
END
$$;
"""
REMOVALS_TRIGGERS = [
    f"CREATE TRIGGER offices_office_removals_{event.lower()} "
    f"AFTER {event} ON offices_office {TRANSITION_TABLES[event]} "
    "FOR EACH STATEMENT EXECUTE FUNCTION offices_office_removals()"
    for event in ("UPDATE", "DELETE")
]

DROP = [
    "DROP TRIGGER offices_office_removals_update ON offices_office",
    "DROP TRIGGER offices_office_removals_delete ON offices_office",
    *(
        f"DROP TRIGGER {table}_stamp_office_{event.lower()} ON {table}"
        for table in OFFICE_ROWS
        for event in TRANSITION_TABLES
    ),
    *(f"DROP TRIGGER {table}_stamp_offices ON {table}" for table in TERM_LINKS),
    "DROP TRIGGER offices_office_stamp ON offices_office",
    "DROP FUNCTION offices_office_removals()",
    "DROP FUNCTION offices_stamp_from_terms()",
    "DROP FUNCTION offices_stamp_from_rows()",
    "DROP FUNCTION offices_office_stamp()",
    "DROP FUNCTION offices_stamp_offices(bigint[])",
]


class Migration(migrations.Migration):
    dependencies = [
        ("mandates", "0011_unaccent"),
        # After 0015's normalisation of the stored text, which must move no
        # office's updated_at.
        ("offices", "0016_reader_order"),
    ]

    operations = [
        migrations.CreateModel(
            name="OfficeRemoval",
            fields=[
                (
                    "office_id",
                    models.BigIntegerField(
                        editable=False,
                        primary_key=True,
                        serialize=False,
                        verbose_name="office id",
                    ),
                ),
                (
                    "slug",
                    models.SlugField(
                        db_index=False,
                        editable=False,
                        max_length=100,
                        verbose_name="slug",
                    ),
                ),
                (
                    "removed_at",
                    models.DateTimeField(editable=False, verbose_name="removed at"),
                ),
            ],
            options={
                "verbose_name": "office removal",
                "verbose_name_plural": "office removals",
                "ordering": ["removed_at", "office_id"],
                "indexes": [
                    models.Index(
                        fields=["removed_at"], name="officeremoval_removed_at"
                    ),
                    models.Index(fields=["slug"], name="officeremoval_slug"),
                ],
            },
        ),
        migrations.RunSQL(
            [
                STAMP_OFFICES,
                OFFICE_ROW,
                OFFICE_ROW_TRIGGER,
                FROM_ROWS,
                *FROM_ROWS_TRIGGERS,
                FROM_TERMS,
                *FROM_TERMS_TRIGGERS,
                REMOVALS,
                *REMOVALS_TRIGGERS,
            ],
            reverse_sql=DROP,
        ),
    ]

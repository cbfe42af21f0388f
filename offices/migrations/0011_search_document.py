"""Search from indexes: stored, GIN-indexed vectors and trigram indexes.

Each office's vector lives in offices_searchdocument and is kept by the
database: triggers on the office, its field offices and its mandates
recompute it on every change, however it is made (the admin, the editorial
functions, a bulk update, raw SQL). It is the vector OfficeQuerySet.search()
used to compute per row per request, and must stay that: the same
configuration as SEARCH_CONFIG, the same texts and weights.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

REFRESH_FUNCTION = """
CREATE FUNCTION offices_search_refresh(office_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- Wait for another transaction refreshing the same offices, so that the
    -- statement below (a new snapshot) sees its rows: two editors adding a
    -- field office each at once both end up in the vector.
    PERFORM 1 FROM offices_searchdocument
    WHERE office_id = ANY (office_ids)
    ORDER BY office_id
    FOR UPDATE;

    INSERT INTO offices_searchdocument (office_id, vector)
    SELECT
        office.id,
        setweight(
            to_tsvector(
                'english'::regconfig,
                COALESCE(office.name, '') || ' ' || COALESCE(office.country, '')
            ),
            'A'
        )
        || setweight(
            to_tsvector(
                'english'::regconfig,
                COALESCE(
                    (
                        SELECT string_agg(
                            field_office.name, ' ' ORDER BY field_office.id
                        )
                        FROM offices_fieldoffice field_office
                        WHERE field_office.office_id = office.id
                    ),
                    ''
                )
                || ' '
                || COALESCE(
                    (
                        SELECT string_agg(mandate.title, ' ' ORDER BY mandate.id)
                        FROM mandates_mandate mandate
                        WHERE mandate.office_id = office.id
                    ),
                    ''
                )
            ),
            'B'
        )
        || setweight(
            to_tsvector('english'::regconfig, COALESCE(office.profile, '')), 'C'
        )
    FROM offices_office office
    WHERE office.id = ANY (office_ids)
    ON CONFLICT (office_id) DO UPDATE SET vector = EXCLUDED.vector;
END
$$
"""

# An office's own changes, row by row: an UPDATE only counts when it changes
# a searched column (Django's save() sets every column).
OFFICE_FUNCTION = """
CREATE FUNCTION offices_office_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM offices_searchdocument WHERE office_id = OLD.id;
    ELSE
        PERFORM offices_search_refresh(ARRAY[NEW.id]);
    END IF;
    RETURN NULL;
END
$$
"""

OFFICE_TRIGGERS = [
    """
CREATE TRIGGER offices_office_search_insert
AFTER INSERT ON offices_office
FOR EACH ROW EXECUTE FUNCTION offices_office_search()
""",
    """
CREATE TRIGGER offices_office_search_update
AFTER UPDATE OF name, country, profile ON offices_office
FOR EACH ROW
WHEN (
    OLD.name IS DISTINCT FROM NEW.name
    OR OLD.country IS DISTINCT FROM NEW.country
    OR OLD.profile IS DISTINCT FROM NEW.profile
)
EXECUTE FUNCTION offices_office_search()
""",
    """
CREATE TRIGGER offices_office_search_delete
AFTER DELETE ON offices_office
FOR EACH ROW EXECUTE FUNCTION offices_office_search()
""",
]

# Field offices and mandates, once per statement: copying an office's twenty
# rows into a draft recomputes its vector once, not twenty times.
RELATED_FUNCTION = """
CREATE FUNCTION offices_search_follow_related() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM offices_search_refresh(ARRAY(SELECT office_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM offices_search_refresh(ARRAY(SELECT office_id FROM old_rows));
    ELSE
        PERFORM offices_search_refresh(
            ARRAY(SELECT office_id FROM old_rows UNION SELECT office_id FROM new_rows)
        );
    END IF;
    RETURN NULL;
END
$$
"""

# PostgreSQL allows transition tables on triggers of one event only.
TRANSITION_TABLES = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
}
RELATED_TABLES = ["offices_fieldoffice", "mandates_mandate"]

RELATED_TRIGGERS = [
    f"""
CREATE TRIGGER {table}_search_{event.lower()}
AFTER {event} ON {table}
REFERENCING {tables}
FOR EACH STATEMENT EXECUTE FUNCTION offices_search_follow_related()
"""
    for table in RELATED_TABLES
    for event, tables in TRANSITION_TABLES.items()
]

FILL = "SELECT offices_search_refresh(ARRAY(SELECT id FROM offices_office))"

DROP = [
    *(
        f"DROP TRIGGER {table}_search_{event.lower()} ON {table}"
        for table in ["offices_office", *RELATED_TABLES]
        for event in TRANSITION_TABLES
    ),
    "DROP FUNCTION offices_search_follow_related()",
    "DROP FUNCTION offices_office_search()",
    "DROP FUNCTION offices_search_refresh(bigint[])",
]


class Migration(migrations.Migration):
    dependencies = [
        # The triggers read mandates_mandate.title.
        ("mandates", "0007_editorial"),
        ("offices", "0010_reminder_failures"),
    ]

    operations = [
        TrigramExtension(),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "office",
                    models.OneToOneField(
                        editable=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="offices.office",
                        verbose_name="office",
                    ),
                ),
                (
                    "vector",
                    django.contrib.postgres.search.SearchVectorField(
                        editable=False, verbose_name="search vector"
                    ),
                ),
            ],
            options={
                "verbose_name": "search document",
                "verbose_name_plural": "search documents",
                "ordering": ["office"],
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(
                        fastupdate=False,
                        fields=["vector"],
                        name="searchdocument_vector",
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="office",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("name"),
                    name="gin_trgm_ops",
                ),
                fastupdate=False,
                name="office_name_trgm",
            ),
        ),
        migrations.AddIndex(
            model_name="office",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("country"),
                    name="gin_trgm_ops",
                ),
                fastupdate=False,
                name="office_country_trgm",
            ),
        ),
        migrations.AddIndex(
            model_name="fieldoffice",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("name"),
                    name="gin_trgm_ops",
                ),
                fastupdate=False,
                name="fieldoffice_name_trgm",
            ),
        ),
        migrations.RunSQL(
            [
                REFRESH_FUNCTION,
                OFFICE_FUNCTION,
                *OFFICE_TRIGGERS,
                RELATED_FUNCTION,
                *RELATED_TRIGGERS,
            ],
            reverse_sql=DROP,
        ),
        migrations.RunSQL([FILL], reverse_sql=migrations.RunSQL.noop),
    ]

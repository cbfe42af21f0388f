"""The content stamp: database triggers version the public content.

Every statement that writes a table a public page shows moves the stamp
(ContentStamp), however it is made; writes anywhere else leave it. The
version the pages are cached and validated by (content_version()) reads it
with one primary-key lookup, whatever the size of the site.
"""

from importlib import import_module

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from offices.models import ContentStamp, Office, content_version
from tests.factories import OfficeFactory

CONTENT_TABLES = import_module("offices.migrations.0014_content_stamp").CONTENT_TABLES


def generation():
    return ContentStamp.objects.get().generation


def write(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.django_db
@pytest.mark.parametrize("table", CONTENT_TABLES)
def test_any_statement_on_a_content_table_moves_the_stamp(table):
    before_version, before = content_version(), generation()

    # Raw SQL that changes no row: the trigger fires all the same.
    write(f"UPDATE {table} SET id = id WHERE false")

    assert generation() == before + 1
    assert content_version().state != before_version.state


# Tables no public page reads: reminders, reviews' records, calendar feeds,
# the audit trail, users, sessions.
ELSEWHERE = {
    "offices_reviewreminder": "id = id",
    "offices_reviewrecord": "id = id",
    "offices_calendarfeed": "id = id",
    "audit_auditentry": "id = id",
    "auth_user": "id = id",
    "django_session": "session_key = session_key",
}


@pytest.mark.django_db
@pytest.mark.parametrize("table", ELSEWHERE)
def test_writes_the_public_never_sees_leave_the_stamp(table):
    before_version, before = content_version(), generation()

    write(f"UPDATE {table} SET {ELSEWHERE[table]}")

    assert generation() == before
    assert content_version().state == before_version.state


@pytest.mark.django_db
def test_a_bulk_update_moves_it_once_and_shows_on_the_page(client):
    OfficeFactory.create_batch(20)
    first = client.get("/en/offices/")
    before = generation()

    # No save(), no signal, no updated_at: only the database knows.
    Office.objects.update(country="Atlantis")

    assert generation() == before + 1
    response = client.get("/en/offices/", headers={"if-none-match": first["ETag"]})
    assert response.status_code == 200
    assert (
        "Atlantis"
        in client.get(Office.objects.first().get_absolute_url()).content.decode()
    )


@pytest.mark.django_db
def test_the_stamp_comes_back_after_a_truncate():
    """A test's flush empties every table, the stamp's too: the next write
    puts it back, at a version no page was stored under before."""
    OfficeFactory()
    before = content_version()
    write("TRUNCATE offices_contentstamp")

    assert content_version().latest is None
    OfficeFactory()

    assert generation() == 1
    assert content_version().state != before.state
    assert content_version().latest >= before.latest


@pytest.mark.django_db
def test_its_time_never_goes_back():
    OfficeFactory()
    stamp = ContentStamp.objects.get()
    future = stamp.changed_at.replace(year=stamp.changed_at.year + 1)
    ContentStamp.objects.update(changed_at=future)

    OfficeFactory()

    assert ContentStamp.objects.get().changed_at == future


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 100])
def test_the_version_reads_no_content_table_at_any_size(count):
    OfficeFactory.create_batch(count)

    with CaptureQueriesContext(connection) as queries:
        content_version()
    [query] = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "offices_contentstamp" in plan
    assert not any(table in plan for table in CONTENT_TABLES)

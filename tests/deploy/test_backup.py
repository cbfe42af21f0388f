"""make backup / make restore: a pg_dump archive of the test database, restored
into a new database on the same server, holds every row.

The suite runs on the embedded server (PostgreSQL 18, its own pg_dump) and on
the service in DATABASE_URL (the system's pg_dump): both paths run here.
"""

import datetime
import io
import os
import re
import stat
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from psycopg import sql
from reversion.models import Revision, Version

from audit.models import AuditEntry
from mandates.models import Mandate
from offices import editorial
from offices.backups import (
    client_program,
    connection_params,
    server_major_version,
)
from offices.models import FieldOffice, Office, ReviewRecord, ReviewReminder
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ReviewRecordFactory,
    ReviewReminderFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    TagFactory,
    ThematicPillarFactory,
    UserFactory,
)

# The dump must see committed rows: pg_dump is another connection.
committed = pytest.mark.django_db(transaction=True)


@pytest.fixture
def params(db):
    """libpq parameters of the test database, as the commands read them."""
    return connection_params()


@pytest.fixture
def clients(params):
    """Skip where this server's pg_dump and pg_restore are not installed."""
    major = server_major_version(params)
    try:
        for name in ("pg_dump", "pg_restore"):
            client_program(name, major)
    except CommandError as error:
        pytest.skip(f"no client programs for the server's version: {error}")


@pytest.fixture
def scratch_db(params):
    """A new, empty database on the same server, dropped afterwards."""
    name = f"hrprofile_restore_{uuid.uuid4().hex[:8]}"
    admin = {**params, "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


@pytest.fixture
def content(transactional_db):
    """Offices with every kind of row: versions, audit, reviews, reminders."""
    editor = UserFactory(username="editor")
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        status=Office.Status.DRAFT,
        reviewers=[editor],
        pillars=[ThematicPillarFactory()],
        shifts=[ShiftFactory()],
        spotlight_populations=[SpotlightPopulationFactory()],
        tags=[TagFactory()],
    )
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    FieldOfficeFactory(office=office, name="Erbil")
    MandateFactory(office=office)
    office = editorial.publish(office, by=editor)
    draft = editorial.start_draft(office, by=editor)
    Office.objects.filter(pk=draft.pk).update(profile="Revised text.")
    editorial.publish(Office.objects.get(pk=draft.pk), by=editor)
    ReviewRecordFactory(office=office, reviewed_by=editor)
    ReviewReminderFactory(office=office, email=editor.email)
    OfficeFactory(slug="libya", status=Office.Status.PUBLISHED)
    return office


@pytest.fixture
def archive(content, clients, tmp_path):
    call_command("backup_database", directory=tmp_path, verbosity=0)
    [path] = tmp_path.glob("*.dump")
    return path


def rows_by_table(params, dbname):
    """Every row of every table, in a stable order (pg_dump copies no order)."""
    with psycopg.connect(**{**params, "dbname": dbname}) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ]
        return {
            table: sorted(
                conn.execute(
                    sql.SQL("SELECT * FROM {}").format(sql.Identifier(table))
                ).fetchall(),
                key=repr,
            )
            for table in tables
        }


def sequence_values(params, dbname):
    with psycopg.connect(**{**params, "dbname": dbname}) as conn:
        return conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences ORDER BY 1"
        ).fetchall()


@committed
def test_the_test_content_covers_what_a_backup_must_keep(content):
    for model in (Office, FieldOffice, Mandate, ReviewRecord, ReviewReminder):
        assert model.objects.exists(), model
    assert Office.tags.through.objects.exists()
    assert Version.objects.count() >= 2
    assert Revision.objects.count() >= 2
    assert AuditEntry.objects.exists()


@committed
def test_restore_into_an_empty_database_brings_back_every_row(
    params, archive, scratch_db
):
    output = io.StringIO()
    call_command("restore_database", archive, dbname=scratch_db, stdout=output)

    assert output.getvalue().startswith(
        f'Restored {archive} into the database "{scratch_db}" on '
    )
    source = rows_by_table(params, params["dbname"])
    restored = rows_by_table(params, scratch_db)
    assert restored.keys() == source.keys()
    for table in (
        Office._meta.db_table,
        FieldOffice._meta.db_table,
        Mandate._meta.db_table,
        Office.tags.through._meta.db_table,
        ReviewRecord._meta.db_table,
        ReviewReminder._meta.db_table,
        Version._meta.db_table,
        Revision._meta.db_table,
        AuditEntry._meta.db_table,
    ):
        assert source[table], table
    for table, rows in source.items():
        assert restored[table] == rows, table


@committed
def test_restored_sequences_continue_after_the_last_row(params, archive, scratch_db):
    call_command("restore_database", archive, dbname=scratch_db, verbosity=0)

    assert sequence_values(params, scratch_db) == sequence_values(
        params, params["dbname"]
    )


@committed
def test_restore_refuses_a_database_with_tables(params, archive, scratch_db):
    call_command("restore_database", archive, dbname=scratch_db, verbosity=0)
    with psycopg.connect(**{**params, "dbname": scratch_db}) as conn:
        conn.execute(f"DELETE FROM {ReviewReminder._meta.db_table}")

    with pytest.raises(CommandError, match=r"is not empty \(\d+ tables: .*--force"):
        call_command("restore_database", archive, dbname=scratch_db, verbosity=0)

    restored = rows_by_table(params, scratch_db)
    assert restored[ReviewReminder._meta.db_table] == []


@committed
def test_force_replaces_the_contents(params, archive, scratch_db):
    call_command("restore_database", archive, dbname=scratch_db, verbosity=0)
    with psycopg.connect(**{**params, "dbname": scratch_db}) as conn:
        conn.execute(f"DELETE FROM {ReviewReminder._meta.db_table}")
        conn.execute(f"UPDATE {Office._meta.db_table} SET name = 'Changed'")

    call_command(
        "restore_database", archive, dbname=scratch_db, force=True, verbosity=0
    )

    assert rows_by_table(params, scratch_db) == rows_by_table(params, params["dbname"])


@committed
def test_backup_is_a_timestamped_archive_only_its_owner_reads(
    content, clients, tmp_path
):
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    call_command("backup_database", directory=tmp_path / "backups", verbosity=0)

    [path] = (tmp_path / "backups").iterdir()
    match = re.fullmatch(r"hrprofile-(\d{8}-\d{6})\.dump", path.name)
    assert match
    written = datetime.datetime.strptime(match[1], "%Y%m%d-%H%M%S").replace(
        tzinfo=datetime.UTC
    )
    assert before <= written <= datetime.datetime.now(datetime.UTC)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@committed
def test_backup_writes_to_var_backups_by_default(content, clients, capsys):
    call_command("backup_database")

    path = settings.BASE_DIR / "var" / "backups"
    [line] = capsys.readouterr().out.splitlines()
    written = path / re.search(r"hrprofile-[\d-]+\.dump", line)[0]
    try:
        assert written.is_file()
        assert "Backed up the database" in line
    finally:
        written.unlink()


def fake_client(directory, name, major):
    """A program that answers --version as an old client would."""
    directory.mkdir(exist_ok=True)
    program = directory / name
    program.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {major}.4'\n")
    program.chmod(0o755)
    return program


@pytest.mark.django_db
def test_no_client_of_the_server_version_is_a_clear_error(params, tmp_path):
    major = server_major_version(params)
    fake_client(tmp_path / "bin", "pg_dump", major - 3)

    with pytest.raises(CommandError) as error:
        call_command("backup_database", bin_dir=tmp_path / "bin", directory=tmp_path)

    assert str(error.value) == (
        f"No pg_dump for PostgreSQL {major} in {tmp_path / 'bin'} "
        f"(found {tmp_path / 'bin' / 'pg_dump'} ({major - 3}))."
    )
    assert not list(tmp_path.glob("*.dump*"))


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_an_archive(clients, tmp_path):
    not_an_archive = tmp_path / "notes.dump"
    not_an_archive.write_text("SELECT 1;\n")

    with pytest.raises(CommandError, match="not a readable pg_dump custom-format"):
        call_command("restore_database", not_an_archive)


@pytest.mark.django_db
def test_restore_explains_an_archive_from_a_newer_pg_dump(clients, tmp_path):
    # The header of a custom-format archive: magic, then format version 1.99.
    future = tmp_path / "future.dump"
    future.write_bytes(b"PGDMP" + bytes([1, 99, 0]) + bytes(64))

    with pytest.raises(CommandError, match="written by a newer pg_dump than"):
        call_command("restore_database", future)


@pytest.mark.django_db
def test_restore_of_a_missing_file_names_it(tmp_path):
    with pytest.raises(CommandError, match=r"No backup file at .*missing\.dump"):
        call_command("restore_database", tmp_path / "missing.dump")


def run_manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_unreachable_database_is_one_line_and_a_failure():
    # Nothing listens on the discard port: the connection fails at once.
    result = run_manage(
        "backup_database", DATABASE_URL="postgres://postgres@127.0.0.1:9/hrprofile"
    )

    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(
        'CommandError: Cannot connect to the database "hrprofile" on 127.0.0.1:9: '
    )
    assert "refused" in line


def test_make_restore_without_file_says_what_it_needs():
    result = subprocess.run(
        ["make", "--no-print-directory", "restore"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert "make restore FILE=var/backups/" in result.stderr

"""Restore a backup_database archive into an empty database.

A database that already has tables is refused unless --force, which replaces
the archive's objects (pg_restore --clean --if-exists). The restore runs in
one transaction: when it fails, the database is left as it was.
"""

from pathlib import Path

import psycopg
from django.core.management.base import BaseCommand, CommandError

from offices.backups import (
    add_connection_arguments,
    client_program,
    connection_params,
    describe,
    first_line,
    run_client,
    server_major_version,
)

# Every table outside PostgreSQL's own schemas: ours, Django's, the
# libraries'. Any of them makes a plain pg_restore fail half-way.
USER_TABLES = """
    SELECT n.nspname, c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p')
      AND n.nspname <> 'information_schema'
      AND n.nspname NOT LIKE 'pg\\_%'
    ORDER BY 1, 2
"""


def user_tables(params):
    try:
        with psycopg.connect(**params) as conn:
            return [
                name if schema == "public" else f"{schema}.{name}"
                for schema, name in conn.execute(USER_TABLES)
            ]
    except psycopg.Error as error:
        raise CommandError(
            f"Cannot connect to the {describe(params)}: {first_line(error)}"
        ) from error


class Command(BaseCommand):
    help = (
        "Restore a backup_database archive into the configured database, which "
        "must be empty; --force replaces what it holds."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A backup_database archive.")
        add_connection_arguments(parser)
        parser.add_argument(
            "--dbname",
            metavar="NAME",
            help=(
                "Restore into this database on the same server instead (it must "
                "exist), e.g. a scratch database for a restore drill."
            ),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even into a database with tables, replacing its contents.",
        )

    def handle(self, *, file, database, bin_dir, dbname, force, verbosity, **options):
        if not file.is_file():
            raise CommandError(f"No backup file at {file}.")
        params = connection_params(database, dbname)
        server_major = server_major_version(params)
        pg_restore = client_program("pg_restore", server_major, bin_dir)
        echo = self.stderr.write if verbosity >= 2 else None

        try:
            run_client(pg_restore, ["--list", str(file)], params)
        except CommandError as error:
            if "unsupported version" in str(error):
                raise CommandError(
                    f"{file} was written by a newer pg_dump than PostgreSQL "
                    f"{server_major}'s pg_restore reads ({error}): restore it on a "
                    "server of the version it came from, or a newer one."
                ) from error
            raise CommandError(
                f"{file} is not a readable pg_dump custom-format archive ({error})."
            ) from error

        tables = user_tables(params)
        if tables and not force:
            shown = ", ".join(tables[:3]) + (", …" if len(tables) > 3 else "")
            raise CommandError(
                f"The {describe(params)} is not empty ({len(tables)} tables: "
                f"{shown}): restore into an empty database, or pass --force "
                "(make restore FORCE=1) to replace its contents."
            )

        run_client(
            pg_restore,
            [
                "--no-password",
                f"--dbname={params['dbname']}",
                # The objects belong to whoever restores them (the app's
                # role), not to the role names of the server dumped.
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                *(["--clean", "--if-exists"] if tables else []),
                *(["--verbose"] if verbosity >= 2 else []),
                str(file),
            ],
            params,
            echo=echo,
        )
        if verbosity:
            self.stdout.write(
                f"Restored {file} into the {describe(params)} "
                f"({len(user_tables(params))} tables, {pg_restore})."
            )

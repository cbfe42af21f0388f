"""Dump the configured database to a pg_dump custom-format archive.

The connection comes from DATABASES (DATABASE_URL, or the embedded server in
local mode), and the pg_dump that runs is one of the server's own major
version: an older pg_dump refuses to dump a newer server, and a newer one
writes archives an older pg_restore cannot read. The helpers are in
offices/backups.py, shared with restore_database.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from offices.backups import (
    add_connection_arguments,
    client_program,
    connection_params,
    describe,
    run_client,
    server_major_version,
)


class Command(BaseCommand):
    help = (
        "Write a pg_dump custom-format archive of the configured database to "
        "var/backups/hrprofile-YYYYmmdd-HHMMSS.dump (UTC). Restore it with "
        "restore_database."
    )

    def add_arguments(self, parser):
        add_connection_arguments(parser)
        parser.add_argument(
            "--directory",
            type=Path,
            default=settings.BASE_DIR / "var" / "backups",
            help="Write the archive here (default: var/backups/).",
        )

    def handle(self, *, database, bin_dir, directory, verbosity, **options):
        params = connection_params(database)
        pg_dump = client_program("pg_dump", server_major_version(params), bin_dir)

        # Archives hold password hashes and unpublished drafts.
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        target = directory / f"hrprofile-{stamp}.dump"
        partial = directory / f".{target.name}.partial"
        if target.exists():
            raise CommandError(f"{target} already exists: try again in a second.")
        try:
            os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except OSError as error:
            raise CommandError(f"Cannot write to {directory}: {error}") from error
        try:
            run_client(
                pg_dump,
                ["--format=custom", "--no-password", f"--file={partial}"]
                + (["--verbose"] if verbosity >= 2 else []),
                params,
                echo=self.stderr.write if verbosity >= 2 else None,
            )
            # Only a complete archive gets the name restore_database is given.
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)

        if verbosity:
            size = target.stat().st_size
            self.stdout.write(
                f"Backed up the {describe(params)} to {target} "
                f"({size / 1024:.0f} KiB, {pg_dump})."
            )

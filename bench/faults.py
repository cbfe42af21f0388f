"""What readers, editors and operators get when a dependency fails: real times.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hrprofile \\
        .venv/bin/python bench/faults.py [--repeat 3]

DATABASE_URL names a server on loopback or a Unix socket, as for
bench/pages.py (the embedded server of var/postgres/ is one). Creates the
database bench_faults_<name> next to it with the 12 demo offices, starts a
redis-server of its own on a free port, a TCP relay in front of PostgreSQL
(tests/servers.py's) and gunicorn as production runs it (one worker,
DATABASE_CONNECT_TIMEOUT=3), then times each answer:

- all up: the pages, for comparison;
- Redis stopped, then frozen (SIGSTOP): every public page, a staff sign-in,
  /readyz; then how long after Redis returns the cache is used again (the
  breaker's window, CACHE_BREAKER_SECONDS, is production's default: 10 s);
- PostgreSQL refused, then silent (the relay accepts and never answers):
  the profile and the index read before (answered from the store), a page
  never read (503), /readyz; then the first answer from the database again.

Each line: the case, the address, the status, the fallback header and the
slowest of --repeat requests in ms. tests/operations/test_faults.py asserts
twice the stated bounds (2 s under a faulted cache, 5 s for a stored page);
this prints the real times. Everything stays on 127.0.0.1; the database is
dropped and the processes stopped at the end.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import database_urls, fill, is_local, manage  # noqa: E402

PAGES = [
    "/en/",
    "/en/offices/",
    "/en/offices/iraq/",
    "/en/offices/?q=Erbil",
    "/en/offices.csv",
    "/en/feed/",
    "/sitemap.xml",
    "/api/v1/offices/",
]
STORED = ["/en/offices/iraq/", "/en/offices/"]
NEVER_STORED = "/en/offices/iraq/?never=stored"
FALLBACK = "X-Hrprofile-Fallback"


def address(server_url):
    """Where the server listens: a Unix socket's path or (host, port)."""
    parts = urlsplit(server_url)
    port = parts.port or 5432
    socket_dir = dict(parse_qsl(parts.query)).get("host", "")
    if socket_dir.startswith("/"):
        return f"{socket_dir}/.s.PGSQL.{port}"
    return (parts.hostname or "127.0.0.1", port)


def through(server_url, name, port):
    """The bench database's URL through the relay at 127.0.0.1:port."""
    parts = urlsplit(server_url.format(name))
    user = quote(parts.username or "postgres")
    auth = f"{user}:{quote(parts.password)}" if parts.password else user
    query = "&".join(
        f"{key}={value}"
        for key, value in parse_qsl(parts.query)
        if key not in {"host", "port"}
    )
    url = f"postgres://{auth}@127.0.0.1:{port}/{name}"
    return f"{url}?{query}" if query else url


class Report:
    def __init__(self, server, repeat):
        self.server = server
        self.repeat = repeat
        print(f"{'case':<22} {'address':<34} {'status':>6} {'fallback':>9} {'ms':>7}")

    def time(self, case, path, *, once=False, **kwargs):
        slowest, answer = 0.0, None
        for _ in range(1 if once else self.repeat):
            started = time.monotonic()
            answer = self.server.get(path, timeout=30, **kwargs)
            slowest = max(slowest, time.monotonic() - started)
        status, headers, body = answer
        fallback = headers.get(FALLBACK, "-")
        print(
            f"{case:<22} {path:<34} {status:>6} {fallback:>9} {slowest * 1000:>7.0f}",
            flush=True,
        )
        return status, headers, body

    def sign_in(self, case):
        from tests.servers import Session

        session = Session(self.server)
        token = session.csrf_token("/admin/login/")
        started = time.monotonic()
        status, headers, _ = session.request(
            "POST",
            "/admin/login/",
            {"username": "nobody", "password": "x", "csrfmiddlewaretoken": token},
        )
        elapsed = (time.monotonic() - started) * 1000
        retry = "retry " + headers.get("Retry-After", "-")
        self.line(case, "POST /admin/login/", status, retry, elapsed)

    def readyz(self, case):
        _, _, body = self.time(case, "/readyz", once=True)
        print(f"{'':<22} {json.loads(body)}")

    def until(self, case, ready):
        """Seconds until ready() holds, polling every 0.2 s (at most 60 s)."""
        started = time.monotonic()
        while not ready() and time.monotonic() - started < 60:
            time.sleep(0.2)
        self.line(case, "", "", "", (time.monotonic() - started) * 1000)

    @staticmethod
    def line(case, path, status, note, milliseconds):
        print(f"{case:<22} {path:<34} {status:>6} {note:>9} {milliseconds:>7.0f}")


def cache_faults(report, redis_server):
    for mode in ["stopped", "frozen"]:
        redis_server.stop() if mode == "stopped" else redis_server.freeze()
        for path in PAGES:
            report.time(f"redis {mode}", path)
        report.sign_in(f"redis {mode}")
        report.readyz(f"redis {mode}")
        if mode == "stopped":
            redis_server.start()
        else:
            redis_server.thaw()
        report.until(
            "redis back: cache used",
            lambda: (
                json.loads(report.server.get("/readyz")[2])["checks"]["cache"] == "ok"
            ),
        )


def database_faults(report, relay):
    for path in STORED:
        report.time("all up (stored now)", path, once=True)
    for mode in ["stopped", "silent"]:
        relay.set_mode(mode)
        for path in STORED:
            report.time(f"postgres {mode}", path)
        report.time(f"postgres {mode}", NEVER_STORED, once=True)
        report.readyz(f"postgres {mode}")
        relay.set_mode("forwarding")
        report.until(
            "postgres back: fresh",
            lambda: FALLBACK not in report.server.get(STORED[0])[1],
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="requests per line")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL")
    if not base:
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server (a bench database is made there)."
        )
    server_url, name = database_urls(base)
    name = name.replace("bench_pages_", "bench_faults_")
    if not is_local(server_url):
        sys.exit("DATABASE_URL must name a server on loopback or a Unix socket.")
    # tests/servers.py reads the settings (the checkout's directory).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrprofile.settings")
    import django

    django.setup()
    from tests.servers import (
        Gunicorn,
        RedisServer,
        Relay,
        collected_static_root,
        production_env,
    )

    admin_url = server_url.format("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    workdir = Path(tempfile.mkdtemp(prefix="hrprofile-bench-faults-"))
    redis_server = relay = gunicorn = None
    try:
        static_root = collected_static_root()
        direct = production_env(
            DATABASE_URL=server_url.format(name), STATIC_ROOT=str(static_root)
        )
        manage(direct, "migrate", "--noinput", "-v", "0")
        fill(direct, 0, 0)
        redis_server = RedisServer(workdir)
        relay = Relay(address(server_url))
        env = production_env(
            DATABASE_URL=through(server_url, name, relay.port),
            DATABASE_CONNECT_TIMEOUT="3",
            CACHE_URL=redis_server.url,
            STATIC_ROOT=str(static_root),
            BEHIND_PROXY="true",
            SEARCH_RATE_LIMIT=str(10**9),
            API_RATE_LIMIT="1000000/min",
            LOG_LEVEL="WARNING",
        )
        gunicorn = Gunicorn(env, workdir / "gunicorn.log")
        print("gunicorn -c gunicorn.conf.py, 1 sync worker, DATABASE_CONNECT_TIMEOUT=3")
        report = Report(gunicorn, args.repeat)
        for path in PAGES:
            report.time("all up", path)
        cache_faults(report, redis_server)
        database_faults(report, relay)
    finally:
        for process in (gunicorn, redis_server, relay):
            if process is not None:
                process.stop() if hasattr(process, "stop") else process.close()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()

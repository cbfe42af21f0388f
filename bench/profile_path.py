"""Where a request's time goes inside Django, page by page, in one process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hrprofile \
        .venv/bin/python bench/profile_path.py [-n 500] [--top 25] \
        [--cache-url redis://127.0.0.1:6379/15] [--pages bare stored ...] [--keep] \
        [--instructions]

bench/pages.py measures throughput under gunicorn, where a worker's time is
hidden behind the network and the load generator; this calls the WSGI
application itself (as a gunicorn worker does, without the socket), so the
microseconds a request costs are Django's, the middleware's and the view's
alone, and cProfile can say which functions they are spent in.

Settings are bench.settings (hrprofile's, production: HRPROFILE_ENV=production,
DEBUG off) with the JSON request log at INFO, as production writes it (to
/dev/null here), and the cache --cache-url names (a redis:// one gets a key
prefix of its own, deleted at the end). The database bench_profile_<name> is
made next to DATABASE_URL's with the 12 demo offices, and dropped at the end
unless --keep (a later run with --keep reuses it).

For each page it runs -n requests and prints the mean microseconds per
request (wall clock, and this process's CPU time, which the neighbours' load
on a shared machine disturbs less, and which leaves out the database's and
Redis' own time), their ratios to the bare view (the same middleware,
HttpResponse("ok")) and, with --top, cProfile's costliest functions
(cumulative time) over another -n requests. Pages:

- bare: /bench/ok;
- stored: the profile from the page cache; 304: its If-None-Match;
- stored-index: the index from the page cache;
- cold-profile: the profile under a new address each time (rendered);
- cold-index, cold-search: the index and ?q=Erbil under a new address each
  time, with X-Bench-Cold (bench/urls.py): everything rendered.

--instructions counts instead what each page costs in CPU instructions
(valgrind's callgrind; `apt-get install valgrind`): the same for the same code
and data whatever the neighbours do, where timings on a shared machine move
by a fifth. Each page runs in a process of its own under valgrind, twice (after
the same warm-up, then 0 and -n requests): the difference over -n is this
process's instructions per request (the database's and the cache server's
own work is not counted). Slow: a minute or two per page.
"""

import argparse
import cProfile
import gc
import io
import itertools
import logging
import os
import pstats
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import (  # noqa: E402
    DEMO_OFFICES,
    cache_url_with_prefix,
    database_urls,
    delete_redis_keys,
    fill,
    is_local,
    manage,
)

PROFILE = "/en/offices/iraq/"
INDEX = "/en/offices/"
SEARCH = "/en/offices/?q=Erbil"
COLD = {"HTTP_X_BENCH_COLD": "1"}
# collectstatic's output: the pages name the hashed files of its manifest.
STATIC_ROOT = ROOT / "var" / "bench-profile-static"

# label -> (path, extra environ, a new address on every request)
PAGES = {
    "bare": ("/bench/ok", {}, False),
    "stored": (PROFILE, {}, False),
    "304": (PROFILE, "etag", False),
    "stored-index": (INDEX, {}, False),
    "cold-profile": (PROFILE, {}, True),
    "cold-index": (INDEX, COLD, True),
    "cold-search": (SEARCH, COLD, True),
}


def environ_for(path, extra):
    """A WSGI environ as gunicorn builds it for a GET from 127.0.0.1."""
    parts = urlsplit(path)
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_USER_AGENT": "bench/profile_path",
        "HTTP_ACCEPT": "text/html",
        "HTTP_ACCEPT_ENCODING": "gzip",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **extra,
    }


class Caller:
    """Calls the WSGI application as a server would: start_response, then
    the body read and the response closed."""

    def __init__(self, application):
        self.application = application
        self.status = None
        self.headers = None

    def start_response(self, status, headers, exc_info=None):
        self.status, self.headers = status, headers

    def __call__(self, path, extra):
        result = self.application(environ_for(path, extra), self.start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return int(self.status.split()[0]), dict(self.headers), body


def requests_for(caller, label):
    """(path, environ extras) generator for a page, and its expected status."""
    path, extra, unique = PAGES[label]
    expected = 200
    if extra == "etag":
        status, headers, _ = caller(path, {})
        assert status == 200, (label, status)
        extra, expected = {"HTTP_IF_NONE_MATCH": headers["ETag"]}, 304
    counter = itertools.count()
    separator = "&" if "?" in path else "?"

    def next_request():
        if unique:
            return f"{path}{separator}_bench={next(counter)}", extra
        return path, extra

    return next_request, expected


def warmed(caller, label, times=20):
    """requests_for()'s generator, after times requests: the page stored, the
    queries prepared."""
    next_request, expected = requests_for(caller, label)
    for _ in range(times):
        status = caller(*next_request())[0]
        assert status == expected, (label, status)
    return next_request


def measure(caller, label, n, top, sort="cumulative"):
    next_request = warmed(caller, label, min(n, 20))
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        caller(*next_request())
    micros = (time.perf_counter() - started) / n * 1e6
    cpu_micros = (time.process_time() - cpu) / n * 1e6
    stats = None
    if top:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            caller(*next_request())
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(sort).print_stats(top)
        stats = out.getvalue()
    return micros, cpu_micros, stats


def count_instructions(label, n, database_url, cache_url, prefix):
    """Instructions per request of a page, in processes of their own under
    callgrind (see --instructions)."""
    totals = []
    for requests in (0, n):
        result = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--callgrind-out-file=/dev/null",
                sys.executable,
                __file__,
                "--child",
                label,
                str(requests),
                database_url,
                cache_url,
                # Each process its own keys: the second must not find the
                # pages the first stored (their addresses are the same).
                f"{prefix}:{requests}" if prefix else "",
            ],
            capture_output=True,
            text=True,
        )
        found = re.search(r"Collected : (\d+)", result.stderr)
        if result.returncode or not found:
            sys.exit(f"valgrind failed on {label}:\n{result.stderr[-3000:]}")
        totals.append(int(found.group(1)))
    return (totals[1] - totals[0]) / n


def child(label, n, database_url, cache_url, prefix):
    """--instructions' process: the warm-up, then n requests of a page."""
    caller = Caller(setup_django(database_url, cache_url, prefix or None))
    next_request = warmed(caller, label)
    for _ in range(n):
        caller(*next_request())


def setup_django(database_url, cache_url, key_prefix=None):
    os.environ |= {
        "HRPROFILE_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": "bench-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "EMAIL_URL": "locmem://",
        "STATIC_ROOT": str(STATIC_ROOT),
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "SEARCH_RATE_LIMIT": str(10**9),
    }
    for name in ("DEBUG", "SENTRY_DSN"):
        os.environ.pop(name, None)
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    # django-environ puts a URL's key_prefix where Django's RedisCache does
    # not read it: set here, before the cache is first used.
    if key_prefix:
        settings.CACHES["default"]["KEY_PREFIX"] = key_prefix

    application = get_wsgi_application()
    # As gunicorn.conf.py's post_worker_init does in each worker.
    gc.collect()
    gc.freeze()
    # Production's log lines, written where nobody reads them.
    devnull = open(os.devnull, "w")  # noqa: SIM115 (open for the whole run)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)
    return application


def main():
    if sys.argv[1:2] == ["--child"]:
        label, n, database_url, cache_url, prefix = sys.argv[2:]
        return child(label, int(n), database_url, cache_url, prefix)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500, help="requests per page")
    parser.add_argument("--top", type=int, default=0, help="cProfile lines per page")
    parser.add_argument(
        "--pages", nargs="+", choices=list(PAGES), default=list(PAGES), metavar="PAGE"
    )
    parser.add_argument(
        "--sort", default="cumulative", help="cProfile's order: cumulative, tottime"
    )
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions per request under valgrind instead of timing",
    )
    args = parser.parse_args()
    if args.instructions and not shutil.which("valgrind"):
        sys.exit("--instructions needs valgrind: apt-get install valgrind")

    base = os.environ.get("DATABASE_URL")
    if not base:
        sys.exit("Set DATABASE_URL to a PostgreSQL server on loopback.")
    server, name = database_urls(base)
    name = name.replace("bench_pages_", "bench_profile_")
    if not is_local(server):
        sys.exit("DATABASE_URL must name a server on loopback.")
    admin_url = server.format("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not (exists and args.keep):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
            exists = None
    run_id = uuid.uuid4().hex[:8]
    cache_url, prefix = cache_url_with_prefix(args.cache_url, run_id)
    cache_url = cache_url.split("?", 1)[0]
    database_url = server.format(name)
    env = os.environ | {
        "HRPROFILE_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": "bench-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CACHE_URL": "locmemcache://",
        "EMAIL_URL": "locmem://",
        "STATIC_ROOT": str(STATIC_ROOT),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DEBUG", None)
    try:
        if not exists:
            manage(env, "migrate", "--noinput", "-v", "0")
            assert fill(env, 0, 0) == DEMO_OFFICES
        if not (exists and (STATIC_ROOT / "staticfiles.json").is_file()):
            manage(env, "collectstatic", "--noinput", "-v", "0")
        if args.instructions:
            print(f"{'page':14} {'instructions/request':>21}")
            for label in args.pages:
                counted = count_instructions(
                    label, args.n, database_url, cache_url, prefix
                )
                print(f"{label:14} {counted:21,.0f}", flush=True)
            return
        caller = Caller(setup_django(database_url, cache_url, prefix))
        results = {}
        for label in args.pages:
            micros, cpu_micros, stats = measure(
                caller, label, args.n, args.top, args.sort
            )
            results[label] = micros, cpu_micros
            if stats:
                print(f"=== {label}: {micros:.0f} µs/request\n{stats}", flush=True)
        bare = results.get("bare")
        print(f"{'page':14} {'µs/request':>10} {'ratio':>6} {'CPU µs':>8} {'ratio':>6}")
        for label, (micros, cpu_micros) in results.items():
            ratios = ("", "")
            if bare:
                ratios = (f"{bare[0] / micros:6.3f}", f"{bare[1] / cpu_micros:6.3f}")
            print(f"{label:14} {micros:10.0f} {ratios[0]:>6}", end=" ")
            print(f"{cpu_micros:8.0f} {ratios[1]:>6}")
    finally:
        from django.conf import settings
        from django.db import connections

        if settings.configured:
            connections.close_all()
        if prefix:
            delete_redis_keys(cache_url, prefix)
        if not args.keep:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()

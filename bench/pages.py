"""Throughput of the public pages under gunicorn, next to two bare views.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hrprofile \
        .venv/bin/python bench/pages.py [--offices 300] [--duration 5] \
        [--connections 16] [--python] [--cache-url redis://127.0.0.1:6379/0] \
        [--nginx] [--pages profile index] [--quick] [--repeat 3] [--log-level INFO]

DATABASE_URL names a server on loopback, or one on a Unix socket
(postgres://postgres@/hrprofile?host=/path/to/socket/dir: the embedded server
of var/postgres/ is one). Creates the database bench_pages_<name> next to
DATABASE_URL's, loads the 12 demo offices, collects static files and starts
gunicorn as production runs it: `gunicorn -c gunicorn.conf.py`
(HRPROFILE_ENV=production, sync workers), with 2 workers, LOG_FORMAT=json,
LOG_LEVEL=INFO (production's default; --log-level to change it) and the
config's access log on stdout, which goes to a file in the temporary folder
(as a journal collects it), on a free port of 127.0.0.1. Its settings are
bench.settings: hrprofile's, with one more URL, /bench/ok, a bare
`HttpResponse("ok")` behind the same middleware. At the end it counts the
JSON lines written (gunicorn's access lines and the app's request lines) next
to the requests wrk counted.

The yardstick, as issue 25 measures, is another bare view: a separate minimal
Django project generated in the temporary folder (bench/bare.py:
`django-admin startproject`, its default middleware plus WhiteNoise after
SecurityMiddleware, DEBUG=False, one view returning `HttpResponse("ok")`; its
SQLite database is never touched), under plain gunicorn (not our
gunicorn.conf.py) with 2 sync workers and no access log, on its own free port.

Then, at 12 offices and again after adding --offices generated ones (5 field
offices, 2 mandates and 3 pillars each), it loads each page for --duration
seconds over --connections connections with wrk, or with a bounded Python
load generator when wrk is missing (or with --python):

- both bare views, first and then after every other load, taking turns in
  going first (each load's ratio to a bare view is to the mean of its loads
  just before and after it);
- each page (profile, index, filtered index, search, term page, feed,
  sitemap) three ways: cached (the same address again and again, after a
  warm-up: the page cache answers), uncached (a new `_bench=<n>` query
  parameter on every request: the page cache's key holds the whole address,
  so each one is rendered) and 304 (If-None-Match with the ETag of a first
  answer);
- every page but the profile a fourth way: cold. Uncached, these render
  only the page around what grows with the site, which is stored apart by
  what it depends on (the index's search and results by what the form asks,
  a term page's offices by the term, the sitemap and feed whole); a cold
  load (uncached, and X-Bench-Cold, which bench/urls.py honours) renders
  that too, as the first reader after an edit does.

With --nginx, the profile and the index (of those in --pages) are loaded once
more, stored, through nginx's edge cache (deploy/nginx/'s include files,
Debian's nginx started on a free port, the store in a temporary folder;
bench/edge.py), next to the bare views as every other load.
--quick is --duration 2 and only the profile, the index and the search.
--repeat N runs every load N times in rounds; the targets take the median
of each ratio's N values (this machine's rates drift by a fifth from one
run to the next).

It prints requests per second, p50 and p99 latency and the ratio of the
requests per second to each bare view's in the same run: `ratio` to the
separate project's (the issue's), `in-proj` to /bench/ok's. Then a table of
issue 25's targets, each ratio to the separate project's bare view with pass
or FAIL (nginx at least 5x; stored and 304 at least 0.5; the profile
uncached, which is its cold load, at least 0.1; the index cold at 12 offices
at least 0.06; the search cold at least 0.05; the stored index at the larger
size at least 0.75 of its ratio at 12).

SEARCH_RATE_LIMIT is set out of reach so the search limiter never answers.
The cache is the shipped default (local memory, per worker) unless
--cache-url names another (a redis:// one gets a key prefix of its own, and
its keys are deleted at the end). Everything stays on 127.0.0.1, every load
is bounded in time (and the Python one in requests too), and the database and
the temporary folder are removed at the end. On a shared machine, the
neighbours' load moves every figure: the ratios, measured between bare loads,
move less. Speed is measured here only: the test suite asserts query counts,
cache behaviour and how the bare project is made, never timings.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import bare
import edge
import psycopg
from load import request, run_python, run_wrk, with_param

ROOT = Path(__file__).resolve().parent.parent
DEMO_OFFICES = 12

# label -> path; every page a reader can land on.
PAGES = {
    "profile": "/en/offices/iraq/",
    "index": "/en/offices/",
    "index filtered": "/en/offices/?region=mena&pillar=accountability",
    "search": "/en/offices/?q=Erbil",
    "term page": "/en/pillars/accountability/",
    "feed": "/en/feed/",
    "sitemap": "/sitemap.xml",
}
# The bare view inside our project (bench/urls.py), the second yardstick.
BARE = "/bench/ok"
# Each yardstick: the separate project (bench/bare.py), ours.
YARDSTICKS = ("bare", "in-project")
VARIANTS = ("uncached", "cold", "cached", "304")
# The pages loaded through nginx with --nginx.
EDGE_PAGES = ("profile", "index")
# Pages with a part stored apart from the page (hrprofile.pagecache.stored_value).
STORED_CONTENT = set(PAGES) - {"profile"}
COLD = {"X-Bench-Cold": "1"}
QUICK_PAGES = ["profile", "index", "search"]

# Issue 25's measures, each a ratio to the issue's bare view:
# (what, page, variant, at 12 offices only, at least).
TARGETS = [
    ("profile through nginx", "profile", "nginx", False, 5.0),
    ("index through nginx", "index", "nginx", False, 5.0),
    ("profile stored", "profile", "cached", False, 0.5),
    ("index stored", "index", "cached", False, 0.5),
    ("profile 304", "profile", "304", False, 0.5),
    ("index 304", "index", "304", False, 0.5),
    ("profile cold", "profile", "uncached", False, 0.1),
    ("index cold", "index", "cold", True, 0.06),
    ("search cold", "search", "cold", False, 0.05),
]
# The stored index at --offices more keeps this much of its rate at 12.
INDEX_SCALE = 0.75


def database_urls(base_url):
    """(URL of a database on the same server, with {} for its name; the
    bench database's name)."""
    parts = urlsplit(base_url)
    name = parts.path.lstrip("/") or "postgres"
    server = parts._replace(path="/{}").geturl()
    return server, f"bench_pages_{name}"


def is_local(server):
    """Whether the server is on loopback or a Unix socket (a host= path)."""
    parts = urlsplit(server)
    socket_dir = dict(parse_qsl(parts.query)).get("host", "")
    if socket_dir.startswith("/"):
        return True
    return parts.hostname in {"127.0.0.1", "localhost", "::1"}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


# Demo offices first (12), then generated ones numbered from __START__.
FILL = """
from django.db import connection
from mandates.models import Mandate, ThematicPillar
from offices.demo import load_demo
from offices.models import FieldOffice, Office
if not Office.objects.exists():
    load_demo()
pillars = list(ThematicPillar.objects.order_by("position"))
offices = Office.objects.bulk_create(
    Office(name=f"UN Human Rights in Country {i}", slug=f"country-{i}",
           country=f"Country {i}", region=Office.Region.values[i % 5],
           engagement_type=Office.EngagementType.COUNTRY_OFFICE,
           year_established=2000 + i % 20, status=Office.Status.PUBLISHED,
           profile="The office works with civil society.\\n\\nIt monitors rights.")
    for i in range(__START__, __STOP__))
FieldOffice.objects.bulk_create(
    FieldOffice(office=o, name=f"City {o.pk}-{k}", position=k,
                is_head_office=k == 0)
    for o in offices for k in range(5))
Mandate.objects.bulk_create(
    Mandate(office=o, kind=Mandate.Kind.THEMATIC, title=f"Mandate {k}", position=k)
    for o in offices for k in range(2))
Through = Office.pillars.through
Through.objects.bulk_create(
    Through(office=o, thematicpillar=p) for o in offices for p in pillars[:3])
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
print(Office.objects.published().count())
"""


def fill(env, start, stop):
    """Add generated offices start..stop-1 (and the demo ones at first)."""
    code = FILL.replace("__START__", str(start)).replace("__STOP__", str(stop))
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(f"Filling the bench database failed:\n{result.stderr[-3000:]}")
    return int(result.stdout.split()[-1])


class Bench:
    def __init__(self, base, args, run_id, *, bare_base, edge_base=None):
        self.base = base
        self.bare_base = bare_base
        self.edge_base = edge_base
        self.args = args
        self.use_wrk = not args.python and shutil.which("wrk") is not None
        self.run_id = run_id
        # (page, variant, offices) -> [{yardstick: ratio} of each round]
        self.ratios = {}
        # Requests wrk counted at our gunicorn (pages and in-project bare).
        self.app_requests = 0

    def load(self, path, *, unique=False, headers=None, base=None):
        base = base or self.base
        options = {
            "unique": unique,
            "headers": headers or {},
            "duration": self.args.duration,
            "connections": self.args.connections,
            "run_id": self.run_id,
        }
        if self.use_wrk:
            result = run_wrk(base, path, threads=self.args.threads, **options)
        else:
            result = run_python(
                base, path, max_requests=self.args.max_requests, **options
            )
        if base == self.base:
            self.app_requests += result["requests"]
        return result

    def warm(self, path, headers=None, base=None):
        """A few requests first: every worker has the page in its cache."""
        for _ in range(8):
            request(base or self.base, path, headers)

    def measure_size(self, offices):
        """Every page and variant, each load between two loads of each bare view.

        A load's ratio is to the mean of the bare loads just before and just
        after it: on a shared machine the bare view's rate drifts with the
        neighbours' load, and this follows it. The two bare views take turns
        in going first.
        """
        bares = [self.measure_bares()]

        def row(label, variant, result):
            bares.append(self.measure_bares())
            rates = {
                name: (bares[-2][name]["rps"] + bares[-1][name]["rps"]) / 2
                for name in YARDSTICKS
            }
            self.ratios.setdefault((label, variant, offices), []).append(
                {name: result["rps"] / rates[name] for name in YARDSTICKS}
            )
            self.print_row(label, variant, offices, result, rates)

        for round_ in range(self.args.repeat):
            if self.args.repeat > 1:
                print(f"round {round_ + 1} of {self.args.repeat}", flush=True)
            self.measure_round(offices, row)
        for name in YARDSTICKS:
            results = [pair[name] for pair in bares]
            rates = [result["rps"] for result in results]
            summary = {
                "rps": statistics.mean(rates),
                "p50": statistics.median(result["p50"] for result in results),
                "p99": max(result["p99"] for result in results),
                "errors": sum(result["errors"] for result in results),
            }
            self.print_row(
                f"{name} view",
                "-",
                offices,
                summary,
                dict.fromkeys(YARDSTICKS, float("nan")) | {name: summary["rps"]},
                f"mean of {len(rates)} loads, {min(rates):.0f} to {max(rates):.0f} "
                "req/s",
            )

    def measure_round(self, offices, row):
        """Each page and variant once (row() prints it between bare loads)."""
        for label in self.args.pages:
            path = PAGES[label]
            status, headers, _ = request(self.base, path)
            assert status == 200, (path, status)
            etag = headers["ETag"]
            assert etag, path
            conditional = {"If-None-Match": etag}
            status = request(self.base, path, conditional)[0]
            assert status == 304, (path, status, etag)
            status = request(self.base, with_param(path, f"_bench={self.run_id}"))[0]
            assert status == 200, (path, status)
            for variant in VARIANTS:
                if variant == "cold" and label not in STORED_CONTENT:
                    continue
                if variant == "uncached":
                    # A new address (so a new cache key) on every request.
                    result = self.load(path, unique=True)
                elif variant == "cold":
                    result = self.load(path, unique=True, headers=COLD)
                elif variant == "cached":
                    self.warm(path)
                    result = self.load(path)
                else:
                    result = self.load(path, headers=conditional)
                row(label, variant, result)
        for label in EDGE_PAGES if self.edge_base else ():
            if label not in self.args.pages:
                continue
            # Stored by nginx: the same address again and again.
            self.warm(PAGES[label], base=self.edge_base)
            row(label, "nginx", self.load(PAGES[label], base=self.edge_base))

    def measure_bares(self):
        """One load of each bare view, in turns: {yardstick: result}."""
        loads = {
            "bare": lambda: self.measure_bare(self.bare_base, bare.PATH),
            "in-project": lambda: self.measure_bare(self.base, BARE),
        }
        self._flip = not getattr(self, "_flip", True)
        order = YARDSTICKS[::-1] if self._flip else YARDSTICKS
        return {name: loads[name]() for name in order}

    def measure_bare(self, base, path):
        self.warm(path, base=base)
        return self.load(path, base=base)

    @staticmethod
    def print_header():
        print(
            f"{'page':15} {'variant':8} {'offices':>7} {'req/s':>8} "
            f"{'p50 ms':>8} {'p99 ms':>8} {'ratio':>6} {'in-proj':>7}  notes",
            flush=True,
        )

    @staticmethod
    def print_row(label, variant, offices, result, rates, notes=""):
        if result["errors"]:
            notes = f"{result['errors']} errors {notes}".strip()
        ratios = [result["rps"] / rates[name] for name in YARDSTICKS]
        print(
            f"{label:15} {variant:8} {offices:7d} {result['rps']:8.1f} "
            f"{result['p50']:8.1f} {result['p99']:8.1f} "
            f"{ratios[0]:6.3f} {ratios[1]:7.3f}  {notes}".rstrip(),
            flush=True,
        )

    def ratio(self, label, variant, offices):
        """{yardstick: the median of the rounds' ratios}, or None."""
        rounds = self.ratios.get((label, variant, offices))
        if not rounds:
            return None
        return {
            name: statistics.median(ratios[name] for ratios in rounds)
            for name in YARDSTICKS
        }

    def print_targets(self, sizes):
        """Issue 25's measures against this run's ratios to its bare view (the
        median of the rounds' with --repeat)."""
        print("\nissue 25's targets (ratios to the bare view of bench/bare.py):")
        print(f"{'measure':24} {'offices':>7} {'ratio':>7} {'target':>8}  result")
        failures = checked = 0

        def check(what, offices, value, target):
            nonlocal failures, checked
            checked += 1
            failures += value < target
            print(
                f"{what:24} {offices:>7} {value:7.3f} {'>= ' + str(target):>8}  "
                + ("pass" if value >= target else "FAIL")
            )

        for what, label, variant, small_only, target in TARGETS:
            for offices in sizes[:1] if small_only else sizes:
                ratio = self.ratio(label, variant, offices)
                if ratio is None:
                    print(
                        f"{what:24} {offices:>7} {'-':>7} {'>= ' + str(target):>8}"
                        "  not measured"
                    )
                else:
                    check(what, offices, ratio["bare"], target)
        small, large = (self.ratio("index", "cached", n) for n in sizes)
        if small and large:
            check(
                f"index stored {sizes[1]} / {sizes[0]}",
                "-",
                large["bare"] / small["bare"],
                INDEX_SCALE,
            )
        print(f"{checked - failures} of {checked} pass", flush=True)
        return failures


def wait_for(process, base_url, path, log_path):
    """Until gunicorn answers path (20 s at most)."""
    for _ in range(200):
        try:
            if request(base_url, path)[0] == 200:
                return
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped: " + log_path.read_text()[-2000:])
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer {path} in 20 s")


def count_log_lines(path):
    """{logger name or "other" or "not JSON": lines} of a JSON log."""
    counts = dict.fromkeys(["gunicorn.access", "hrprofile.request", "other"], 0)
    counts["not JSON"] = 0
    with path.open() as lines:
        for line in lines:
            try:
                logger = json.loads(line).get("logger")
            except (ValueError, AttributeError):
                counts["not JSON"] += 1
                continue
            counts[logger if logger in counts else "other"] += 1
    return counts


def cache_url_with_prefix(url, run_id):
    """A redis:// URL with this run's key prefix (to delete its keys after)."""
    if not url.startswith(("redis://", "rediss://")):
        return url, None
    prefix = f"bench-pages-{run_id}"
    return with_param(url, f"key_prefix={prefix}"), prefix


def delete_redis_keys(url, prefix):
    import redis

    client = redis.Redis.from_url(url.split("?", 1)[0])
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])
    return len(keys)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--offices", type=int, default=300, help="offices added to the 12 demo ones"
    )
    parser.add_argument("--duration", type=int, default=5, help="seconds per load")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"--duration 2 and only {', '.join(QUICK_PAGES)}",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds of every load; the targets take each ratio's median",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--python", action="store_true", help="the Python load generator, not wrk"
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=20000,
        help="the Python load generator's bound per load",
    )
    parser.add_argument(
        "--pages",
        nargs="+",
        choices=list(PAGES),
        default=list(PAGES),
        metavar="PAGE",
        help=f"pages to measure (default: all of {', '.join(map(repr, PAGES))})",
    )
    parser.add_argument(
        "--nginx",
        action="store_true",
        help="also load the profile and the index through nginx's edge cache",
    )
    parser.add_argument(
        "--cache-url",
        default="locmemcache://",
        help="CACHE_URL (default: local memory)",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        help="LOG_LEVEL of our app (default: production's, INFO)",
    )
    args = parser.parse_args()
    if args.quick:
        args.duration = 2
        args.pages = [page for page in args.pages if page in QUICK_PAGES]

    base = os.environ.get("DATABASE_URL")
    if not base:
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server (a bench database is made there)."
        )
    server, name = database_urls(base)
    if not is_local(server):
        host = urlsplit(server).hostname
        sys.exit(f"DATABASE_URL must name a server on loopback, not {host}.")
    admin_url = server.format("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')

    port = free_port()
    bare_port = free_port()
    run_id = uuid.uuid4().hex[:8]
    cache_url, redis_prefix = cache_url_with_prefix(args.cache_url, run_id)
    workdir = Path(tempfile.mkdtemp(prefix="hrprofile-bench-pages-"))
    static_root = workdir / "static"
    log_path = workdir / "gunicorn.log"
    bare_log_path = workdir / "bare-gunicorn.log"
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing from this shell's own configuration leaks into the server.
        if key
        not in {
            "DEBUG",
            "SENTRY_DSN",
            "WEB_CONCURRENCY",
            "GUNICORN_BIND",
            "GUNICORN_CONTROL_SOCKET",
            "GUNICORN_CMD_ARGS",
            "PORT",
        }
    }
    env |= {
        "HRPROFILE_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "SECRET_KEY": "bench-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": server.format(name),
        "CACHE_URL": cache_url,
        "EMAIL_URL": "locmem://",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": args.log_level,
        "LOG_FORMAT": "json",
        # The search limiter must never answer the bench.
        "SEARCH_RATE_LIMIT": str(10**9),
    }
    nginx = edge.find_nginx() if args.nginx else None
    if args.nginx and nginx is None:
        sys.exit("--nginx needs nginx (apt-get install nginx-light).")
    gunicorn = bare_gunicorn = proxy = None
    log = log_path.open("w")
    bare_log = bare_log_path.open("w")
    try:
        bare_env = bare.environment(os.environ)
        project = bare.make(workdir, env=bare_env)
        bare_gunicorn = bare.start(
            project, port=bare_port, env=bare_env, stdout=bare_log
        )
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        demo = fill(env, 0, 0)
        assert demo == DEMO_OFFICES, demo
        gunicorn = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base_url = f"http://127.0.0.1:{port}"
        bare_url = f"http://127.0.0.1:{bare_port}"
        wait_for(gunicorn, base_url, BARE, log_path)
        wait_for(bare_gunicorn, bare_url, bare.PATH, bare_log_path)

        edge_base = None
        if nginx:
            edge_port = free_port()
            proxy = edge.start(
                workdir / "nginx", port=edge_port, app_port=port, nginx=nginx
            )
            edge_base = f"http://127.0.0.1:{edge_port}"
        bench = Bench(base_url, args, run_id, bare_base=bare_url, edge_base=edge_base)
        print(
            "ratio: to the bare view of a separate startproject (bench/bare.py; "
            "plain gunicorn, 2 sync workers, no access log); in-proj: to /bench/ok "
            "behind our middleware",
            flush=True,
        )
        print(
            "gunicorn -c gunicorn.conf.py, 2 sync workers, LOG_FORMAT=json, "
            f"LOG_LEVEL={args.log_level}, access log on stdout to a file, "
            f"cache {args.cache_url}; "
            + (
                f"wrk, {args.threads} threads, {args.connections} connections, "
                if bench.use_wrk
                else f"Python load generator, {args.connections} threads, "
                f"at most {args.max_requests} requests, "
            )
            + f"{args.duration} s per line"
            + ("; nginx's edge cache in front" if nginx else ""),
            flush=True,
        )
        bench.print_header()
        bench.measure_size(DEMO_OFFICES)
        total = fill(env, 0, args.offices)
        bench.measure_size(total)
        bench.print_targets([DEMO_OFFICES, total])

        log.flush()
        counts = count_log_lines(log_path)
        print(
            f"\nour gunicorn's log: {counts['gunicorn.access']} access lines "
            f"(gunicorn.access), {counts['hrprofile.request']} request lines "
            f"(hrprofile.request), {counts['other']} other JSON lines, "
            f"{counts['not JSON']} not JSON; wrk counted {bench.app_requests} "
            "requests to it",
            flush=True,
        )
        if counts["gunicorn.access"] < bench.app_requests:
            print("The access log missed requests: the run measured without it.")
    finally:
        if proxy:
            proxy.terminate()
            proxy.wait(10)
        for process in (gunicorn, bare_gunicorn):
            if process:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(30)
        log.close()
        bare_log.close()
        shutil.rmtree(workdir, ignore_errors=True)
        if redis_prefix:
            delete_redis_keys(cache_url, redis_prefix)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()

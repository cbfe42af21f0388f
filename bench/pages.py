"""Throughput of the public pages under gunicorn, in a throwaway database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hrprofile \
        .venv/bin/python bench/pages.py [--offices 200] [--requests 1000]

Creates the database bench_pages_<name> next to DATABASE_URL's, fills it with
--offices published offices (5 field offices, 2 mandates and the demo
vocabulary each), collects static files, starts gunicorn in production mode on
127.0.0.1 (2 workers), then fetches the index, a search, a profile and a term
page --requests times each from 4 client threads and prints requests per
second and latency percentiles. Everything stays on loopback, the loops are
bounded, and the database is dropped at the end.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
CLIENT_THREADS = 4


def database_urls(base_url):
    name = base_url.rsplit("/", 1)[1] or "postgres"
    bench_name = f"bench_pages_{name}"
    return base_url.rsplit("/", 1)[0], bench_name


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


FILL = """
from mandates.models import Mandate, ThematicPillar, Shift, SpotlightPopulation
from offices.demo import load_demo
from offices.models import FieldOffice, Office
load_demo()
pillars = list(ThematicPillar.objects.all())
offices = Office.objects.bulk_create(
    Office(name=f"UN Human Rights in Country {i}", slug=f"country-{i}",
           country=f"Country {i}", region=Office.Region.values[i % 5],
           engagement_type=Office.EngagementType.COUNTRY_OFFICE,
           year_established=2000 + i % 20, status=Office.Status.PUBLISHED,
           profile="The office works with civil society.\\n\\nIt monitors rights.")
    for i in range(__OFFICES__))
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
"""


def fetch(url):
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read()
        assert response.status == 200, (url, response.status)
    return time.perf_counter() - started


def measure(url, count):
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        fetch(url)  # warm up caches and connections
        started = time.perf_counter()
        latencies = sorted(pool.map(fetch, [url] * count))
        elapsed = time.perf_counter() - started
    return {
        "rps": count / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=200)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL")
    if not base:
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server (a bench database is made there)."
        )
    server, name = database_urls(base)
    admin_url = f"{server}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    port = free_port()
    static_root = tempfile.mkdtemp(prefix="hrprofile-bench-static-")
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"{server}/{name}",
        "EMAIL_URL": "locmem://",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = None
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        manage(env, "shell", "-c", FILL.replace("__OFFICES__", str(args.offices)))
        gunicorn = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "hrprofile.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
                # gunicorn.conf.py logs every request to stdout: not here.
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env=env,
        )
        base_url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                fetch(f"{base_url}/en/offices/")
                break
            except OSError:
                time.sleep(0.1)
        pages = {
            "index": "/en/offices/",
            "search": "/en/offices/?q=Erbil",
            "filtered": "/en/offices/?region=mena&pillar=accountability",
            "profile": "/en/offices/iraq/",
            "pillar": "/en/pillars/accountability/",
        }
        print(
            f"{args.offices + 12} offices, {args.requests} requests per page, "
            f"{CLIENT_THREADS} client threads, gunicorn 2 workers"
        )
        for label, path in pages.items():
            result = measure(base_url + path, args.requests)
            print(
                f"{label:>9}: {result['rps']:7.1f} req/s  "
                f"p50 {result['p50']:6.1f} ms  p95 {result['p95']:6.1f} ms"
            )
    finally:
        if gunicorn:
            gunicorn.terminate()
            gunicorn.wait(10)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()

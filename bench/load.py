"""Load generators for bench/pages.py: wrk, or a bounded Python one when wrk
is missing, and single requests. Each load returns {"rps", "p50", "p99"
(ms), "requests", "errors"}."""

import http.client
import itertools
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit


def request(base, path, headers=None):
    """One GET: (status, headers, body)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def with_param(path, param):
    return f"{path}{'&' if '?' in path else '?'}{param}"


# Load generators: each returns {"rps", "p50", "p99" (ms), "requests", "errors"}.

WRK_UNIQUE = """
-- A new query string on every request: _bench=<run>-<thread>-<n>.
local threads = 0
function setup(thread)
    threads = threads + 1
    thread:set("tid", threads)
end
counter = 0
function request()
    counter = counter + 1
    local query = "_bench=__RUN__-" .. tid .. "-" .. counter
    return wrk.format(nil, "__PATH__" .. "__SEP__" .. query)
end
"""

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _milliseconds(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * UNITS[unit]


def run_wrk(base, path, *, unique, headers, duration, connections, threads, run_id):
    args = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={duration}s",
        "--timeout=10s",
        "--latency",
    ]
    for name, value in headers.items():
        args += ["--header", f"{name}: {value}"]
    with tempfile.TemporaryDirectory(prefix="bench-pages-wrk-") as folder:
        if unique:
            script = Path(folder) / "unique.lua"
            script.write_text(
                WRK_UNIQUE.replace("__PATH__", path)
                .replace("__SEP__", "&" if "?" in path else "?")
                .replace("__RUN__", run_id)
            )
            args += ["--script", str(script)]
        args.append(base + path)
        out = subprocess.run(
            args, check=True, capture_output=True, text=True, timeout=duration + 60
        ).stdout
    percentiles = dict(re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", out, re.MULTILINE))
    errors = sum(
        int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out)
    )
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    if not percentiles:  # no request answered within wrk's timeout
        print(out, file=sys.stderr)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _milliseconds(percentiles["50"]) if percentiles else float("nan"),
        "p99": _milliseconds(percentiles["99"]) if percentiles else float("nan"),
        "requests": requests,
        "errors": errors + (int(bad.group(1)) if bad else 0),
    }


def run_python(
    base, path, *, unique, headers, duration, connections, max_requests, run_id
):
    """Bounded: `connections` threads, for `duration` s or `max_requests` in all."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies, errors = [], [0]
    deadline = time.perf_counter() + duration
    parts = urlsplit(base)

    def worker():
        mine, failed = [], 0
        while time.perf_counter() < deadline:
            with lock:
                n = next(counter)
            if n >= max_requests:
                break
            target = with_param(path, f"_bench={run_id}-{n}") if unique else path
            started = time.perf_counter()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            try:
                conn.request("GET", target, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
            except OSError:
                failed += 1
            finally:
                conn.close()
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    if not latencies:
        return {"rps": 0.0, "p50": 0.0, "p99": 0.0, "requests": 0, "errors": errors[0]}
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "requests": len(latencies),
        "errors": errors[0],
    }

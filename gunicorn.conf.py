"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py hrprofile.wsgi`.

gunicorn also reads this file by itself when started from the repository root.
Each value can be overridden from the environment, as below, or on the
command line.
"""

import gc
import json
import logging
import os
import sys
import traceback

from gunicorn.glogging import Logger
from pythonjsonlogger.json import JsonFormatter

from hrprofile.health import HEALTH_PATHS
from hrprofile.logs import loggable

# The shipped server is always production: settings.py then ignores the
# checkout's .env (written for local use with DEBUG=true) and refuses DEBUG.
# Set before the app is imported, so the workers inherit it.
os.environ.setdefault("HRPROFILE_ENV", "production")

wsgi_app = "hrprofile.wsgi"

# Loopback only: a TLS-terminating proxy on the same machine is the only
# client. In a container, where the proxy is elsewhere, set
# GUNICORN_BIND=0.0.0.0:8000.
bind = [
    os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
]


def _default_workers():
    # os.process_cpu_count (Python 3.13) counts only the CPUs this process may
    # use, e.g. under taskset; os.cpu_count counts the machine's.
    count = getattr(os, "process_cpu_count", os.cpu_count)() or 1
    # Each worker keeps a database connection (CONN_MAX_AGE): the cap keeps a
    # big machine from exhausting PostgreSQL's max_connections.
    return min(2 * count + 1, 8)


workers = int(os.environ.get("WEB_CONCURRENCY") or _default_workers())


def post_worker_init(worker):
    """The worker has loaded the application: what it made (modules, models,
    settings, URL patterns) lives as long as the worker does. gc.freeze()
    tells the cyclic garbage collector to leave those objects alone: else
    every full collection walks them all again: 8% of the instructions a
    rendered profile costs (bench/profile_path.py --instructions counts them).
    """
    gc.collect()
    gc.freeze()


# A request running longer than this is stuck: the worker is restarted.
timeout = 30
# On stop or reload, requests in flight get this long to finish. It stays
# under the 30 s a Kubernetes pod or systemd's default stop timeout allows.
graceful_timeout = 25
keepalive = 5

# Whether a request came over HTTPS is decided by Django alone, from
# X-Forwarded-Proto only when BEHIND_PROXY=true (settings.py). gunicorn's own
# reading of that header (from 127.0.0.1 by default) would bypass that switch.
secure_scheme_headers = {}

# Logs to stdout/stderr, where systemd's journal or the container runtime
# collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# In production every line on stdout is one JSON object (as the app's own,
# settings.LOGGING), gunicorn's included, unless LOG_FORMAT=text. The access
# line carries the request id the app set or kept (its X-Request-ID). In
# either format it keeps no secret of a path (a calendar token) and escapes
# control characters: a %0A in a path cannot start a forged line.


class RedactingLogger(Logger):
    """gunicorn's logger, with every value of the access line made loggable
    (hrprofile.logs.loggable): the path, the request line, the headers."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            name: loggable(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }


class JsonLogger(RedactingLogger):
    """gunicorn's own logger, writing JSON lines.

    gunicorn opens the access and error logs where its settings say
    (--access-logfile and --error-logfile on the command line or in
    GUNICORN_CMD_ARGS override this file's "-"); only the format of its lines
    changes here. A logconfig_dict would replace those handlers with its own
    and ignore both options.
    """

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            if cfg.errorlog == "-" and isinstance(handler, logging.StreamHandler):
                # On stdout with every other line, not stderr.
                handler.setStream(sys.stdout)
            handler.setFormatter(
                JsonFormatter(
                    "%(asctime)s %(levelname)s %(name)s %(message)s",
                    rename_fields={
                        "asctime": "time",
                        "levelname": "level",
                        "name": "logger",
                    },
                )
            )
        for handler in self.access_log.handlers:
            # The access line is already JSON (access()).
            handler.setFormatter(logging.Formatter("%(message)s"))

    def access(self, resp, req, environ, request_time):
        """The access line, built from the few values it holds.

        gunicorn's own access() gathers every atom (the whole WSGI environ
        and every header, each made loggable and escaped): about a tenth of
        what a stored page costs. Load balancers' health probes, every few
        seconds, are noise at INFO: left out.
        """
        if not self.access_log_enabled:
            return
        path = environ.get("PATH_INFO", "")
        if path in HEALTH_PATHS:
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        method = environ.get("REQUEST_METHOD", "-")
        request_id = "-"
        for name, value in resp.headers:
            if name.lower() == "x-request-id":
                request_id = value
        line = {
            "time": self.now(),
            "level": "INFO",
            "logger": "gunicorn.access",
            "message": loggable(
                f"{method} {environ.get('RAW_URI', '')} "
                f"{environ.get('SERVER_PROTOCOL', '')}"
            ),
            "request_id": loggable(request_id),
            "method": loggable(method),
            "path": loggable(path),
            "status": int(status),
            "duration_ms": request_time.seconds * 1000
            + request_time.microseconds // 1000,
            "bytes": "-" if resp.sent is None else str(resp.sent),
        }
        try:
            self.access_log.info("%s", json.dumps(line))
        except Exception:
            self.error(traceback.format_exc())


logger_class = RedactingLogger
if os.environ.get("LOG_FORMAT", "json") == "json":
    logger_class = JsonLogger

# gunicorn's control socket (for gunicornc) defaults to one path per user,
# $XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl: two instances run
# by one user would take it from each other, and a read-only container cannot
# create it. Off, unless GUNICORN_CONTROL_SOCKET gives this instance its own
# path. Reloads and stops go through signals (HUP, TERM) anyway.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# The workers' heartbeat files: in memory, and writable even when the root
# file system is read-only (containers).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

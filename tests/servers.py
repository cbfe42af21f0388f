"""Real servers for tests that cross a process boundary: gunicorn instances of
this project on 127.0.0.1, a TCP relay in front of PostgreSQL that can
stop, go silent, and come back, and a Redis of the test's own that can stop,
freeze and come back."""

import contextlib
import fcntl
import hashlib
import os
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = settings.BASE_DIR
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


# Debian's nginx, which `make test` installs (check-nginx).
NGINX = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")


def start_nginx(prefix, conf, port):
    """nginx with prefix and the configuration file conf, once it accepts
    connections on port (its output in the failure if it stops instead)."""
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(conf), "-e", "stderr"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return process
        except OSError:
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_address():
    """Where the test database's server listens: a unix socket path or (host, port)."""
    params = connection.settings_dict
    host, port = params["HOST"] or "localhost", int(params["PORT"] or 5432)
    if host.startswith("/"):
        return str(Path(host) / f".s.PGSQL.{port}")
    return (host, port)


def database_url(host="127.0.0.1", port=None):
    """A URL for the test database, through host:port (a relay) if given."""
    params = connection.settings_dict
    user = urllib.parse.quote(params["USER"] or "postgres")
    password = params["PASSWORD"] or ""
    auth = f"{user}:{urllib.parse.quote(password)}" if password else user
    if port is None:
        address = database_address()
        if isinstance(address, str):
            socket_dir = urllib.parse.quote(str(Path(address).parent), safe="")
            return f"postgres://{auth}@/{params['NAME']}?host={socket_dir}"
        host, port = address
    return f"postgres://{auth}@{host}:{port}/{params['NAME']}"


def production_env(**overrides):
    """A production environment for a server in this checkout (the .env, if
    any, is ignored in production)."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "HRPROFILE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_URL": "locmem://",
        "WEB_CONCURRENCY": "1",
        "CONN_MAX_AGE": "60",
        **overrides,
    }


def collectstatic(static_root):
    """The hashed static files a production server needs."""
    env = production_env(
        DATABASE_URL="postgres://nobody@127.0.0.1:9/none", STATIC_ROOT=str(static_root)
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


class Gunicorn:
    """This project under gunicorn.conf.py on 127.0.0.1, one worker."""

    def __init__(self, env, log_path, args=()):
        self.port = free_port()
        self.log_path = log_path
        with log_path.open("w") as log:
            self.process = subprocess.Popen(
                [GUNICORN, "-c", "gunicorn.conf.py", *args, "hrprofile.wsgi"],
                cwd=ROOT,
                env={**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.get("/healthz", wait=30)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path, *, headers=None, wait=0, timeout=15):
        """(status, headers, body) of a GET; retries connecting for `wait` s."""
        request = urllib.request.Request(self.url(path), headers=headers or {})
        deadline = time.monotonic() + wait
        while True:
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    return response.status, response.headers, response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.headers, error.read().decode()
            except OSError:
                assert self.process.poll() is None, self.log_path.read_text()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def log(self):
        return self.log_path.read_text()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


class Relay:
    """A TCP relay to the database that can be stopped, silenced and resumed.

    - forwarding: connections are piped to the database;
    - stopped: nothing listens on the port (a stopped server: refused at once);
    - silent: the port accepts connections and never answers (a host that
      drops packets, as far as the client can tell).
    Changing the mode cuts the connections already open.
    """

    def __init__(self, target):
        self.target = target
        self.port = free_port()
        self.mode = "forwarding"
        self.accepted = 0  # connections accepted so far, in any mode
        self._listener = None
        self._connections = []
        self._lock = threading.Lock()
        self._listen()

    def _listen(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections.append(client)
                self.accepted += 1
                mode = self.mode
            if mode == "forwarding":
                threading.Thread(target=self._pipe, args=(client,), daemon=True).start()
            # silent: keep the socket open and never read or write.

    def _pipe(self, client):
        family = socket.AF_UNIX if isinstance(self.target, str) else socket.AF_INET
        try:
            server = socket.socket(family)
            server.connect(self.target)
        except OSError:
            client.close()
            return
        with self._lock:
            self._connections.append(server)
        sockets = [client, server]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 1)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (server if source is client else client).sendall(data)
        except OSError:
            return
        finally:
            client.close()
            server.close()

    def _cut(self):
        with self._lock:
            for sock in self._connections:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._connections.clear()

    def set_mode(self, mode):
        self._cut()
        if mode == "stopped":
            if self._listener:
                # shutdown() wakes the thread blocked in accept(); close()
                # alone would leave the port listening until it returns.
                with contextlib.suppress(OSError):
                    self._listener.shutdown(socket.SHUT_RDWR)
                self._listener.close()
                self._listener = None
        elif self._listener is None:
            self._listen()
        with self._lock:
            self.mode = mode

    def close(self):
        self.set_mode("stopped")


# A throwaway Redis: nothing written to disk.
NO_DISK = ["--save", "", "--appendonly", "no"]


class RedisServer:
    """A redis-server on a free port of 127.0.0.1, for one test module.

    - stop(): the process ends, nothing listens (connections refused);
    - freeze(): SIGSTOP: the kernel still accepts connections and takes
      commands, and nothing ever answers (a hung server);
    - start() and thaw() bring it back, empty after a stop.
    """

    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.process = None
        self.frozen = False
        self.start()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [
                server,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                *NO_DISK,
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            assert self.process.poll() is None, "redis-server did not start"
            assert time.monotonic() < deadline, "redis-server did not answer"
            time.sleep(0.05)

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), 0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def client(self):
        import redis

        return redis.Redis(port=self.port, socket_timeout=2)

    def freeze(self):
        self.process.send_signal(signal.SIGSTOP)
        self.frozen = True

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)
        self.frozen = False

    def stop(self):
        if self.frozen:
            self.thaw()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    """A signed-in browser, reduced: cookies and CSRF, as the TLS proxy forwards.

    Production cookies are Secure, so a cookie jar would not send them over
    plain HTTP to 127.0.0.1; this keeps them by hand and sends the headers
    our proxy would add (BEHIND_PROXY=true on the server).
    """

    def __init__(self, server):
        self.server = server
        self.cookies = {}
        self.opener = urllib.request.build_opener(_NoRedirects)

    def request(self, method, path, data=None, headers=None):
        origin = f"https://127.0.0.1:{self.server.port}"
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": origin,
            "Referer": origin + path,
            **(headers or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(
            self.server.url(path), data=body, headers=headers, method=method
        )
        try:
            response = self.opener.open(request, timeout=15)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers, response.read().decode()

    def csrf_token(self, path):
        """Visit a form page: the CSRF cookie (and the token to send back)."""
        self.request("GET", path)
        return self.cookies["csrftoken"]

    def post(self, path, data, form_page=None):
        token = self.csrf_token(form_page or path)
        return self.request("POST", path, {**data, "csrfmiddlewaretoken": token})


def static_inputs_digest():
    """What collectstatic's output depends on: the locked packages (the admin's,
    DRF's and the API docs' files), our static/ tree and the settings."""
    digest = hashlib.sha256()
    for name in ["requirements.txt", "hrprofile/settings.py"]:
        digest.update((ROOT / name).read_bytes())
    for path in sorted((ROOT / "static").rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def collected_static_root():
    """collectstatic's output, built once and kept in var/test-static/ for as
    long as its inputs are unchanged: compressing ~1,000 files with Brotli
    costs ~20 s of CPU, and every process-level test wants the same output.
    A lock keeps parallel test workers from building it twice."""
    cache = ROOT / "var" / "test-static"
    cache.mkdir(parents=True, exist_ok=True)
    root = cache / static_inputs_digest()
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "staticfiles.json").exists():
            building = cache / f"building-{os.getpid()}"
            shutil.rmtree(building, ignore_errors=True)
            collectstatic(building)
            for stale in cache.iterdir():
                if stale.is_dir() and stale != building:
                    shutil.rmtree(stale, ignore_errors=True)
            building.rename(root)
    return root

"""Configuration that can't go wrong: the documented production environment
passes Django's deployment checks, and a production process never runs with
DEBUG on, not even next to the .env that `make run` writes for local use.

Every test runs the project's commands in a subprocess, in a copy of the
project that has such a .env, never in the checkout itself.
"""

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.servers import free_port

ROOT = settings.BASE_DIR
PROJECT = ["manage.py", "gunicorn.conf.py", "hrprofile", "offices", "mandates", "audit"]
PROJECT += ["templates", "static", "locale"]
PRODUCTION_ENV_FILE = ROOT / "deploy" / "production.env.example"
# A connection attempt to the discard port fails at once: a command that
# needs no database proves it by succeeding.
NO_DATABASE = "postgres://hrprofile:change-me@127.0.0.1:9/hrprofile"
# As `make install` leaves it: local mode.
LOCAL_DOT_ENV = f"DEBUG=true\nDATABASE_URL={NO_DATABASE}\nALLOWED_HOSTS=local.test\n"
PRINT_SETTINGS = (
    "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)"
)


def read_env_file(path):
    """NAME=value lines, as systemd, kubectl and `set -a; .` read them here."""
    variables = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            variables[name] = value
    return variables


def production_env(**overrides):
    """The documented production environment, with a fresh random key."""
    return read_env_file(PRODUCTION_ENV_FILE) | {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": NO_DATABASE,
        **overrides,
    }


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A copy of the project with the local-mode .env a developer's has."""
    root = tmp_path_factory.mktemp("checkout")
    ignore = shutil.ignore_patterns("__pycache__")
    for name in PROJECT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=ignore)
        else:
            shutil.copy2(source, root / name)
    (root / ".env").write_text(LOCAL_DOT_ENV)
    return root


def run(checkout, *command, env, timeout=120):
    """Run a command in the copy with exactly env (plus PATH and HOME)."""
    return subprocess.run(
        command,
        cwd=checkout,
        env={"PATH": os.environ["PATH"], "HOME": str(checkout), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def manage(checkout, *arguments, env):
    return run(checkout, sys.executable, "manage.py", *arguments, env=env)


# ------------------------------------------------------------ the env file


def test_production_env_example_values_need_no_quoting():
    """systemd strips quotes, kubectl keeps them: so the file has none."""
    lines = [
        line
        for line in PRODUCTION_ENV_FILE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    assert [
        line for line in lines if not re.fullmatch(r"[A-Z_]+=[^\s'\"]*", line)
    ] == []


def test_production_env_example_sets_only_variables_the_project_reads():
    source = (ROOT / "hrprofile" / "settings.py").read_text()
    read = set(re.findall(r'(?:\benv(?:\.\w+)?|required)\(\s*"([A-Z_]+)"', source))
    gunicorn = set(
        re.findall(r"[\"']([A-Z_]+)[\"']", (ROOT / "gunicorn.conf.py").read_text())
    )

    assert set(read_env_file(PRODUCTION_ENV_FILE)) - read - gunicorn == set()


def test_production_env_example_ships_no_secret_key():
    assert read_env_file(PRODUCTION_ENV_FILE)["SECRET_KEY"] == ""


def test_production_env_example_is_production_with_https_and_a_shared_cache():
    variables = read_env_file(PRODUCTION_ENV_FILE)

    assert variables["HRPROFILE_ENV"] == "production"
    assert "DEBUG" not in variables
    assert variables["CACHE_URL"].startswith("redis://")
    assert variables["BEHIND_PROXY"] == "true"
    assert int(variables["SECURE_HSTS_SECONDS"]) >= 31536000


# ------------------------------------------------------------ check --deploy


def test_deploy_checks_pass_in_the_documented_production_environment(checkout):
    result = manage(
        checkout, "check", "--deploy", "--fail-level", "WARNING", env=production_env()
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_checks_fail_without_hsts(checkout):
    """The check above is a real gate: it fails on a missing protection."""
    result = manage(
        checkout,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(SECURE_HSTS_SECONDS="0"),
    )

    assert result.returncode != 0
    assert "security.W004" in result.stderr


# ------------------------------------------------------------ DEBUG


def test_production_ignores_the_checkouts_env_file(checkout):
    """A `make run` in the same checkout cannot switch production to DEBUG."""
    result = manage(
        checkout, "shell", "-v", "0", "-c", PRINT_SETTINGS, env=production_env()
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['profiles.example.org']"


def test_production_refuses_to_start_with_debug(checkout):
    result = manage(
        checkout,
        "shell",
        "-v",
        "0",
        "-c",
        PRINT_SETTINGS,
        env=production_env(DEBUG="true"),
    )

    assert result.returncode != 0
    assert "DEBUG is on with HRPROFILE_ENV=production" in result.stderr
    assert "True" not in result.stdout


def test_local_mode_reads_the_env_file(checkout):
    result = manage(checkout, "shell", "-v", "0", "-c", PRINT_SETTINGS, env={})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True ['local.test']"


def test_unknown_hrprofile_env_is_refused(checkout):
    result = manage(
        checkout,
        "shell",
        "-v",
        "0",
        "-c",
        PRINT_SETTINGS,
        env={"HRPROFILE_ENV": "prod"},
    )

    assert result.returncode != 0
    assert "HRPROFILE_ENV must be local or production" in result.stderr


# ------------------------------------------------------------ entry points

PRINT_MODE = (
    "from django.conf import settings; print(settings.DEBUG, settings.LOCAL_DEV)"
)


@pytest.mark.parametrize("entry_point", ["hrprofile.wsgi", "hrprofile.asgi"])
def test_a_server_without_hrprofile_env_is_production(checkout, entry_point):
    """uwsgi, an ASGI server, gunicorn without our config: no .env, no DEBUG."""
    env = production_env()
    del env["HRPROFILE_ENV"]

    result = run(
        checkout, sys.executable, "-c", f"import {entry_point}; {PRINT_MODE}", env=env
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False False"


@pytest.mark.parametrize("entry_point", ["hrprofile.wsgi", "hrprofile.asgi"])
def test_a_server_with_nothing_but_the_env_file_refuses_to_start(checkout, entry_point):
    """The .env's DEBUG=true is never read: the production values are missing."""
    result = run(
        checkout, sys.executable, "-c", f"import {entry_point}; {PRINT_MODE}", env={}
    )

    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr
    assert "True" not in result.stdout


@pytest.mark.parametrize("entry_point", ["hrprofile.wsgi", "hrprofile.asgi"])
def test_explicit_local_mode_is_the_developers_server(checkout, entry_point):
    result = run(
        checkout,
        sys.executable,
        "-c",
        f"import {entry_point}; {PRINT_MODE}",
        env={"HRPROFILE_ENV": "local"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True True"


def test_developer_tools_read_the_env_file_but_are_not_local_mode(checkout):
    """manage.py (and pytest) without HRPROFILE_ENV: DEBUG from .env, but two-
    step verification is forced unless HRPROFILE_ENV=local says otherwise."""
    unset = manage(checkout, "shell", "-v", "0", "-c", PRINT_MODE, env={})
    local = manage(
        checkout,
        "shell",
        "-v",
        "0",
        "-c",
        PRINT_MODE,
        env={"HRPROFILE_ENV": "local"},
    )

    assert (unset.returncode, local.returncode) == (0, 0), unset.stderr
    assert unset.stdout.strip() == "True False"
    assert local.stdout.strip() == "True True"


def test_make_run_runs_every_command_in_explicit_local_mode():
    """The newcomer's path: ensure_local_superuser, then runserver, both local."""
    result = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    commands = [line for line in result.stdout.splitlines() if "manage.py" in line]

    assert [command.split()[3] for command in commands] == [
        "migrate",
        "load_demo",
        "ensure_local_superuser",
        "runserver",
    ]
    assert all(command.startswith("HRPROFILE_ENV=local ") for command in commands)


def test_gunicorn_started_from_another_directory_runs_without_debug(
    checkout, tmp_path, static_root
):
    """No gunicorn.conf.py there, so nothing sets HRPROFILE_ENV; the checkout's
    .env says DEBUG=true. The branded 404, never Django's debug page."""
    port = free_port()
    env = production_env(ALLOWED_HOSTS="127.0.0.1", STATIC_ROOT=str(static_root))
    del env["HRPROFILE_ENV"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    log_path = tmp_path / "gunicorn.log"
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "--chdir", str(checkout), "--bind", f"127.0.0.1:{port}"]
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [*command, "hrprofile.wsgi"],
            cwd=elsewhere,
            env={"PATH": os.environ["PATH"], "HOME": str(checkout), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        status, _, html = serve_when_ready(server, port, "/en/nothing-here/", log_path)
    finally:
        server.terminate()
        server.wait(30)

    assert status == 404, html
    assert "<h1>Page not found</h1>" in html
    assert "URLconf" not in html


# ------------------------------------------------------------ gunicorn


def gunicorn_config(checkout, env):
    """gunicorn's own reading of gunicorn.conf.py: {name: value}."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    result = run(
        checkout, gunicorn, "-c", "gunicorn.conf.py", "--print-config", env=env
    )
    assert result.returncode == 0, result.stderr
    lines = (line.partition("=") for line in result.stdout.splitlines())
    return {name.strip(): value.strip() for name, _, value in lines}


def test_gunicorn_listens_on_loopback_with_bounded_workers(checkout):
    env = production_env()
    del env["PORT"]

    config = gunicorn_config(checkout, env)

    assert config["bind"] == "['127.0.0.1:8000']"
    cpus = getattr(os, "process_cpu_count", os.cpu_count)() or 1
    assert int(config["workers"]) == min(2 * cpus + 1, 8)
    assert config["timeout"] == "30"
    assert int(config["graceful_timeout"]) < 30
    assert config["accesslog"] == "-"
    assert config["wsgi_app"] == "hrprofile.wsgi"
    assert config["secure_scheme_headers"] == "{}"


def test_gunicorn_takes_port_bind_and_workers_from_the_environment(checkout):
    assert gunicorn_config(checkout, production_env(PORT="9000"))["bind"] == (
        "['127.0.0.1:9000']"
    )
    config = gunicorn_config(
        checkout, production_env(GUNICORN_BIND="0.0.0.0:8080", WEB_CONCURRENCY="3")
    )
    assert config["bind"] == "['0.0.0.0:8080']"
    assert config["workers"] == "3"


def test_readme_production_commands_serve_without_debug(checkout, tmp_path):
    """collectstatic, then `gunicorn -c gunicorn.conf.py hrprofile.wsgi` without
    even exporting HRPROFILE_ENV, next to a DEBUG=true .env: the branded 404,
    never Django's debug page. An unknown page needs no database."""
    port = free_port()
    env = production_env(
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(tmp_path / "staticfiles"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
    )
    collected = manage(checkout, "collectstatic", "--noinput", "-v", "0", env=env)
    assert collected.returncode == 0, collected.stderr
    del env["HRPROFILE_ENV"]
    log_path = tmp_path / "gunicorn.log"
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [gunicorn, "-c", "gunicorn.conf.py", "hrprofile.wsgi"],
            cwd=checkout,
            env={"PATH": os.environ["PATH"], "HOME": str(checkout), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        page = serve_when_ready(server, port, "/en/nothing-here/", log_path)
        stylesheet = serve_when_ready(server, port, "/static/css/site.css", log_path)
    finally:
        server.terminate()
        server.wait(30)

    status, headers, html = page
    assert status == 404, html
    assert "<h1>Page not found</h1>" in html
    assert "URLconf" not in html  # Django's DEBUG page lists the URL patterns
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    status, headers, _ = stylesheet
    assert status == 200
    assert "object-src 'none'" in headers["Content-Security-Policy"]


def serve_when_ready(server, port, path, log_path):
    """The response to path, as the TLS-terminating proxy forwards it."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"}
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()
        except OSError:
            assert server.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "gunicorn did not answer"
            time.sleep(0.2)


def test_deploy_check_warns_about_a_per_process_cache(settings):
    from hrprofile.checks import check_shared_cache

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    assert [w.id for w in check_shared_cache(None)] == ["hrprofile.W001"]

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/1",
        }
    }
    assert check_shared_cache(None) == []


@pytest.mark.parametrize("value", ["", "/"])
def test_an_empty_admin_url_is_refused(value):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hrprofile.settings",
            "HRPROFILE_ENV": "local",
            "DEBUG": "true",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
            "ADMIN_URL": value,
        },
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "ADMIN_URL cannot be empty" in result.stderr

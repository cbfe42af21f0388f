"""The bare view bench/pages.py compares every page with (bench/bare.py): the
separate minimal project issue 25 measured against, as it is generated and
served. The bench's timings themselves are never asserted."""

import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from bench import bare

pytestmark = pytest.mark.process

WHITENOISE = "whitenoise.middleware.WhiteNoiseMiddleware"
# startproject's default middleware (Django's project template).
STARTPROJECT_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

GET = """
import django
from django.test import Client
django.setup()
for host in ("127.0.0.1", "elsewhere.example"):
    response = Client(SERVER_NAME=host).get("/")
    # DEBUG's technical page would name the refused header.
    shown = b"Invalid HTTP_HOST" in response.content
    print(response.status_code, response.content.decode().strip()[:2], shown)
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    env = bare.environment(os.environ)
    return bare.make(tmp_path_factory.mktemp("bench-bare"), env=env), env


def test_settings_are_startprojects_with_whitenoise_and_debug_off(project):
    folder, _ = project
    settings = runpy.run_path(str(folder / bare.NAME / "settings.py"))

    assert settings["DEBUG"] is False
    assert settings["ALLOWED_HOSTS"] == ["127.0.0.1"]
    # Directly after SecurityMiddleware, as WhiteNoise's documentation says;
    # startproject's middleware otherwise as it was.
    assert settings["MIDDLEWARE"] == [
        STARTPROJECT_MIDDLEWARE[0],
        WHITENOISE,
        *STARTPROJECT_MIDDLEWARE[1:],
    ]
    assert (folder / "staticfiles" / "admin").is_dir()


def test_its_one_view_answers_ok_without_a_database(project):
    folder, env = project
    env = env | {"DJANGO_SETTINGS_MODULE": f"{bare.NAME}.settings"}

    out = subprocess.run(
        [sys.executable, "-c", GET],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    # A host outside ALLOWED_HOSTS is refused, with no detail: DEBUG is off.
    assert out.splitlines() == ["200 ok False", "400 <! False"]
    assert not (folder / "db.sqlite3").exists()


def test_environment_drops_hrprofiles_configuration():
    env = bare.environment(
        {
            "PATH": "/usr/bin",
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "HRPROFILE_ENV": "production",
            "GUNICORN_CMD_ARGS": "--workers 9",
            "PYTHONPATH": "/repo",
        }
    )

    assert env == {"PATH": "/usr/bin"}


def test_plain_gunicorn_serves_it_without_an_access_log(project, tmp_path):
    folder, env = project
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log_path = tmp_path / "gunicorn.log"

    with log_path.open("w") as log:
        process = bare.start(folder, port=port, env=env, stdout=log)
        try:
            for _ in range(150):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as answer:
                        body = answer.read()
                    break
                except urllib.error.URLError:
                    assert process.poll() is None, log_path.read_text()
                    time.sleep(0.1)
            else:
                pytest.fail("gunicorn did not answer: " + log_path.read_text())
        finally:
            process.terminate()
            process.wait(30)

    assert body == b"ok"
    output = log_path.read_text()
    # Two sync workers, and no line for the request: no access log, and not
    # hrprofile's gunicorn.conf.py (JSON lines).
    assert output.count("Booting worker") == 2
    assert "Using worker: sync" in output
    assert "GET /" not in output
    assert '"logger"' not in output

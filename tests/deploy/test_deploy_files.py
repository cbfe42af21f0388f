"""The Dockerfile, deploy/compose.yaml and the Kubernetes manifests, read
without docker or a cluster: what they promise docs/deployment.md.

tests/deploy/test_image.py builds and runs the image where docker is
available.
"""

import gc
import os
import re
import runpy
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from gunicorn.config import Config

ROOT = settings.BASE_DIR
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
BUILD_PLACEHOLDERS = {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_URL"}


# The Dockerfile


def dockerfile_stages():
    """[(stage name, [(INSTRUCTION, arguments)])], continuations joined."""
    text = re.sub(r"^\s*#.*\n", "", (ROOT / "Dockerfile").read_text(), flags=re.M)
    text = text.replace("\\\n", " ")
    stages = []
    for line in text.splitlines():
        if not line.strip():
            continue
        instruction, _, arguments = line.strip().partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            name = arguments.split(" AS ")[-1] if " AS " in arguments else ""
            stages.append((name, []))
        if stages:
            stages[-1][1].append((instruction, " ".join(arguments.split())))
    return stages


def instructions(stage, kind):
    return [arguments for instruction, arguments in stage if instruction == kind]


@pytest.fixture(scope="module")
def builder():
    return dict(dockerfile_stages())["builder"]


@pytest.fixture(scope="module")
def runtime():
    return dockerfile_stages()[-1][1]


def test_the_image_is_built_in_two_stages_from_one_python():
    stages = dockerfile_stages()
    header = (ROOT / "Dockerfile").read_text()

    assert [name for name, _ in stages] == ["builder", "runtime"]
    assert "ARG PYTHON_IMAGE=python:3.13-slim" in header
    for _, stage in stages:
        assert instructions(stage, "FROM")[0].startswith("${PYTHON_IMAGE} AS")


def test_the_builder_installs_the_hashed_lock_file(builder):
    [install] = [run for run in instructions(builder, "RUN") if "install" in run]

    assert "COPY requirements.txt /tmp/requirements.txt" in [
        f"COPY {arguments}" for arguments in instructions(builder, "COPY")
    ]
    assert "--require-hashes" in install
    assert "--only-binary=:all: -r /tmp/requirements.txt" in install


def test_static_files_are_collected_at_build_time(builder):
    [collect] = [run for run in instructions(builder, "RUN") if "collectstatic" in run]

    assert "HRPROFILE_ENV=production" in collect
    assert "manage.py collectstatic --noinput" in collect
    # Placeholders for that command only, never configuration of an image.
    for name in BUILD_PLACEHOLDERS:
        assert f"{name}=" in collect


def test_no_placeholder_reaches_the_image_configuration(builder, runtime):
    for stage in (builder, runtime):
        declared = " ".join(instructions(stage, "ENV") + instructions(stage, "ARG"))
        for name in BUILD_PLACEHOLDERS:
            assert name not in declared


def test_the_runtime_takes_only_the_venv_and_the_application(runtime):
    assert instructions(runtime, "COPY") == [
        "--from=builder /opt/venv /opt/venv",
        "--from=builder /srv/hrprofile /srv/hrprofile",
    ]


def test_the_container_runs_as_a_fixed_non_root_user(runtime):
    [user] = instructions(runtime, "USER")
    [useradd] = [run for run in instructions(runtime, "RUN") if "useradd" in run]

    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) > 0
    assert f"--uid {uid}" in useradd
    assert f"--gid {gid}" in useradd


def test_the_container_serves_gunicorn_on_port_8000(runtime):
    [env] = instructions(runtime, "ENV")

    assert instructions(runtime, "EXPOSE") == ["8000"]
    assert "GUNICORN_BIND=0.0.0.0:8000" in env
    assert "HRPROFILE_ENV=production" in env
    assert instructions(runtime, "CMD") == [
        '["gunicorn", "-c", "gunicorn.conf.py", "hrprofile.wsgi"]'
    ]


def test_the_healthcheck_asks_healthz_with_python(runtime):
    [healthcheck] = instructions(runtime, "HEALTHCHECK")

    assert 'CMD ["python", "-c"' in healthcheck
    assert "urllib.request.urlopen('http://127.0.0.1:8000/healthz'" in healthcheck


def test_the_image_has_labels(runtime):
    [labels] = instructions(runtime, "LABEL")

    assert 'org.opencontainers.image.title="hrprofile"' in labels


def dockerignore_allowed():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line for line in lines if line and not line.startswith("#")]
    return patterns[0], {p[1:].rstrip("/") for p in patterns if p.startswith("!")}


def test_the_build_context_is_an_allow_list():
    first, allowed = dockerignore_allowed()

    assert first == "*"
    assert not allowed & {".env", "var", ".venv", ".git", "tests"}


def test_every_project_app_is_in_the_build_context():
    _, allowed = dockerignore_allowed()
    project_apps = {
        Path(config.path).name
        for config in apps.get_app_configs()
        if Path(config.path).parent == ROOT
    }

    assert project_apps
    assert project_apps <= allowed
    assert {
        "manage.py",
        "gunicorn.conf.py",
        "hrprofile",
        "templates",
        "static",
    } <= allowed


# gunicorn.conf.py


def gunicorn_settings(monkeypatch, **env):
    """The settings gunicorn.conf.py makes, as gunicorn reads the file."""
    # setenv first: monkeypatch then restores the variable's absence, even
    # though the file itself sets HRPROFILE_ENV (os.environ.setdefault).
    for name in ("HRPROFILE_ENV", "GUNICORN_CONTROL_SOCKET"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    namespace = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    known = Config().settings
    return {name: value for name, value in namespace.items() if name in known}


def test_a_worker_freezes_what_it_loaded_for_the_garbage_collector(monkeypatch):
    """gunicorn calls post_worker_init once the worker has loaded the app:
    from then on, full collections leave those objects alone."""
    hook = gunicorn_settings(monkeypatch)["post_worker_init"]
    gc.unfreeze()
    try:
        hook(worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_control_socket_is_off_by_default(monkeypatch):
    config = gunicorn_settings(monkeypatch)

    assert config["control_socket_disable"] is True
    assert "control_socket" not in config


def test_the_control_socket_can_have_a_per_instance_path(monkeypatch):
    config = gunicorn_settings(
        monkeypatch, GUNICORN_CONTROL_SOCKET="/run/hrprofile/web-1.ctl"
    )

    assert config["control_socket"] == "/run/hrprofile/web-1.ctl"
    assert "control_socket_disable" not in config


# deploy/compose.yaml


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


APP_SERVICES = [
    "migrate",
    "app",
    "reminders",
    "scheduled-publishing",
    "housekeeping",
]


def test_compose_runs_postgresql_18_redis_and_a_proxy(services):
    assert services["db"]["image"] == "postgres:18"
    assert services["redis"]["image"].startswith("redis:")
    assert services["proxy"]["image"].startswith("nginx:")
    assert services["app"]["deploy"]["replicas"] == 2


def test_every_app_service_uses_the_one_image(services):
    images = {services[name]["image"] for name in APP_SERVICES}

    assert len(images) == 1
    for name in APP_SERVICES:
        assert services[name]["build"] == {"context": "..", "dockerfile": "Dockerfile"}


def test_the_apps_start_after_the_migrate_job(services):
    assert services["migrate"]["command"] == [
        "python",
        "manage.py",
        "migrate",
        "--noinput",
    ]
    assert services["migrate"]["restart"] == "no"
    assert services["app"]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert services["proxy"]["depends_on"] == {"app": {"condition": "service_healthy"}}


def test_every_long_running_service_has_a_healthcheck(services):
    for name, service in services.items():
        if name == "migrate":
            assert service["healthcheck"] == {"disable": True}
        else:
            assert service["healthcheck"]["test"][0] == "CMD", name


def test_the_apps_healthcheck_asks_healthz_not_readyz(services):
    """A database outage must not mark every app unhealthy (docs/deployment.md)."""
    [command] = services["app"]["healthcheck"]["test"][-1:]

    assert "'http://127.0.0.1:8000/healthz'" in command
    assert "readyz" not in command


def test_the_apps_use_redis_behind_one_trusted_proxy(services):
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["CACHE_URL"] == "redis://redis:6379/0"
        assert environment["BEHIND_PROXY"] == "true"
        assert environment["TRUSTED_PROXY_COUNT"] == "1"
        assert environment["HRPROFILE_ENV"] == "production"
        assert re.fullmatch(
            r"postgres://hrprofile:\$\{POSTGRES_PASSWORD:\?[^}]+\}@db:5432/hrprofile",
            environment["DATABASE_URL"],
        )
        assert not (BUILD_PLACEHOLDERS - {"DATABASE_URL"}) & environment.keys()


def test_secrets_come_from_the_production_env_files(services):
    for name in APP_SERVICES:
        assert services[name]["env_file"] == [
            {"path": "production.env.example"},
            {"path": "production.env", "required": False},
        ]
    assert (DEPLOY / "production.env.example").is_file()


def test_the_schedule_runs_the_daily_commands(services):
    reminders = services["reminders"]["command"]
    housekeeping = " ".join(services["housekeeping"]["command"])

    assert reminders[:2] == ["sh", "deploy/daily.sh"]
    assert reminders[3:] == ["python", "manage.py", "send_review_reminders"]
    assert "python manage.py clearsessions" in housekeeping
    assert "axes_reset_failure_logs --age 90" in housekeeping
    assert "python manage.py trim_failed_logins" in housekeeping
    assert "python manage.py trim_removals" in housekeeping
    assert "deploy/daily.sh" in dockerignore_allowed()[1]


def test_the_schedule_publishes_every_five_minutes(services):
    command = services["scheduled-publishing"]["command"]

    assert command[:3] == ["sh", "deploy/every.sh", "5"]
    assert command[3:6] == ["python", "manage.py", "publish_scheduled"]
    assert "deploy/every.sh" in dockerignore_allowed()[1]


def test_nginx_spreads_requests_and_sets_the_trusted_headers(services):
    mount = services["proxy"]["volumes"][0]
    config = (DEPLOY / "nginx" / "templates" / "default.conf.template").read_text()
    config += (DEPLOY / "nginx" / "hrprofile-location.conf").read_text()

    assert mount == "./nginx/templates:/etc/nginx/templates:ro"
    assert "server app:8000 resolve" in config
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in config
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in config
    assert "proxy_set_header X-Request-ID $request_id;" in config


def test_nginx_runs_the_edge_cache_with_a_store_that_outlives_it(services):
    """The template includes the two files compose mounts, and the store is a
    volume: a restarted proxy still has the pages while the app is down."""
    volumes = services["proxy"]["volumes"]
    config = (DEPLOY / "nginx" / "templates" / "default.conf.template").read_text()

    assert "./nginx:/etc/nginx/hrprofile:ro" in volumes
    assert "proxy-cache:/var/cache/nginx/hrprofile" in volumes
    assert "include /etc/nginx/hrprofile/hrprofile-cache.conf;" in config
    assert "include /etc/nginx/hrprofile/hrprofile-location.conf;" in config
    cache = (DEPLOY / "nginx" / "hrprofile-cache.conf").read_text()
    assert "proxy_cache_path /var/cache/nginx/hrprofile\n" in cache


def test_nginx_gets_the_sites_name_from_the_environment_and_nothing_else(services):
    """The image's templates mechanism substitutes only SERVER_NAME (nginx's
    own $host, $uri... stay), and compose refuses to start without it."""
    environment = services["proxy"]["environment"]
    config = (DEPLOY / "nginx" / "templates" / "default.conf.template").read_text()

    assert environment["SERVER_NAME"].startswith("${SERVER_NAME:?")
    # $$ is compose's escape for a literal $.
    assert environment["NGINX_ENVSUBST_FILTER"] == "^SERVER_NAME$$"
    assert config.count("server_name ${SERVER_NAME};") == 2
    assert set(re.findall(r"\$\{([A-Z_]+)\}", config)) == {"SERVER_NAME"}


# deploy/daily.sh


@pytest.mark.process
def test_daily_refuses_a_time_it_cannot_read():
    result = subprocess.run(
        ["sh", DEPLOY / "daily.sh", "25:99", "true"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )

    assert result.returncode == 2


@pytest.mark.process
def test_daily_stops_at_once_on_term():
    in_a_while = time.strftime("%H:%M", time.gmtime(time.time() + 3 * 3600))
    process = subprocess.Popen(
        ["sh", DEPLOY / "daily.sh", in_a_while, "true"], start_new_session=True
    )
    time.sleep(0.5)
    os.kill(process.pid, signal.SIGTERM)
    try:
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.mark.process
def test_every_refuses_an_interval_it_cannot_read():
    for minutes in ["0", "five", ""]:
        result = subprocess.run(
            ["sh", DEPLOY / "every.sh", minutes, "true"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        assert result.returncode == 2, minutes


@pytest.mark.process
def test_every_stops_at_once_on_term():
    process = subprocess.Popen(
        ["sh", DEPLOY / "every.sh", "60", "true"], start_new_session=True
    )
    time.sleep(0.5)
    os.kill(process.pid, signal.SIGTERM)
    try:
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


# deploy/kubernetes/


@pytest.fixture(scope="module")
def manifests():
    documents = {}
    for path in sorted(KUBERNETES.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            documents[(document["kind"], document["metadata"]["name"])] = document
    return documents


def pod_spec(document):
    spec = document["spec"]
    if document["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def workloads(manifests):
    for (kind, name), document in manifests.items():
        if kind in {"Deployment", "Job", "CronJob"}:
            yield f"{kind}/{name}", document


def containers(manifests):
    for where, document in workloads(manifests):
        for container in pod_spec(document)["containers"]:
            yield where, pod_spec(document), container


def pod_labels(document):
    spec = document["spec"]
    if document["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["metadata"]["labels"]


def test_the_manifests_are_the_web_service_migrations_and_schedules(manifests):
    assert set(manifests) == {
        ("Deployment", "hrprofile-web"),
        ("Service", "hrprofile-web"),
        ("PodDisruptionBudget", "hrprofile-web"),
        ("Job", "hrprofile-migrate"),
        ("CronJob", "hrprofile-review-reminders"),
        ("CronJob", "hrprofile-publish-scheduled"),
        ("CronJob", "hrprofile-clearsessions"),
        ("NetworkPolicy", "hrprofile-default-deny"),
        ("NetworkPolicy", "hrprofile-web-ingress"),
        ("NetworkPolicy", "hrprofile-egress"),
    }


def test_every_workload_runs_the_same_image(manifests):
    images = {container["image"] for _, _, container in containers(manifests)}

    assert len(images) == 1
    assert not images.pop().endswith(":latest")


def test_every_workload_is_production_configured_from_the_secret(manifests):
    for where, _, container in containers(manifests):
        assert {"name": "HRPROFILE_ENV", "value": "production"} in container["env"]
        assert container["envFrom"] == [{"secretRef": {"name": "hrprofile-env"}}], where
    assert not any(kind in {"Secret", "ConfigMap"} for kind, _ in manifests)


def test_every_workload_is_non_root_with_a_read_only_root(manifests):
    for where, _, container in containers(manifests):
        security = container["securityContext"]
        assert security["runAsNonRoot"] is True, where
        assert security["readOnlyRootFilesystem"] is True, where
        assert security["allowPrivilegeEscalation"] is False, where
        assert container["resources"]["requests"], where


def test_the_deployment_runs_two_replicas_probed_on_healthz(manifests):
    """Readiness on /healthz too: a database outage must not take every pod
    out of the Service while each can serve its stored pages (/readyz is for
    monitoring)."""
    deployment = manifests[("Deployment", "hrprofile-web")]
    [container] = pod_spec(deployment)["containers"]

    assert deployment["spec"]["replicas"] == 2
    assert container["readinessProbe"]["httpGet"] == {
        "path": "/healthz",
        "port": "http",
    }
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["ports"] == [{"name": "http", "containerPort": 8000}]
    assert {"name": "GUNICORN_BIND", "value": "0.0.0.0:8000"} in container["env"]


def test_the_pods_run_as_the_image_user(manifests):
    [user] = instructions(dockerfile_stages()[-1][1], "USER")
    uid, _, gid = user.partition(":")

    for where, document in workloads(manifests):
        security = pod_spec(document)["securityContext"]
        ids = (security["runAsUser"], security["runAsGroup"])
        assert ids == (int(uid), int(gid)), where
        # A high id, clear of the node's own users (checkov CKV_K8S_40).
        assert int(uid) >= 10000


def test_tmp_is_the_one_writable_place(manifests):
    for where, document in workloads(manifests):
        spec = pod_spec(document)
        [container] = spec["containers"]
        assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}], (
            where
        )
        [volume] = spec["volumes"]
        assert volume["name"] == "tmp"
        assert "emptyDir" in volume


# The web Deployment's hardening on every pod, the Job's and the CronJobs'
# included: checkov (.checkov.yaml, run by .ci/run) finds the same, and this
# keeps the suite itself guarding it.


def test_every_pod_has_no_token_and_the_default_seccomp_profile(manifests):
    for where, document in workloads(manifests):
        spec = pod_spec(document)
        assert spec["automountServiceAccountToken"] is False, where
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["seccompProfile"] == {
            "type": "RuntimeDefault"
        }, where


def test_every_container_drops_all_capabilities(manifests):
    for where, _, container in containers(manifests):
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}, where


def test_every_container_has_cpu_and_memory_limits(manifests):
    for where, _, container in containers(manifests):
        resources = container["resources"]
        assert {"cpu", "memory"} <= resources["requests"].keys(), where
        assert {"cpu", "memory"} <= resources["limits"].keys(), where


# NetworkPolicies: nothing in or out of an hrprofile pod but what it needs.

EGRESS_PORTS = {5432, 6379, 587}  # PostgreSQL, Redis, SMTP submission


def selects(policy, document):
    wanted = policy["spec"]["podSelector"]["matchLabels"]
    return wanted.items() <= pod_labels(document).items()


def allowed(manifests, document, direction):
    """The rules of every NetworkPolicy that selects the workload's pods, in
    one direction ("ingress" or "egress")."""
    return [
        rule
        for (kind, _), policy in manifests.items()
        if kind == "NetworkPolicy" and selects(policy, document)
        for rule in policy["spec"].get(direction, [])
    ]


def test_every_pod_is_denied_all_traffic_by_default(manifests):
    deny = manifests[("NetworkPolicy", "hrprofile-default-deny")]

    assert deny["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert "ingress" not in deny["spec"] and "egress" not in deny["spec"]
    for where, document in workloads(manifests):
        assert selects(deny, document), where


def test_only_the_web_pods_take_connections_from_the_ingress_controller(manifests):
    web = manifests[("Deployment", "hrprofile-web")]
    for where, document in workloads(manifests):
        rules = allowed(manifests, document, "ingress")
        if document is web:
            [rule] = rules
            [source] = rule["from"]
            assert source["namespaceSelector"]["matchLabels"], where
            assert source["podSelector"]["matchLabels"], where
            assert rule["ports"] == [{"protocol": "TCP", "port": "http"}]
        else:
            assert rules == [], where


def test_pods_reach_only_the_database_cache_mail_and_dns(manifests):
    for where, document in workloads(manifests):
        rules = allowed(manifests, document, "egress")
        ports = {port["port"] for rule in rules for port in rule["ports"]}
        assert ports == EGRESS_PORTS | {53}, where
        for rule in rules:
            if {port["port"] for port in rule["ports"]} == {53}:
                [dns] = rule["to"]
                assert dns["podSelector"]["matchLabels"] == {"k8s-app": "kube-dns"}


def test_ci_runs_checkov_skipping_only_the_operators_choices():
    config = yaml.safe_load((ROOT / ".checkov.yaml").read_text())
    text = (ROOT / ".checkov.yaml").read_text()
    ci = (ROOT / ".ci" / "run").read_text()

    # Namespace, image digest, pull policy, secrets as environment variables.
    skipped = ["CKV_K8S_21", "CKV_K8S_43", "CKV_K8S_15", "CKV_K8S_35"]
    assert config["skip-check"] == skipped
    assert config["directory"] == ["deploy/kubernetes"]
    assert "soft-fail" not in config
    for check in skipped:
        # Each skip is explained on the comment lines just above it.
        before = text.split(f"  - {check}")[0].rstrip().splitlines()[-1]
        assert before.strip().startswith("#"), check
    assert re.search(r'/bin/checkov"? --config-file \.checkov\.yaml\n', ci)
    assert "--soft-fail" not in ci


def test_the_service_selects_the_deployment_pods(manifests):
    service = manifests[("Service", "hrprofile-web")]
    deployment = manifests[("Deployment", "hrprofile-web")]
    labels = deployment["spec"]["template"]["metadata"]["labels"]

    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert deployment["spec"]["selector"]["matchLabels"] == service["spec"]["selector"]


def test_the_migrate_job_runs_migrate_once(manifests):
    job = manifests[("Job", "hrprofile-migrate")]
    [container] = pod_spec(job)["containers"]

    assert container["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert pod_spec(job)["restartPolicy"] == "Never"


def test_the_cronjobs_still_run_the_daily_commands(manifests):
    reminders = manifests[("CronJob", "hrprofile-review-reminders")]
    clearsessions = manifests[("CronJob", "hrprofile-clearsessions")]
    [reminder] = pod_spec(reminders)["containers"]
    [housekeeping] = pod_spec(clearsessions)["containers"]

    assert reminder["command"] == ["python", "manage.py", "send_review_reminders"]
    assert "python manage.py clearsessions" in shlex.join(housekeeping["command"])
    assert "python manage.py trim_removals" in shlex.join(housekeeping["command"])
    assert "python manage.py trim_failed_logins" in shlex.join(housekeeping["command"])
    assert reminders["spec"]["concurrencyPolicy"] == "Forbid"


def test_a_cronjob_publishes_what_is_scheduled_every_five_minutes(manifests):
    cronjob = manifests[("CronJob", "hrprofile-publish-scheduled")]
    [container] = pod_spec(cronjob)["containers"]

    assert container["command"] == ["python", "manage.py", "publish_scheduled"]
    assert cronjob["spec"]["schedule"] == "*/5 * * * *"
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"


# systemd


def test_the_systemd_housekeeping_trims_the_failed_logins_too():
    unit = (DEPLOY / "systemd" / "hrprofile-clearsessions.service").read_text()
    commands = [
        line.split(" manage.py ", 1)[1]
        for line in unit.splitlines()
        if line.startswith("ExecStart=")
    ]

    assert commands == [
        "clearsessions",
        "axes_reset_failure_logs --age 90",
        "trim_failed_logins",
        "trim_removals",
    ]

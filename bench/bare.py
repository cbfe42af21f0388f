"""The bare view of issue 25, for bench/pages.py: a separate minimal Django
project, made at run time with `django-admin startproject bare`, whose one
view returns `HttpResponse("ok")`.

startproject's settings are kept but for what WhiteNoise's documentation asks
(its middleware directly after SecurityMiddleware, a STATIC_ROOT, filled by
collectstatic) and what production needs: DEBUG = False, ALLOWED_HOSTS =
["127.0.0.1"]. startproject's default middleware is otherwise untouched. Its
default SQLite database is never created: the view reads nothing, and an
anonymous request without a cookie never loads its session or user.

It runs under plain gunicorn: 2 sync workers, no access log, none of
hrprofile's gunicorn.conf.py (it starts in the project's directory, where
there is none), gunicorn's control socket off so that two runs never take it
from each other.
"""

import subprocess
import sys
from pathlib import Path

NAME = "bare"
PATH = "/"

SETTINGS = """

# bench/bare.py: production's switches, and WhiteNoise as its docs say.
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STATIC_ROOT = BASE_DIR / "staticfiles"
"""

URLS = '''"""bench/bare.py: one view."""

from django.http import HttpResponse
from django.urls import path


def ok(request):
    return HttpResponse("ok")


urlpatterns = [path("", ok)]
'''


def bin_path(name):
    """A script of the virtual environment this Python runs in."""
    return str(Path(sys.executable).parent / name)


def make(folder, *, env):
    """Generate the project in folder/bare/ and collect its static files;
    returns the project's directory (the one with manage.py)."""
    project = Path(folder) / NAME
    project.mkdir(parents=True)
    subprocess.run(
        [bin_path("django-admin"), "startproject", NAME, str(project)],
        env=env,
        check=True,
    )
    settings = project / NAME / "settings.py"
    settings.write_text(settings.read_text() + SETTINGS)
    (project / NAME / "urls.py").write_text(URLS)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=project,
        env=env,
        check=True,
    )
    return project


def start(project, *, port, env, stdout):
    """Plain gunicorn for the project, on port of 127.0.0.1; returns its
    process. It runs in the project's directory, where gunicorn finds no
    gunicorn.conf.py to read."""
    command = [
        bin_path("gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--no-control-socket",
        f"{NAME}.wsgi",
    ]
    return subprocess.Popen(
        command,
        cwd=project,
        env=env,
        stdout=stdout,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def environment(environ):
    """environ without what would configure Django or gunicorn otherwise."""
    return {
        key: value
        for key, value in environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "PYTHONPATH", "GUNICORN_CMD_ARGS"}
        and not key.startswith("HRPROFILE")
    }

"""WSGI entry point: ``gunicorn hrprofile.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrprofile.settings")
# A server is production unless HRPROFILE_ENV=local says otherwise (`make
# run`): one started without it (gunicorn from another directory, uwsgi, an
# ASGI server) reads no .env and never runs with DEBUG. Set before the
# settings are read.
os.environ.setdefault("HRPROFILE_ENV", "production")

application = get_wsgi_application()

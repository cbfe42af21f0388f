# hrprofile: the documented entry points. `make help` lists them.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export SITE_URL ?= http://127.0.0.1:$(PORT)

# The first Python >= 3.12 on PATH (pyenv's shim honours .python-version).
PYTHON := $(shell for p in python3.13 python3.12 python3 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: help install browser-deps check-chromium check-gettext check-nginx check-redis check-wrk run test test-fast lint format lock messages compile-messages backup restore db-stop clean check-python

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-16s %s\n", $$1, $$2}'

check-python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "hrprofile needs Python 3.12 or newer (3.13 recommended)."; \
		echo "Install it from https://www.python.org/downloads/ or with pyenv (pyenv install 3.13), then rerun make."; \
		exit 1; fi

$(VENV)/.installed: requirements.txt requirements-dev.txt | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	@touch $@

# Local mode lives in .env (DEBUG=true: no production secrets needed; with
# DATABASE_URL unset the embedded PostgreSQL in var/postgres/ is used), so a
# plain `python manage.py …` in the checkout behaves like the make targets.
# Never overwritten: edit it to point at another database.
.env:
	cp .env.example $@

install: $(VENV)/.installed .env ## Create .venv and .env, install the locked dependencies

# The browser tests drive Debian's Chromium: Playwright's own browser download
# is never used (it cannot be fetched on the project's machines). Noto covers
# the six UN languages' scripts (Arabic, Chinese, Cyrillic, Latin), so the
# screenshots show real glyphs: the site itself loads no web fonts.
CHROMIUM := /usr/bin/chromium
BROWSER_PACKAGES := chromium fonts-noto-core fonts-noto-cjk
# Whether Chromium and Noto fonts for Arabic and Chinese are all there
# (DejaVu, always installed, covers some Arabic: a Noto family is asked for).
BROWSER_READY = test -x $(CHROMIUM) \
	&& fc-list :lang=ar family 2>/dev/null | grep -q Noto \
	&& fc-list :lang=zh-cn family 2>/dev/null | grep -q Noto

browser-deps: ## Install Debian's Chromium and Noto fonts for the browser tests when missing
	@$(BROWSER_READY) && exit 0; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "The browser tests need Chromium at $(CHROMIUM) and the Noto fonts: install the Debian packages as root (apt-get install $(BROWSER_PACKAGES)) and rerun make."; exit 1; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "The browser tests need Chromium at $(CHROMIUM) and Noto fonts for Arabic and Chinese, and this system has no apt-get: install them there by hand."; exit 1; fi; \
	echo "Installing Chromium and the Noto fonts for the browser tests (apt-get)"; \
	$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES)

# make test never runs sudo: as root (a CI machine) it installs Chromium and
# the fonts the way browser-deps does; anyone else is told how, and the tests
# do not start.
check-chromium:
	@$(BROWSER_READY) && exit 0; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "make test: the browser tests need Chromium at $(CHROMIUM) and the Noto fonts for Arabic and Chinese, and some are missing." >&2; \
		echo "Install them once with 'make browser-deps' (apt-get, through sudo), or as root: apt-get install $(BROWSER_PACKAGES). Then rerun make test." >&2; \
		exit 1; fi; \
	$(MAKE) --no-print-directory browser-deps

# A Debian package that tests need is never a reason to skip them: make test
# never runs sudo, so as root (a CI machine) it installs the package and tells
# anyone else how, as for Chromium.
# $(call test-package,READY-CHECK,PACKAGE,WHAT NEEDS IT,OTHER SYSTEMS)
define test-package
@$(1) && exit 0; \
if [ "$$(id -u)" != 0 ]; then \
	echo "make test: $(3) need $(2), which is missing." >&2; \
	echo "Install it once: sudo apt-get install $(2) (Debian/Ubuntu) or $(4). Then rerun make test." >&2; \
	exit 1; fi; \
if ! command -v apt-get >/dev/null 2>&1; then \
	echo "make test: $(3) need $(2): install it by hand." >&2; exit 1; fi; \
echo "Installing $(2) for $(3) (apt-get)"; \
apt-get update -qq && env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(2)
endef

# The catalogue test extracts the source's messages with GNU gettext to find
# any the catalogues lack.
check-gettext:
	$(call test-package,command -v xgettext >/dev/null 2>&1,gettext,the catalogue tests,brew install gettext (macOS))

# tests/deploy/test_nginx.py runs the shipped nginx configuration
# (deploy/nginx/templates/) with Debian's nginx, which Debian installs in
# /usr/sbin: a user's PATH may lack it.
check-nginx:
	$(call test-package,PATH="$$PATH:/usr/sbin" command -v nginx >/dev/null 2>&1,nginx-light,the proxy tests,brew install nginx (macOS))

# bench/pages.py loads the pages through nginx's edge cache with wrk (its
# Python load generator cannot reach nginx's rates).
check-wrk:
	$(call test-package,command -v wrk >/dev/null 2>&1,wrk,the bench's loads through nginx,brew install wrk (macOS))

# tests/operations/test_faults.py starts a redis-server of its own on a free
# port, to stop it and freeze it (SIGSTOP) under a real gunicorn.
check-redis:
	$(call test-package,PATH="$$PATH:/usr/sbin" command -v redis-server >/dev/null 2>&1,redis-server,the cache fault tests,brew install redis (macOS))

# Local mode, said explicitly: only HRPROFILE_ENV=local lets the WSGI entry
# point (runserver's too) run with DEBUG and merely offer two-step
# verification (settings.LOCAL_DEV).
LOCAL := HRPROFILE_ENV=local

run: install ## Start the embedded database, migrate, load demo content, serve on 127.0.0.1:PORT (8000)
	$(LOCAL) $(PY) manage.py migrate --noinput
	$(LOCAL) $(PY) manage.py load_demo --only-missing
	$(LOCAL) $(PY) manage.py ensure_local_superuser
	$(LOCAL) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Coverage settings are in pyproject.toml ([tool.coverage.run]); the report
# lists the files that are not fully covered, then the total. COVERAGE=0
# skips it (CI's second run, against the PostgreSQL service). The suite runs
# on every core (pytest-xdist); each module stays on one worker, so module
# fixtures (gunicorn servers, Redis) are set up once. TEST_WORKERS=0 runs it
# in one process. MARK selects tests by marker (pytest -m), as CI's second
# run does; pytest's exit code 5 (nothing selected) fails the target.
COVERAGE ?= 1
TEST_WORKERS ?= auto
MARK ?=
PYTEST_WORKERS = $(if $(filter 0,$(TEST_WORKERS)),-p no:xdist,-n $(TEST_WORKERS) --dist loadscope)
test: install check-chromium check-gettext check-nginx check-redis check-wrk ## Run the whole test suite with coverage, then check that migrations are complete
	$(PY) -m pytest $(PYTEST_WORKERS) $(if $(MARK),-m "$(MARK)") \
		$(if $(filter 1,$(COVERAGE)),--cov --cov-report=term:skip-covered)
	$(PY) manage.py makemigrations --check --dry-run

# The tests marked `process` (servers, subprocesses, browsers, migration round
# trips: tests/conftest.py) are left out, and coverage with them.
test-fast: install check-gettext ## Run the suite without the process-level tests (a few minutes)
	$(PY) -m pytest $(PYTEST_WORKERS) -m "not process"

# The same tools as .pre-commit-config.yaml, which names the same Django version.
DJANGO_TARGET := 6.1
# Print the file names for xargs -0: django-upgrade and djade take files, not
# directories. The pruned directories are the ones .gitignore lists.
PY_FILES := find . \( -path ./.venv -o -path ./var -o -path ./staticfiles -o -path ./node_modules \) \
	-prune -o -name '*.py' -print0
TEMPLATE_FILES := find templates -type f -print0

lint: install ## Check code, templates and pyproject.toml without changing them
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY_FILES) | xargs -0r $(VENV)/bin/django-upgrade --target-version $(DJANGO_TARGET) --check
	$(TEMPLATE_FILES) | xargs -0r $(VENV)/bin/djade --target-version $(DJANGO_TARGET) --check
	$(VENV)/bin/pyproject-fmt --check pyproject.toml
	$(VENV)/bin/pre-commit validate-config .pre-commit-config.yaml

# ruff prints what it cannot fix and carries on (make lint fails on it). djade
# and pyproject-fmt exit 1 after rewriting a file as after an error: the check
# that follows tells them apart.
format: install ## Rewrite code, templates and pyproject.toml as make lint wants them
	$(PY_FILES) | xargs -0r $(VENV)/bin/django-upgrade --target-version $(DJANGO_TARGET) --exit-zero-even-if-changed
	$(VENV)/bin/ruff check --fix --exit-zero .
	$(VENV)/bin/ruff format .
	$(TEMPLATE_FILES) | xargs -0r $(VENV)/bin/djade --target-version $(DJANGO_TARGET) \
		|| $(TEMPLATE_FILES) | xargs -0r $(VENV)/bin/djade --target-version $(DJANGO_TARGET) --check
	$(VENV)/bin/pyproject-fmt pyproject.toml || $(VENV)/bin/pyproject-fmt --check pyproject.toml

lock: install ## Re-resolve pyproject.toml's dependencies into the hashed lock files
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements.txt pyproject.toml
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
		--extra dev --output-file requirements-dev.txt pyproject.toml

# The other five UN languages; English is the source language. Extraction
# needs GNU gettext (Debian: apt-get install gettext); compiling, the site and
# the tests do not: the .mo files are committed (see locale/README.md).
TRANSLATIONS := ar fr es ru zh_Hans

messages: install ## Extract translatable text into locale/<lang>/LC_MESSAGES/django.po (needs gettext)
	@command -v xgettext >/dev/null 2>&1 || { \
		echo "make messages needs GNU gettext: apt-get install gettext (Debian/Ubuntu) or brew install gettext (macOS)."; exit 1; }
	$(PY) manage.py makemessages $(addprefix -l ,$(TRANSLATIONS)) --ignore=.venv --ignore=var --ignore=staticfiles --ignore=node_modules

compile-messages: install ## Compile each locale/<lang>/LC_MESSAGES/django.po into the django.mo to commit with it
	$(PY) -m hrprofile.catalogues compile

# Backups of the configured database (DATABASE_URL, or the embedded server),
# with the pg_dump/pg_restore of the server's major version (PG_BIN_DIR picks
# another directory). An existing .venv is used as it is, so a production
# checkout's is never given the development tools.
PG_BIN_DIR ?=

backup: ## Dump the configured database to var/backups/hrprofile-YYYYmmdd-HHMMSS.dump
	@test -x $(PY) || $(MAKE) --no-print-directory install
	$(PY) manage.py backup_database $(if $(PG_BIN_DIR),--bin-dir "$(PG_BIN_DIR)")

restore: ## Restore FILE=var/backups/….dump into an empty database (FORCE=1: replace its data)
	@test -n "$(FILE)" || { echo "make restore needs the archive: make restore FILE=var/backups/hrprofile-….dump" >&2; exit 2; }
	@test -x $(PY) || $(MAKE) --no-print-directory install
	$(PY) manage.py restore_database "$(FILE)" $(if $(filter 1,$(FORCE)),--force) $(if $(PG_BIN_DIR),--bin-dir "$(PG_BIN_DIR)")

db-stop: ## Stop the embedded PostgreSQL (it keeps running between commands)
	@test -x $(PY) && $(PY) -c 'from pathlib import Path; from hrprofile.embedded_db import stop; print("stopped" if stop(Path("var/postgres")) else "not running")' || true

clean: db-stop ## Remove .venv and var/ (the embedded database's data too)
	rm -rf $(VENV) var staticfiles

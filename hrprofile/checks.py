"""System checks for deployment mistakes Django's own checks cannot see."""

from django.conf import settings
from django.core.checks import Warning, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}


@register(deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """Login lockouts and rate limits count in the cache: it must be shared."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            f"The default cache ({backend}) is not shared between processes: "
            "each gunicorn worker would count failed logins and searches on its "
            "own, multiplying the limits.",
            hint="Set CACHE_URL=redis://… (see deploy/production.env.example).",
            id="hrprofile.W001",
        )
    ]

"""hrprofile/settings.py says only what differs from Django's and WhiteNoise's
defaults, and the defaults it relies on are still theirs."""

import ast

from django.conf import global_settings, settings
from whitenoise.compress import Compressor

# Settings whose value is Django's default in some environments but read
# from one (a deploy variable) or computed: not restatements.
CONFIGURED = {
    "ADMINS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "STORAGES",
}


def constant_settings():
    """{name: value} of the settings module's assignments of a literal."""
    source = (settings.BASE_DIR / "hrprofile" / "settings.py").read_text()
    found = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign):
            continue
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id.isupper():
                found[target.id] = value
    return found


def test_no_setting_restates_djangos_default():
    restated = {
        name
        for name, value in constant_settings().items()
        if name not in CONFIGURED
        and hasattr(global_settings, name)
        and getattr(global_settings, name) == value
    }

    assert restated == set()


def test_the_defaults_the_site_relies_on_are_djangos():
    # Aware date-times, translated pages, a session cookie scripts cannot
    # read, and the headers tests/security checks on every response.
    assert settings.USE_TZ is True
    assert settings.USE_I18N is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SECURE_CONTENT_TYPE_NOSNIFF is True
    assert settings.SECURE_REFERRER_POLICY == "same-origin"
    assert settings.X_FRAME_OPTIONS == "DENY"


def test_whitenoise_skips_what_it_skips_by_default_and_source_maps():
    skipped = settings.WHITENOISE_SKIP_COMPRESS_EXTENSIONS

    assert set(Compressor.SKIP_COMPRESS_EXTENSIONS) <= set(skipped)
    assert "webm" in skipped
    assert "map" in skipped
    assert len(skipped) == len(set(skipped))

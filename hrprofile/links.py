"""Addresses the product writes into pages, emails and feeds."""

import functools
import re

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# What stands for the slug in a memoised pattern: a valid slug, which no URL
# pattern's literal text contains.
_SLUG_MARK = "zzslugmarkzz"
# A slug reverse() writes unchanged (the slug converter's characters): any
# other is left to reverse(), which checks and quotes it.
_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def absolute_url(path):
    """An absolute URL on the public site (SITE_URL): never the Host header,
    which a client or a misconfigured proxy writes."""
    return settings.SITE_URL + path


def admin_change_url(model, pk, *, absolute=False):
    """The admin's change page of the object pk of model (a model or an
    instance); absolute for an email or a calendar feed."""
    opts = model._meta
    path = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
    return absolute_url(path) if absolute else path


@functools.lru_cache(maxsize=512)
def _reverse_for(name, language, script_prefix, urlconf):
    # language, script_prefix and urlconf: what reverse() reads besides name
    # (the key; reverse() reads them itself).
    return reverse(name)


def constant_url(name):
    """reverse(name) for a URL without arguments, memoised per language,
    script prefix and URL configuration: all it depends on."""
    return _reverse_for(name, get_language(), get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=512)
def _slug_pattern(name, language, script_prefix, urlconf):
    before, mark, after = reverse(name, kwargs={"slug": _SLUG_MARK}).partition(
        _SLUG_MARK
    )
    assert mark and _SLUG_MARK not in after, name
    return before, after


def slug_url(name, slug):
    """reverse(name, kwargs={"slug": slug}) without resolving the pattern on
    every call: the slug put into the address memoised per language, script
    prefix and URL configuration."""
    return slug_urls(name)(slug)


def slug_urls(name):
    """slug_url(name, slug) for the many slugs of one list: a function of the
    slug, the language, script prefix, URL configuration and pattern read
    once rather than for each of them."""
    before, after = _slug_pattern(
        name, get_language(), get_script_prefix(), get_urlconf()
    )

    def url(slug):
        if not _PLAIN_SLUG.fullmatch(slug):
            return reverse(name, kwargs={"slug": slug})
        return f"{before}{slug}{after}"

    return url


@receiver(setting_changed)
def _forget_patterns(**kwargs):
    # A test's override_settings (another SITE_URL, LANGUAGES, ROOT_URLCONF).
    _reverse_for.cache_clear()
    _slug_pattern.cache_clear()

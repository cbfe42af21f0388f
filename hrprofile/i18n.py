"""The same page in the six UN languages: the switcher's links and the
hreflang alternates every public page lists.

Paths are language-independent (slugs are not translated), so another
language's address is this one with its language prefix swapped.
"""

import functools
import re

from django.conf import settings
from django.urls import get_script_prefix
from django.utils.translation import get_language, get_language_info, pgettext

# Each language named in itself, as a reader looking for theirs knows it
# (Django's own local names differ: "العربيّة", "简体中文", "français").
NATIVE_NAMES = {
    "ar": "العربية",
    "zh-hans": "中文",
    "en": "English",
    "fr": "Français",
    "ru": "Русский",
    "es": "Español",
}

# Search engines send readers whose language is none of these to English.
X_DEFAULT_LANGUAGE = "en"

# Open Graph names a language by a locale, language_TERRITORY, from the list
# Facebook reads: Arabic is ar_AR there, and the simplified script is zh_CN.
OPEN_GRAPH_LOCALES = {
    "ar": "ar_AR",
    "zh-hans": "zh_CN",
    "en": "en_US",
    "fr": "fr_FR",
    "ru": "ru_RU",
    "es": "es_ES",
}


@functools.cache
def _language_prefix(codes):
    """The pattern of a path's leading language prefix, for these codes."""
    alternatives = "|".join(re.escape(code) for code in codes)
    return re.compile(rf"^/(?:{alternatives})(?=/|$)")


def _codes():
    return tuple(code for code, _ in settings.LANGUAGES)


def path_in(language, path):
    """path (a query string included) under language's prefix instead of its own.

    A path without a language prefix (an unprefixed 404) gets one. The
    script prefix, if the site is served under one, stays in front.
    """
    script_prefix = get_script_prefix()
    return _path_in(language, _unprefixed(path, script_prefix), script_prefix)


def _unprefixed(path, script_prefix):
    """path without the script prefix and the language prefix."""
    if path.startswith(script_prefix):
        path = "/" + path.removeprefix(script_prefix)
    return _language_prefix(_codes()).sub("", path, count=1)


def _path_in(language, unprefixed, script_prefix):
    return f"{script_prefix}{language}{unprefixed or '/'}"


@functools.cache
def _language_facts(code):
    """(name in itself, right to left): the code's alone."""
    info = get_language_info(code)
    return NATIVE_NAMES.get(code) or info["name_local"], info["bidi"]


def language_links(path):
    """The switcher's links: path in every language, the current one marked."""
    current = get_language()
    script_prefix = get_script_prefix()
    unprefixed = _unprefixed(path, script_prefix)
    links = []
    for code in _codes():
        name, is_bidi = _language_facts(code)
        links.append(
            {
                "code": code,
                "name": name,
                "url": _path_in(code, unprefixed, script_prefix),
                "is_current": code == current,
                "is_bidi": is_bidi,
            }
        )
    return links


def alternate_paths(path):
    """(hreflang, path) of the page in every language, then the x-default."""
    script_prefix = get_script_prefix()
    unprefixed = _unprefixed(path, script_prefix)
    return [(code, _path_in(code, unprefixed, script_prefix)) for code in _codes()] + [
        ("x-default", _path_in(X_DEFAULT_LANGUAGE, unprefixed, script_prefix))
    ]


def open_graph_locales():
    """(og:locale, og:locale:alternate values): the page's language, then the
    other languages it is published in."""
    current = get_language()
    return OPEN_GRAPH_LOCALES[current], [
        OPEN_GRAPH_LOCALES[code] for code, _ in settings.LANGUAGES if code != current
    ]


def list_separator():
    """What separates the items of a list in a sentence, in the active language."""
    # Translators: between the items of a list ("Baghdad, Erbil"). Arabic
    # writes "، ", Chinese "、"; keep any space your language puts after it.
    return pgettext("list separator", ", ")

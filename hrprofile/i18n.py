"""The same page in the six UN languages: the switcher's links and the
hreflang alternates every public page lists.

Paths are language-independent (slugs are not translated), so another
language's address is this one with its language prefix swapped.
"""

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


def path_in(language, path):
    """path (a query string included) under language's prefix instead of its own.

    A path without a language prefix (an unprefixed 404) gets one. The
    script prefix, if the site is served under one, stays in front.
    """
    script_prefix = get_script_prefix()
    if path.startswith(script_prefix):
        path = "/" + path.removeprefix(script_prefix)
    codes = "|".join(re.escape(code) for code, _ in settings.LANGUAGES)
    path = re.sub(rf"^/(?:{codes})(?=/|$)", "", path, count=1)
    return f"{script_prefix}{language}{path or '/'}"


def language_links(path):
    """The switcher's links: path in every language, the current one marked."""
    current = get_language()
    return [
        {
            "code": code,
            "name": NATIVE_NAMES.get(code) or get_language_info(code)["name_local"],
            "url": path_in(code, path),
            "is_current": code == current,
            "is_bidi": get_language_info(code)["bidi"],
        }
        for code, _ in settings.LANGUAGES
    ]


def alternate_paths(path):
    """(hreflang, path) of the page in every language, then the x-default."""
    return [(code, path_in(code, path)) for code, _ in settings.LANGUAGES] + [
        ("x-default", path_in(X_DEFAULT_LANGUAGE, path))
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

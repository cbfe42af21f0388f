"""A profile's address without reverse() on every call.

reverse() resolves the pattern and quotes its arguments each time (about
13 µs): the index writes two per office it lists. The address is the same
but for the slug, so the part before it is reversed once per language,
script prefix and URL configuration (what reverse()'s answer depends on,
besides the arguments), with a placeholder slug, and the slug is put in its
place. Only a slug reverse() would write unchanged (letters, digits, - and
_) takes the short way; any other goes through reverse().
"""

import re

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_PLACEHOLDER = "slug-placeholder-0"


class SlugURL:
    """url(slug): reverse(name, kwargs={"slug": slug}), memoised around the slug."""

    def __init__(self, name):
        self.name = name
        self._parts = {}

    def _parts_for(self, key):
        url = reverse(self.name, kwargs={"slug": _PLACEHOLDER})
        before, found, after = url.partition(_PLACEHOLDER)
        if not found or _PLACEHOLDER in after:
            raise ValueError(f"{self.name}: the slug is not once in {url}")
        self._parts[key] = parts = (before, after)
        return parts

    def __call__(self, slug):
        if not (isinstance(slug, str) and PLAIN_SLUG.match(slug)):
            return reverse(self.name, kwargs={"slug": slug})
        key = (get_language(), get_script_prefix(), get_urlconf())
        parts = self._parts.get(key) or self._parts_for(key)
        return f"{parts[0]}{slug}{parts[1]}"


office_url = SlugURL("offices:detail")

"""Validators shared by every model that stores text or links shown to the public."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# C0 and C1 control characters, DEL, the bidi embeddings, overrides and
# isolates (U+202A–U+202E, U+2066–U+2069), and the zero-width space, word
# joiner and zero-width no-break space (U+200B, U+2060, U+FEFF): invisible,
# they reach the HTML and make a name read differently from what it is, or
# two names look the same. The zero-width non-joiner and joiner (U+200C,
# U+200D) stay: Persian and other Arabic-script names are spelled with them.
SINGLE_LINE_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
# Prose keeps its line breaks and tabs; other control characters still go.
PROSE_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _refuse(pattern, value, message):
    match = pattern.search(str(value))
    if match:
        raise ValidationError(
            message,
            code="unsafe_characters",
            params={"codepoint": f"U+{ord(match.group()):04X}"},
        )


def validate_single_line(value):
    """Names, notes, labels, slugs, symbols: no control or direction characters."""
    _refuse(
        SINGLE_LINE_UNSAFE,
        value,
        _(
            "Remove the invisible character %(codepoint)s: a single line of "
            "text cannot hold line breaks, tabs, control characters, "
            "direction overrides or zero-width spaces."
        ),
    )


def validate_prose(value):
    """Paragraphs keep line breaks and tabs; other control characters are refused."""
    _refuse(
        PROSE_UNSAFE,
        value,
        _(
            "Remove the invisible control character %(codepoint)s; line breaks "
            "are fine."
        ),
    )


# Links shown to the public open web pages, nothing else: no javascript:,
# data: or vbscript: (which run code on click), no ftp: or mailto:.
WEB_URL_SCHEMES = ["http", "https"]
WEB_URL_PATTERN = r"^https?://"

validate_web_url = URLValidator(
    schemes=WEB_URL_SCHEMES,
    message=_("Enter a web address that starts with http:// or https://."),
)


def web_url_constraint(field, name):
    """The database's own guard: a link is empty or an http(s) address."""
    return models.CheckConstraint(
        condition=Q(**{field: ""}) | Q(**{f"{field}__iregex": WEB_URL_PATTERN}),
        name=name,
        violation_error_message=validate_web_url.message,
    )


def web_url_or_empty(url):
    """url if it is an http(s) address, else "": for templates, whatever is stored."""
    url = (url or "").strip()
    return url if re.match(WEB_URL_PATTERN, url, re.IGNORECASE) else ""

"""JSON-LD (schema.org) data blocks, for every page that describes itself.

A <script type="application/ld+json"> is data, never run by a browser, so it
passes the public pages' Content Security Policy (no nonce, no inline code):
docs/production.md.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

# The characters that could end a <script> element or start markup inside it,
# as in django.utils.html.json_script.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld_script(data):
    """A <script type="application/ld+json"> element that content cannot escape.

    Non-ASCII text is written as itself (the page is UTF-8): an Arabic or
    Chinese name as \\u escapes would take six bytes a letter.
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),
    )

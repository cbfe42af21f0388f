"""What changed in a text, word by word: HTML with <del> and <ins>.

History's long texts and the translation view (what changed in English since
a translation was checked) mark changes with it. Text is split into words
and the spaces between them (so that a changed word is marked, not its whole
line); text in a language written without spaces between words (Chinese,
Japanese) is compared character by character, as are runs of such
characters inside other text.
"""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

# One token: a CJK character (each is a word of its own), a run of other
# word characters, a run of spaces, or any other single character.
_TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
    r"|[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
    r"|\s+"
    r"|.",
    re.DOTALL,
)


def tokens(text):
    """text's words, spaces and punctuation, in order; joined, text itself."""
    return _TOKEN.findall(text or "")


def word_changes(old, new):
    """[(operation, text)] from old to new: "equal", "delete" or "insert",
    runs merged; joined, the "equal" and "delete" texts are old and the
    "equal" and "insert" texts are new."""
    before, after = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    changes = []

    def add(operation, pieces):
        text = "".join(pieces)
        if not text:
            return
        if changes and changes[-1][0] == operation:
            changes[-1] = (operation, changes[-1][1] + text)
        else:
            changes.append((operation, text))

    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            add("equal", before[i1:i2])
        else:
            add("delete", before[i1:i2])
            add("insert", after[j1:j2])
    return changes


def highlight(old, new):
    """new's text with what changed from old marked: deleted words in <del>,
    added ones in <ins>, escaped; safe HTML."""
    html = []
    for operation, text in word_changes(old, new):
        if operation == "equal":
            html.append(escape(text))
        else:
            tag = "del" if operation == "delete" else "ins"
            html.append(f"<{tag}>{escape(text)}</{tag}>")
    return mark_safe("".join(html))


def _marked(changes, shown, tag):
    html = []
    for operation, text in changes:
        if operation == "equal":
            html.append(escape(text))
        elif operation == shown:
            html.append(f"<{tag}>{escape(text)}</{tag}>")
    return mark_safe("".join(html))


def sides(old, new):
    """(old, new) as safe HTML for a before/after table: old with the words
    taken out in <del>, new with the words put in in <ins>."""
    changes = word_changes(old, new)
    return _marked(changes, "delete", "del"), _marked(changes, "insert", "ins")

"""The translation catalogues: compiled without GNU gettext, and checked.

    python -m hrprofile.catalogues compile   (make compile-messages)

compiles each locale/<lang>/LC_MESSAGES/django.po into the django.mo that is
committed beside it (locale/README.md says why). tests/test_catalogues.py uses
the checks: every message translated and none fuzzy, each .mo the compiled
form of its .po, and no message of the source missing from a catalogue.

polib is a development dependency: production reads the committed .mo files.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
# Django's locale names for the five languages besides English (the source).
TRANSLATIONS = ["ar", "es", "fr", "ru", "zh_Hans"]
# What `make messages` leaves out of the extraction, as its --ignore options.
IGNORED = [".venv", "var", "staticfiles", "node_modules"]


def po_path(language, locale_dir=LOCALE_DIR):
    return Path(locale_dir) / language / "LC_MESSAGES" / "django.po"


def mo_path(language, locale_dir=LOCALE_DIR):
    return po_path(language, locale_dir).with_suffix(".mo")


def key(entry):
    """What identifies a message: its context, its text and its plural text."""
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def active(catalogue):
    """The catalogue's messages, without the header and the obsolete ones."""
    return [entry for entry in catalogue if entry.msgid and not entry.obsolete]


def read(path):
    """The .po or .mo at path (polib would parse a missing path's name as text)."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"No catalogue at {path}")
    return (polib.mofile if Path(path).suffix == ".mo" else polib.pofile)(str(path))


def unfinished(path):
    """(problem, message) for each message not ready to ship: untranslated
    (any plural form empty) or fuzzy (a guess msgmerge made, never shown)."""
    problems = []
    for entry in active(read(path)):
        label = entry.msgid if not entry.msgctxt else f"{entry.msgctxt}: {entry.msgid}"
        if entry.fuzzy:
            problems.append(("fuzzy", label))
        elif entry.msgid_plural:
            forms = entry.msgstr_plural
            if not forms or not all(forms.values()):
                problems.append(("untranslated", label))
        elif not entry.msgstr:
            problems.append(("untranslated", label))
    return problems


def translations(catalogue):
    """key -> translation of each message a compiled catalogue holds: the
    translated ones, as msgfmt compiles them (fuzzy ones left out)."""
    return {
        key(entry): (
            tuple(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural))
            if entry.msgid_plural
            else entry.msgstr
        )
        for entry in active(catalogue)
        # A .mo holds translated messages only.
        if isinstance(entry, polib.MOEntry) or entry.translated()
    }


def compiled_differences(po, mo):
    """What the .mo says differently from its .po (empty when it is current):
    (message, in the .po, in the .mo) for each difference."""
    source = translations(read(po))
    compiled = translations(read(mo))
    return sorted(
        (message, source.get(message), compiled.get(message))
        for message in source.keys() | compiled.keys()
        if source.get(message) != compiled.get(message)
    )


def compile_catalogue(po, mo=None):
    mo = mo or Path(po).with_suffix(".mo")
    read(po).save_as_mofile(str(mo))
    return mo


def source_messages(root=ROOT):
    """The keys of every message the source marks for translation, as `make
    messages` extracts them (needs GNU gettext).

    makemessages runs on a copy of the source with an empty locale/, so the
    checkout's catalogues are never touched.
    """
    with tempfile.TemporaryDirectory() as temp:
        copy = Path(temp) / "source"
        shutil.copytree(
            root,
            copy,
            ignore=shutil.ignore_patterns(
                *IGNORED, ".git", ".env", "locale", "__pycache__"
            ),
        )
        (copy / "locale").mkdir()
        environment = {
            **os.environ,
            # Settings that load without a .env and never connect anywhere.
            "HRPROFILE_ENV": "local",
            "DEBUG": "true",
            "SECRET_KEY": "makemessages-only",
            "DATABASE_URL": "postgres://localhost/makemessages-only",
        }
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "--locale=ar",
                "--keep-pot",
                "--verbosity=0",
                *(f"--ignore={pattern}" for pattern in IGNORED),
            ],
            cwd=copy,
            env=environment,
            check=True,
            capture_output=True,
        )
        return {
            key(entry)
            for entry in active(polib.pofile(str(copy / "locale" / "django.pot")))
        }


def stale(path, extracted):
    """(missing, obsolete): the source's messages the catalogue lacks, and
    the catalogue's that the source no longer has."""
    messages = {key(entry) for entry in active(read(path))}
    return sorted(extracted - messages), sorted(messages - extracted)


def main(argv):
    if argv != ["compile"]:
        sys.exit("usage: python -m hrprofile.catalogues compile")
    for language in TRANSLATIONS:
        po = po_path(language)
        if po.exists():
            print(f"{compile_catalogue(po).relative_to(ROOT)}")
        else:
            print(
                f"{po.relative_to(ROOT)} is missing: run make messages", file=sys.stderr
            )


if __name__ == "__main__":
    main(sys.argv[1:])

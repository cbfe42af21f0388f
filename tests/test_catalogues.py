"""The translation catalogues ship complete: every message of the source in
every catalogue, translated, none fuzzy, and each committed .mo compiled from
its .po. The checks themselves are tested on small catalogues made here.

The source check extracts messages with GNU gettext, as `make messages` does:
`make test` installs it as root and tells anyone else how; it is never
skipped.
"""

import shutil
import textwrap

import polib
import pytest

from hrprofile.catalogues import (
    TRANSLATIONS,
    compile_catalogue,
    compiled_differences,
    mo_path,
    po_path,
    source_messages,
    stale,
    unfinished,
)


@pytest.fixture(scope="module")
def extracted():
    """The keys of every message in the source (once for the module)."""
    if shutil.which("xgettext") is None:
        pytest.fail(
            "The catalogue check needs GNU gettext (xgettext): run `make test` as "
            "root, or install it (apt-get install gettext) and rerun.",
            pytrace=False,
        )
    return source_messages()


def listed(problems):
    return "\n".join(f"  {problem}" for problem in problems)


# ------------------------------------------------------- the shipped catalogues


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_catalogue_is_committed(language):
    assert po_path(language).is_file(), f"run make messages for {language}"
    assert mo_path(language).is_file(), f"run make compile-messages for {language}"


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    problems = unfinished(po_path(language))

    assert not problems, f"{language}: {len(problems)} not ready\n" + listed(problems)


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_committed_mo_is_compiled_from_its_po(language):
    differences = compiled_differences(po_path(language), mo_path(language))

    assert not differences, (
        f"{language}: django.mo is not its django.po compiled: run make "
        "compile-messages and commit the .mo\n" + listed(differences[:20])
    )


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_catalogue_has_every_message_of_the_source(language, extracted):
    missing, obsolete = stale(po_path(language), extracted)

    assert not missing, (
        f"{language}: {len(missing)} messages of the source are not in the "
        "catalogue: run make messages, translate them\n" + listed(missing)
    )
    assert not obsolete, (
        f"{language}: {len(obsolete)} messages are no longer in the source: "
        "run make messages\n" + listed(obsolete)
    )


# ------------------------------------------------------------ the checks' own


HEADER = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

"""


def catalogue(tmp_path, body, name="django.po"):
    path = tmp_path / name
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def test_a_complete_catalogue_has_no_problems(tmp_path):
    po = catalogue(
        tmp_path,
        """
        msgid "Profile"
        msgstr "Profil"

        msgctxt "navigation"
        msgid "Main"
        msgstr "Principal"

        msgid "%(counter)s office"
        msgid_plural "%(counter)s offices"
        msgstr[0] "%(counter)s bureau"
        msgstr[1] "%(counter)s bureaux"

        #~ msgid "Gone"
        #~ msgstr ""
        """,
    )

    assert unfinished(po) == []


def test_untranslated_and_fuzzy_messages_are_found(tmp_path):
    po = catalogue(
        tmp_path,
        """
        msgid "Profile"
        msgstr ""

        #, fuzzy
        msgid "Tags"
        msgstr "Étiquettes"

        msgctxt "navigation"
        msgid "Main"
        msgstr ""

        msgid "%(counter)s office"
        msgid_plural "%(counter)s offices"
        msgstr[0] "%(counter)s bureau"
        msgstr[1] ""

        msgid "Done"
        msgstr "Fait"
        """,
    )

    assert unfinished(po) == [
        ("untranslated", "Profile"),
        ("fuzzy", "Tags"),
        ("untranslated", "navigation: Main"),
        ("untranslated", "%(counter)s office"),
    ]


def test_a_compiled_catalogue_matches_its_source(tmp_path):
    po = catalogue(
        tmp_path,
        """
        msgid "Profile"
        msgstr "Profil"

        #, fuzzy
        msgid "Tags"
        msgstr "Étiquettes"

        msgid "%(counter)s office"
        msgid_plural "%(counter)s offices"
        msgstr[0] "%(counter)s bureau"
        msgstr[1] "%(counter)s bureaux"
        """,
    )

    mo = compile_catalogue(po)

    assert compiled_differences(po, mo) == []
    assert polib.mofile(str(mo)).find("Profile").msgstr == "Profil"
    # A fuzzy translation is a guess: never compiled, as msgfmt leaves it out.
    assert polib.mofile(str(mo)).find("Tags") is None


def test_an_outdated_compiled_catalogue_is_found(tmp_path):
    po = catalogue(tmp_path, 'msgid "Profile"\nmsgstr "Profil"\n')
    mo = compile_catalogue(po)
    catalogue(
        tmp_path,
        'msgid "Profile"\nmsgstr "Fiche"\n\nmsgid "Tags"\nmsgstr "Étiquettes"\n',
    )

    assert compiled_differences(po, mo) == [
        (("", "Profile", ""), "Fiche", "Profil"),
        (("", "Tags", ""), "Étiquettes", None),
    ]


def test_stale_catalogue_lists_missing_and_obsolete_messages(tmp_path):
    po = catalogue(
        tmp_path,
        """
        msgid "Profile"
        msgstr "Profil"

        msgid "Removed since"
        msgstr "Supprimé depuis"

        #~ msgid "Long gone"
        #~ msgstr "Disparu"
        """,
    )
    extracted = {("", "Profile", ""), ("navigation", "Language", "")}

    assert stale(po, extracted) == (
        [("navigation", "Language", "")],
        [("", "Removed since", "")],
    )


def test_extraction_finds_template_and_python_messages(extracted):
    """On the real source: a template's contextual message, Python's lazy,
    contextual and plural ones."""
    assert ("navigation", "Language", "") in extracted
    assert ("list separator", ", ", "") in extracted
    assert ("", "Arabic", "") in extracted
    assert any(
        msgid.startswith("Cannot delete: used by") and plural
        for _, msgid, plural in extracted
    )
    assert all(msgid for _, msgid, _ in extracted)

"""The six UN languages: page direction, localised dates and numbers, bidi
isolation, string extraction and mirrored CSS.

Which pages answer under which prefix, the language switcher and the hreflang
alternates are in tests/test_languages.py; the catalogues' completeness in
tests/test_catalogues.py.
"""

import datetime
import re
import unicodedata
import warnings
from pathlib import Path

import pytest
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.translation.template import templatize

from hrprofile.i18n import list_separator
from hrprofile.templatetags import hrprofile as templatetags
from hrprofile.templatetags.hrprofile import bdi, long_date
from mandates.models import Mandate
from offices.demo import load_demo
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    TagFactory,
)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(path for path in (ROOT / "templates").rglob("*") if path.is_file())
STYLESHEETS = sorted((ROOT / "static" / "css").glob("*.css"))


@pytest.fixture
def demo(db):
    load_demo()


@pytest.fixture
def full_office(db):
    """An office that fills every localised part of the profile page."""
    office = OfficeFactory(
        slug="full",
        staff_count=1250,
        budget_needs_usd=12326000,
        last_reviewed=datetime.date(2021, 5, 1),
        closed_on=datetime.date(2023, 3, 31),
        closed_note="mandate ended",
        tags=[TagFactory()],
    )
    MandateFactory(
        office=office, symbol="S/RES/2522 (2020)", adopted_on=datetime.date(2020, 5, 29)
    )
    MandateFactory(office=office, kind=Mandate.Kind.THEMATIC, integrated_in=2019)
    return office


def html_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


# ------------------------------------------------------------ page direction


def test_english_pages_are_left_to_right(client, demo):
    html = html_of(client, "/en/offices/iraq/")

    assert '<html lang="en" dir="ltr">' in html


@pytest.mark.parametrize(
    "url",
    ["/ar/offices/", "/ar/offices/iraq/", "/ar/pillars/accountability/"],
)
def test_arabic_pages_are_right_to_left(client, demo, url):
    html = html_of(client, url)

    assert '<html lang="ar" dir="rtl">' in html


def test_arabic_not_found_page_is_right_to_left(client, demo):
    html = html_of(client, "/ar/offices/atlantis/", status=404)

    assert '<html lang="ar" dir="rtl">' in html


def test_french_pages_are_left_to_right(client, demo):
    html = html_of(client, "/fr/offices/iraq/")

    assert '<html lang="fr" dir="ltr">' in html


@pytest.mark.parametrize("template", ["404.html", "500.html"])
def test_error_pages_follow_the_active_language(db, template):
    with translation.override("ar"):
        html = render_to_string(template)

    assert '<html lang="ar" dir="rtl">' in html


@pytest.mark.parametrize(
    "template",
    ["emails/review_reminder_body.html", "emails/review_escalation_body.html"],
)
def test_html_emails_declare_their_direction(template):
    with translation.override("ar"):
        html = render_to_string(template, {"items": [], "escalate_after_days": 30})

    assert '<html lang="ar" dir="rtl">' in html


# ------------------------------------------------------- dates and numbers


@pytest.mark.parametrize(
    ("language", "month"),
    [("en", "May 2021"), ("fr", "mai 2021"), ("ar", "مايو 2021")],
)
def test_last_reviewed_month_is_in_the_page_language(client, demo, language, month):
    html = html_of(client, f"/{language}/offices/iraq/")

    assert f'<time datetime="2021-05">{month}</time>' in html


def test_closing_month_is_in_the_page_language(client, full_office):
    html = html_of(client, "/fr/offices/full/")

    assert "mars 2023" in html


@pytest.mark.parametrize(
    ("language", "budget", "staff"),
    [("en", "US$12,326,000", "1,250"), ("fr", "12\xa0326\xa0000", "1\xa0250")],
)
def test_budget_and_staff_are_grouped_as_the_language_groups_numbers(
    client, full_office, language, budget, staff
):
    html = html_of(client, f"/{language}/offices/full/")

    assert budget in html
    assert f"<p>{staff}</p>" in html


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_every_profile_section_renders_in_another_language(
    client, full_office, language
):
    html = html_of(client, f"/{language}/offices/full/")

    for section in ("closed-notice", "staff", "budget", "mandates", "tags"):
        assert f'id="{section}"' in html


@pytest.mark.parametrize(
    ("language", "adopted"),
    [
        ("en", "29 May 2020"),
        ("fr", "29 mai 2020"),
        ("es", "29 de mayo de 2020"),
        ("ru", "29 мая 2020 г."),  # noqa: RUF001 (the Cyrillic abbreviation of "year")
        ("zh-hans", "2020年5月29日"),
    ],
)
def test_adoption_date_is_written_as_the_language_writes_dates(
    client, full_office, language, adopted
):
    html = html_of(client, f"/{language}/offices/full/")

    assert f'<time datetime="2020-05-29">{adopted}</time>' in html


def test_long_date_of_nothing_is_empty():
    assert long_date(None) == ""


# --------------------------------------------------- bidi isolation and lists


def test_closing_note_is_isolated_inside_the_sentence(client, full_office):
    html = html_of(client, "/ar/offices/full/")

    assert "(<bdi>mandate ended</bdi>)" in html


def test_field_office_note_is_isolated_after_a_localised_separator(client, db):
    office = OfficeFactory(slug="notes", coverage_note="Bahrain, Kuwait")
    FieldOfficeFactory(office=office, name="Erbil", note="since 2020")

    html = html_of(client, "/ar/offices/notes/")

    # English text on an Arabic page: isolated, and marked as English.
    assert re.search(
        r'Erbil</span>(, |\u060c )<bdi lang="en" dir="ltr">since 2020</bdi></li>', html
    )
    assert '<bdi lang="en" dir="ltr">Bahrain, Kuwait</bdi>' in html


def test_document_symbol_is_isolated(client, full_office):
    html = html_of(client, "/ar/offices/full/")

    assert "<bdi>S/RES/2522 (2020)</bdi>" in html


def test_bdi_escapes_what_it_isolates():
    assert bdi("<b>A & B</b>") == "<bdi>&lt;b&gt;A &amp; B&lt;/b&gt;</bdi>"
    assert bdi("") == ""
    assert bdi(None) is None


def test_isolated_values_keep_their_msgid():
    """Bound with `with note=…|bdi`, the markup stays out of the catalogue."""
    source = (ROOT / "templates" / "offices" / "office_detail.html").read_text()

    assert "This presence closed in {{ date }} ({{ note }})." in source


def test_search_box_takes_the_direction_of_the_query(client, db):
    html = html_of(client, "/en/offices/?q=%D8%B9%D8%B1%D8%A7%D9%82")

    search_box = r'<input type="search" name="q" value="عراق"[^>]* dir="auto"'
    assert re.search(search_box, html)


@pytest.mark.parametrize(
    ("separator", "joined"),
    [
        (", ", "Ana, Bo &amp; Co"),
        ("، ", "Ana، Bo &amp; Co"),
        ("、", "Ana、Bo &amp; Co"),
    ],
)
def test_lists_are_joined_with_the_language_separator(monkeypatch, separator, joined):
    monkeypatch.setattr(templatetags, "list_separator", lambda: separator)

    assert templatetags.join_list(["Ana", "Bo & Co"]) == joined


def test_list_separator_is_translatable():
    assert list_separator() == ", "
    assert "list separator" in (ROOT / "hrprofile" / "i18n.py").read_text()


# ---------------------------------------------------------------- extraction


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_strings_can_be_extracted(path):
    """What makemessages runs on each template, without needing GNU gettext.

    Extraction fails on tags inside a blocktranslate. A filter or attribute
    there ({{ date|date:"Y" }}, {{ office.name }}) extracts, but as a broken
    placeholder that renders empty: bind it with `with` instead. Translator
    comments that gettext would not attach fail too.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        extracted = templatize(path.read_text(), origin=str(path))
    placeholders = re.findall(r"%\(([^)]*)\)", extracted)

    assert [name for name in placeholders if not name.isidentifier()] == []
    get_template(str(path.relative_to(ROOT / "templates")))


# ----------------------------------------------------------------------- CSS

# Physical properties that have a logical equivalent (margin-inline-start,
# inset-inline-end, text-align: start, float: inline-start...). A declaration
# that truly needs one says why in a `/* physical: reason */` comment on its line.
PHYSICAL_PROPERTY = re.compile(
    r"(?<![\w-])(?:left|right"
    r"|(?:margin|padding|border|scroll-margin|scroll-padding)-(?:left|right)[\w-]*"
    r"|border-(?:top|bottom)-(?:left|right)-radius)\s*:"
)
PHYSICAL_VALUE = re.compile(
    r"(?<![\w-])(?:float|clear|text-align)\s*:\s*(?:left|right)\b"
)
COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def physical_declarations(css):
    """(line number, line) of each physical left/right declaration."""
    # Comments go, keeping their line breaks, except a justified exception.
    css = COMMENT.sub(
        lambda m: (
            m.group() if "physical:" in m.group() else "\n" * m.group().count("\n")
        ),
        css,
    )
    return [
        (number, line.strip())
        for number, line in enumerate(css.splitlines(), 1)
        if (PHYSICAL_PROPERTY.search(line) or PHYSICAL_VALUE.search(line))
        and "/* physical:" not in line
    ]


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda p: p.name)
def test_stylesheet_uses_logical_properties(path):
    assert physical_declarations(path.read_text()) == []


def test_physical_declarations_are_found_unless_justified():
    css = """
        .a { margin-left: 1rem; }
        .b { text-align: right; }
        .c { left: 0; }
        .d { border-right-width: 1px; }
        .e { left: 0; /* physical: a drop shadow offset */ }
        /* left: 0; in a comment */
        .f { margin-inline-start: 1rem; inset-inline-start: 0; text-align: start; }
    """

    assert [number for number, _ in physical_declarations(css)] == [2, 3, 4, 5]


def test_breadcrumb_separator_mirrors_in_right_to_left_text():
    """A mirrored character is drawn reversed in right-to-left text."""
    css = (ROOT / "static" / "css" / "site.css").read_text()
    separators = re.findall(
        r'\.breadcrumbs li \+ li::before\s*\{[^}]*content:\s*"([^"]+)"', css
    )

    assert separators
    assert all(unicodedata.mirrored(char) for char in "".join(separators))

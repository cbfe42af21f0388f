"""The office change form in sections: a menu, errors marked where they are."""

import re

import pytest
from django.urls import reverse

from offices.admin import base_field_name, section_of
from offices.models import Office
from tests.factories import OfficeFactory
from tests.support import add_office_data, add_rows

pytestmark = pytest.mark.django_db

ADD = reverse("admin:offices_office_add")
ORDER = [
    "identity",
    "profile",
    "field-offices",
    "mandates",
    "focus-areas",
    "figures",
    "review",
    "closure",
    "more",
]


def menu(response):
    """(section key, link text) of the section menu, in order."""
    nav = re.search(
        r'<nav class="form-sections"[^>]*>(.*?)</nav>', response.text, re.S
    ).group(1)
    return [
        (key, re.sub(r"<[^>]+>", "", text).strip())
        for key, text in re.findall(r'href="#section-([a-z-]+)"[^>]*>(.*?)</a>', nav)
    ]


def section(response, key):
    text = response.text
    start = text.index(f'<section id="section-{key}"')
    return text[start : text.index("</section>", start)]


def test_the_menu_links_every_section_in_the_order_of_the_public_page(admin_client):
    office = OfficeFactory(status=Office.Status.DRAFT)

    response = admin_client.get(
        reverse("admin:offices_office_change", args=[office.pk])
    )

    assert [key for key, _text in menu(response)] == ORDER
    assert 'aria-label="Sections of the form"' in response.text
    for key in ORDER:
        assert f'<section id="section-{key}"' in response.text
    assert not any("has errors" in text for _key, text in menu(response))


def test_the_field_offices_are_a_tabular_inline_in_their_section(admin_client):
    office = OfficeFactory(status=Office.Status.DRAFT)

    response = admin_client.get(
        reverse("admin:offices_office_change", args=[office.pk])
    )

    field_offices = section(response, "field-offices")
    assert 'data-inline-type="tabular"' in field_offices
    # A translated field's English stays in its base field's section.
    assert 'name="field_offices_note_en"' in field_offices
    assert 'id="mandates-group"' in section(response, "mandates")
    # Every input of the table has a label.
    assert 'for="id_field_offices-__prefix__-name_en"' in field_offices
    assert 'for="id_field_offices-__prefix__-note_en"' in field_offices


def test_the_form_uses_its_static_script_and_style(admin_client):
    response = admin_client.get(ADD)

    assert "offices/admin/office_form.js" in response.text
    assert "offices/admin/office_form.css" in response.text


def test_an_error_marks_its_section_only(admin_client):
    data = add_office_data(admin_client, staff_count="many")

    response = admin_client.post(ADD, data)

    assert response.status_code == 200
    marked = [key for key, text in menu(response) if "(has errors)" in text]
    assert marked == ["figures"]
    assert 'class="has-errors"' in response.text
    assert 'class="form-section has-errors"' in section(response, "figures")


def test_errors_in_two_sections_mark_both(admin_client):
    data = add_office_data(admin_client, name="", staff_count="many")

    response = admin_client.post(ADD, data)

    marked = [key for key, text in menu(response) if "(has errors)" in text]
    assert marked == ["identity", "figures"]


def test_an_inline_error_marks_the_field_offices_section(admin_client):
    data = add_office_data(admin_client)
    add_rows(
        data,
        "field_offices",
        {"name": "Baghdad", "position": 0, "is_head_office": "on"},
        {"name": "Erbil", "position": 1, "is_head_office": "on"},
    )

    response = admin_client.post(ADD, data)

    marked = [key for key, text in menu(response) if "(has errors)" in text]
    assert marked == ["field-offices"]


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("name", "name"),
        ("name_fr", "name"),
        ("profile_zh_hans", "profile"),
        ("profile_ar", "profile"),
        ("unknown_fr", "unknown_fr"),
    ],
)
def test_translated_fields_have_their_base_name(settings, name, base):
    settings.LANGUAGES = [
        ("en", "English"),
        ("fr", "French"),
        ("ar", "Arabic"),
        ("zh-hans", "Chinese"),
    ]

    assert base_field_name(name) == base


def test_a_fieldset_of_translated_or_unknown_fields_finds_its_section(settings):
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]

    assert section_of([("name_en", "name_fr"), "slug"]) == "identity"
    assert section_of(["profile_fr"]) == "profile"
    assert section_of(["something_new"]) == "more"

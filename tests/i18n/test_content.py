"""Translated content: fallbacks on the pages, the feed, JSON-LD and the API."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from offices.models import Office
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ThematicPillarFactory,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
IRAQ_RU = "ООН по правам человека в Ираке"  # noqa: RUF001


def english_office(**fields):
    return OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        profile="The Human Rights Office works for all Iraqis.",
        status=Office.Status.PUBLISHED,
        **fields,
    )


def test_a_field_without_translation_reads_as_english_and_says_so():
    office = english_office()

    with translation.override("fr"):
        assert office.name == "UN Human Rights in Iraq"
        assert office.is_fallback("name")
        assert "profile" in office.fallback_fields
    with translation.override("en"):
        assert not office.is_fallback("name")


def test_a_translated_field_reads_in_its_language():
    office = english_office(name_fr="ONU Droits de l'homme en Irak")

    with translation.override("fr"):
        assert office.name == "ONU Droits de l'homme en Irak"
        assert not office.is_fallback("name")
        assert office.is_fallback("profile")


def test_french_page_shows_english_with_lang_and_a_notice(client):
    english_office()

    page = client.get("/fr/offices/iraq/").content.decode()

    assert page.count('id="translation-notice"') == 1
    assert re.search(r'<h1 lang="en">UN Human Rights in Iraq</h1>', page)
    assert re.search(r'<div class="profile__text" lang="en">', page)
    assert "The Human Rights Office works for all Iraqis." in page


def test_arabic_page_marks_english_blocks_left_to_right(client):
    english_office()

    page = client.get("/ar/offices/iraq/").content.decode()

    assert '<h1 lang="en" dir="ltr">' in page


def test_english_page_has_no_notice_and_no_lang_marks(client):
    english_office()

    page = client.get("/en/offices/iraq/").content.decode()

    assert 'id="translation-notice"' not in page
    assert "<h1>UN Human Rights in Iraq</h1>" in page


def test_a_fully_translated_profile_has_no_notice(client):
    office = english_office(
        name_fr="ONU Droits de l'homme en Irak", profile_fr="Le Bureau travaille."
    )
    FieldOfficeFactory(office=office, name="Baghdad", name_fr="Bagdad")

    page = client.get("/fr/offices/iraq/").content.decode()

    assert 'id="translation-notice"' not in page
    assert "<h1>ONU Droits de l&#x27;homme en Irak</h1>" in page
    assert "Bagdad" in page


def test_an_untranslated_field_office_or_mandate_brings_the_notice(client):
    office = english_office(
        name_fr="ONU Droits de l'homme en Irak", profile_fr="Le Bureau travaille."
    )
    MandateFactory(office=office, title="Security Council resolution 2522 (2020)")

    page = client.get("/fr/offices/iraq/").content.decode()

    assert 'id="translation-notice"' in page
    assert '<p class="mandate__title" lang="en">' in page


def test_translated_vocabulary_shows_in_the_readers_language(client):
    pillar = ThematicPillarFactory(
        name="Accountability", name_es="Rendición de cuentas"
    )
    english_office(pillars=[pillar])

    page = client.get("/es/offices/iraq/").content.decode()

    assert "Rendición de cuentas" in page


def test_feed_under_a_language_prefix_is_in_that_language(client):
    english_office(name_fr="ONU Droits de l'homme en Irak")
    OfficeFactory(name="UN Human Rights in Syria", status=Office.Status.PUBLISHED)

    feed = ET.fromstring(client.get("/fr/feed/").content)

    assert feed.get(XML_LANG) == "fr"
    entries = {e.find(f"{ATOM}title").text: e for e in feed.findall(f"{ATOM}entry")}
    assert entries["ONU Droits de l'homme en Irak"].get(XML_LANG) is None
    assert entries["UN Human Rights in Syria"].get(XML_LANG) == "en"
    summary = entries["ONU Droits de l'homme en Irak"].find(f"{ATOM}summary")
    assert summary.get(XML_LANG) == "en"


def json_ld(page):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page)
    return [json.loads(block) for block in blocks]


def test_json_ld_names_the_page_language(client):
    english_office(name_fr="ONU Droits de l'homme en Irak", profile_fr="Le Bureau.")
    OfficeFactory(slug="syria", status=Office.Status.PUBLISHED)

    translated = json_ld(client.get("/fr/offices/iraq/").content.decode())
    untranslated = json_ld(client.get("/fr/offices/syria/").content.decode())

    organization, page = translated[0], translated[1]
    assert organization["name"] == "ONU Droits de l'homme en Irak"
    assert page["inLanguage"] == "fr"
    assert untranslated[1]["inLanguage"] == "en"


def test_csv_under_a_language_prefix_has_that_languages_names(client):
    english_office(name_es="ONU Derechos Humanos en Irak")

    csv = client.get("/es/offices.csv").content.decode()

    assert "ONU Derechos Humanos en Irak" in csv


def test_api_lang_gives_translated_text_with_english_fallback(client):
    english_office(name_ru=IRAQ_RU)
    OfficeFactory(name="UN Human Rights in Syria", status=Office.Status.PUBLISHED)

    listing = client.get("/api/v1/offices/", {"lang": "ru"}).json()
    detail = client.get("/api/v1/offices/iraq/", {"lang": "ru"}).json()

    names = {office["name"] for office in listing["results"]}
    assert names == {IRAQ_RU, "UN Human Rights in Syria"}
    assert detail["name"] == IRAQ_RU


def test_api_without_lang_is_english(client):
    english_office(name_ru=IRAQ_RU)

    assert client.get("/api/v1/offices/iraq/").json()["name"] == (
        "UN Human Rights in Iraq"
    )


def test_api_refuses_an_unknown_language_with_a_clear_error(client):
    english_office()

    response = client.get("/api/v1/offices/", {"lang": "xx"})

    assert response.status_code == 400
    body = response.json()
    assert "lang" in body["errors"]
    assert "ar, zh-hans, en, fr, ru, es" in body["errors"]["lang"][0]


def test_api_schema_documents_lang(client):
    schema = client.get("/api/v1/schema/").content.decode()

    assert '"lang"' in schema or "name: lang" in schema

"""Search in every language: each language's own text with its own
configuration, matched before the English; Chinese by substring."""

import pytest
from django.utils import translation

from offices.models import Office, SearchDocument
from tests.factories import FieldOfficeFactory, OfficeFactory

pytestmark = pytest.mark.django_db


def published(**fields):
    return OfficeFactory(status=Office.Status.PUBLISHED, **fields)


def search(text, language):
    with translation.override(language):
        return list(Office.objects.published().search(text))


def test_each_language_has_its_own_vector():
    office = published(profile_fr="Les droits des travailleurs migrants.")

    document = SearchDocument.objects.get(office=office)

    assert "travailleur" in str(document.vector_fr)  # French stemming
    assert document.vector_es == ""


def test_french_stemming_finds_a_plural_by_its_singular():
    office = published(profile_fr="Le Bureau surveille les élections régionales.")

    assert search("élection", "fr") == [office]


def test_a_match_in_the_readers_language_comes_before_an_english_one():
    english = published(name="UN Human Rights in Alpha", profile="Justice matters.")
    french = published(name="UN Human Rights in Beta", profile_fr="La justice compte.")

    assert search("justice", "fr") == [french, english]
    assert search("justice", "en") == [english]


def test_english_text_is_found_under_every_prefix():
    office = published(profile="Monitoring detention conditions.")

    for language in ["ar", "zh-hans", "fr", "ru", "es"]:
        assert search("detention", language) == [office]


def test_russian_and_spanish_and_arabic_configurations():
    russian = published(profile_ru="Защита прав мигрантов.")
    spanish = published(profile_es="Protección de los defensores.")
    arabic = published(profile_ar="حماية المدافعين عن حقوق الإنسان.")

    assert search("мигранты", "ru") == [russian]
    assert search("defensor", "es") == [spanish]
    assert search("المدافعين", "ar") == [arabic]


def test_chinese_names_are_found_by_a_part_of_them():
    office = published(name_zh_hans="联合国人权事务高级专员办事处伊拉克")
    FieldOfficeFactory(office=published(), name="Erbil", name_zh_hans="埃尔比勒")

    assert search("伊拉克", "zh-hans") == [office]
    assert len(search("埃尔比", "zh-hans")) == 1


def test_the_vector_follows_a_translated_field_office():
    office = published()
    erbil = FieldOfficeFactory(office=office, name="Erbil")

    erbil.name_fr = "Arbil"
    erbil.save()

    assert search("Arbil", "fr") == [office]

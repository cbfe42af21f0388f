"""The index's compiled queries and memoised addresses (offices.compiled,
hrprofile.links.slug_url): the same answers as the ORM and reverse() give, in each
language and under a script prefix, and never stale rows."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix
from django.utils import timezone, translation

from hrprofile.links import slug_url
from mandates.models import Shift, SpotlightPopulation, ThematicPillar
from offices.compiled import published_index, published_search, vocabulary_choices
from offices.models import Office, OfficeStatus
from tests.factories import (
    FieldOfficeFactory,
    OfficeFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    ThematicPillarFactory,
)


def office_url(slug):
    return slug_url("offices:detail", slug)


LANGUAGES = ["en", "fr", "ar", "zh-hans"]


def values(instance):
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
    }


@pytest.fixture
def offices(db):
    iraq = OfficeFactory(
        slug="iraq", name="UN Human Rights in Iraq", name_fr="HCDH Irak"
    )
    FieldOfficeFactory(office=iraq, name="Erbil")
    FieldOfficeFactory(office=iraq, name="Baghdad")
    OfficeFactory(slug="colombia", name="UN Human Rights in Colombia")
    OfficeFactory(slug="draft", name="A draft", status=OfficeStatus.DRAFT)
    OfficeFactory(slug="gone", name="Deleted", deleted_at=timezone.now())
    return iraq


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_unfiltered_index_is_the_querysets_rows(offices, language):
    with translation.override(language):
        compiled = published_index()
        orm = list(
            Office.objects.published()
            .with_field_office_count()
            .in_reader_order("region")
        )

    assert [values(o) for o in compiled] == [values(o) for o in orm]
    counts = [(o.slug, o.field_office_count) for o in compiled]
    assert counts == [(o.slug, o.field_office_count) for o in orm]
    assert sorted(counts) == [("colombia", 0), ("iraq", 2)]
    assert [o.name for o in compiled] == [o.name for o in orm]


# Whole words, parts of words (the LIKE patterns), LIKE's own characters,
# quotes, other scripts, a websearch phrase, and words nothing matches.
SEARCHES = [
    "Erbil",
    "erb",
    "Iraq",
    "Irak",
    "100%",
    "a_b",
    "back\\slash",
    "O'Brien",
    '"human rights" -Colombia',
    "بغداد",
    "伊拉克",
    "nothing like it",
]


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_search_is_the_querysets_rows(offices, language):
    FieldOfficeFactory(office=offices, name="100% a_b back\\slash O'Brien")
    found = set()
    for text in SEARCHES:
        with translation.override(language):
            compiled = published_search(text)
            orm = list(
                Office.objects.published().filtered(q=text).with_field_office_count()
            )

        assert [values(o) for o in compiled] == [values(o) for o in orm], text
        for name in ["rank", "in_language", "field_office_count"]:
            assert [getattr(o, name) for o in compiled] == [
                getattr(o, name) for o in orm
            ], (text, name)
        found |= {text for o in compiled}
    # The comparisons compared something: most searches find Iraq.
    assert {"Erbil", "erb", "100%", "a_b", "back\\slash", "O'Brien"} <= found


@pytest.mark.django_db
def test_a_like_character_in_a_search_matches_only_itself(offices):
    """%, _ and \\ are escaped in the LIKE patterns, as Django escapes them."""
    OfficeFactory(slug="percent", name="Office 50% done")

    assert [o.slug for o in published_search("50%")] == ["percent"]
    assert published_search("5_%") == []


@pytest.mark.django_db
def test_an_office_published_now_is_in_the_next_index(offices):
    published_index()  # compiled
    OfficeFactory(slug="tunisia", name="UN Human Rights in Tunisia")

    assert "tunisia" in [office.slug for office in published_index()]


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_vocabulary_choices_are_the_values_lists(language):
    ThematicPillarFactory(name="Beta", name_fr="Alpha")
    ThematicPillarFactory(name="Alpha", name_fr="")
    ShiftFactory(name="Prevention")
    SpotlightPopulationFactory(name="Youth", name_ar="الشباب")
    with translation.override(language):
        compiled = vocabulary_choices()
        orm = [
            list(model.objects.values_list("slug", "name"))
            for model in (ThematicPillar, Shift, SpotlightPopulation)
        ]

    assert compiled == orm
    assert [len(terms) for terms in compiled] == [2, 1, 1]


@pytest.mark.django_db
def test_a_new_term_is_in_the_choices_at_once(client):
    ThematicPillarFactory(slug="accountability", name="Accountability")
    assert "accountability" in str(vocabulary_choices())
    ShiftFactory(slug="civic-space", name="Civic space")

    assert [slug for slug, _ in vocabulary_choices()[1]] == ["civic-space"]
    response = client.get("/en/offices/")
    assert b'<option value="civic-space">Civic space</option>' in response.content


@pytest.mark.django_db
def test_the_choices_are_asked_in_one_round_trip():
    with CaptureQueriesContext(connection) as queries:
        vocabulary_choices()

    assert len(queries) == 3


@pytest.mark.parametrize("language", ["en", "fr", "ar", "zh-hans"])
@pytest.mark.parametrize("slug", ["iraq", "central-america", "a_b-9"])
def test_a_profiles_address_is_reverses(language, slug):
    with translation.override(language):
        fast = office_url(slug)
        slow = reverse("offices:detail", kwargs={"slug": slug})

    assert fast == slow == f"/{language}/offices/{slug}/"


def test_the_address_follows_the_script_prefix():
    with translation.override("fr"):
        office_url("iraq")  # memoised without a prefix
        set_script_prefix("/sub/")
        try:
            fast = office_url("iraq")
            slow = reverse("offices:detail", kwargs={"slug": "iraq"})
        finally:
            clear_script_prefix()
        after = office_url("iraq")

    assert fast == slow == "/sub/fr/offices/iraq/"
    assert after == "/fr/offices/iraq/"


@pytest.mark.parametrize("slug", ["ирак", "a b", "x/y", "é"])
def test_a_slug_the_pattern_refuses_is_refused_as_reverse_does(slug):
    with translation.override("en"), pytest.raises(NoReverseMatch):
        office_url(slug)


@pytest.mark.django_db
def test_get_absolute_url_is_the_memoised_address():
    office = Office(slug="iraq")
    with translation.override("ru"):
        assert office.get_absolute_url() == "/ru/offices/iraq/"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ar", "zh-hans", "fr", "ru", "es"])
@pytest.mark.parametrize("query", ["", "?q=Iraq", "?q=Erbil&region=mena"])
def test_the_index_reads_no_column_its_queries_left_out(
    client, offices, monkeypatch, language, query
):
    """The index and a search, rendered from nothing in every language, ask
    exactly as many queries as with every column selected: nothing the page
    shows (a name, in the reader's language or falling back to English) is
    in a column defer_unread() left out."""
    from hrprofile import translations
    from hrprofile.queries import forget_compiled

    offices.name_ar = "المفوضية في العراق"
    offices.region = "mena"
    offices.country_code = "IQ"  # on the map, whose query is narrowed too
    offices.save()
    path = f"/{language}/offices/{query}"

    def rendered():
        # Nothing stored, the queries compiled: everything rendered.
        client.get(path)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        return len(queries), response.content

    narrow = rendered()
    monkeypatch.setattr(translations, "unread_columns", lambda model: [])
    forget_compiled()
    try:
        wide = rendered()
    finally:
        forget_compiled()  # not the wide SQL for the tests after this one

    assert narrow == wide
    assert 'class="worldmap"' in narrow[1].decode()
    shown = {"fr": "HCDH Irak", "ar": offices.name_ar}.get(language, offices.name_en)
    assert shown in narrow[1].decode()

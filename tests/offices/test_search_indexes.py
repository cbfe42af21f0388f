"""Search answers from indexes: stored vectors kept by the database, trigrams.

The ranking and results themselves are tested through the index page
(tests/offices/test_views.py); here, that the stored vectors follow every
edit and that PostgreSQL plans the search on the indexes at 1,000 offices.
"""

import pytest
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import OuterRef, StringAgg, Subquery, Value

from mandates.models import Mandate
from offices.models import SEARCH_CONFIG, FieldOffice, Office, SearchDocument
from tests.factories import FieldOfficeFactory, MandateFactory, OfficeFactory

pytestmark = pytest.mark.django_db


def found(text):
    return list(Office.objects.published().search(text))


@pytest.fixture
def iraq():
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        country="Iraq",
        profile="Monitoring in Kurdistan.",
    )
    FieldOfficeFactory(office=office, name="Baghdad")
    FieldOfficeFactory(office=office, name="Erbil")
    MandateFactory(office=office, title="Security Council resolution 2522 (2020)")
    return office


# ---------------------------------------------------------------- stored vector


def _names(model, field):
    return Subquery(
        model.objects.filter(office=OuterRef("pk"))
        .order_by()
        .values("office")
        .annotate(names=StringAgg(field, Value(" "), order_by="pk"))
        .values("names")
    )


def test_stored_vector_is_the_one_search_computed_per_row(iraq):
    """Same texts, weights and configuration: ranking is what it was."""
    computed = (
        SearchVector("name", "country", weight="A", config=SEARCH_CONFIG)
        + SearchVector(
            _names(FieldOffice, "name"),
            _names(Mandate, "title"),
            weight="B",
            config=SEARCH_CONFIG,
        )
        + SearchVector("profile", weight="C", config=SEARCH_CONFIG)
    )

    stored, expected = (
        Office.objects.filter(pk=iraq.pk)
        .annotate(expected=computed)
        .values_list("search_document__vector", "expected")
        .get()
    )

    assert stored == expected


def test_a_new_office_has_a_vector():
    office = OfficeFactory(name="UN Human Rights in Yemen", country="")

    assert SearchDocument.objects.filter(office=office).exists()
    assert found("Yemen") == [office]


def test_a_draft_copy_has_a_vector_of_its_own(iraq):
    draft = OfficeFactory(
        name=iraq.name, country="Iraq", status=Office.Status.DRAFT, draft_of=iraq
    )

    assert SearchDocument.objects.filter(office=draft).exists()
    assert found("Iraq") == [iraq]


def test_renamed_office_is_found_by_its_new_name_only(iraq):
    iraq.name, iraq.country = "UN Human Rights in Mesopotamia", "Mesopotamia"
    iraq.save()

    assert found("Mesopotamia") == [iraq]
    assert found("Iraq") == []


def test_changed_profile_is_found_at_once(iraq):
    Office.objects.filter(pk=iraq.pk).update(profile="Work on water rights.")

    assert found("water") == [iraq]
    assert found("Kurdistan") == []


def test_renamed_field_office_is_found_by_its_new_name_only(iraq):
    FieldOffice.objects.filter(office=iraq, name="Erbil").update(name="Duhok")

    assert found("Duhok") == [iraq]
    assert found("Erbil") == []


def test_added_mandate_is_found_at_once(iraq):
    MandateFactory(office=iraq, title="Agreement on accountability")

    assert found("accountability") == [iraq]


def test_deleted_field_office_is_no_longer_found(iraq):
    FieldOffice.objects.filter(office=iraq, name="Erbil").delete()

    assert found("Erbil") == []
    assert found("Erb") == []


def test_field_office_moved_to_another_office_follows_it(iraq):
    syria = OfficeFactory(name="UN Human Rights for Syria", country="Syria")

    FieldOffice.objects.filter(name="Erbil").update(office=syria)

    assert found("Erbil") == [syria]


def test_deleted_office_takes_its_vector_along(iraq):
    iraq.delete()

    assert not SearchDocument.objects.exists()
    connection.check_constraints()  # the deferred foreign key holds


def test_unchanged_search_text_leaves_the_vector_alone(iraq):
    before = SearchDocument.objects.get(office=iraq)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xmin::text FROM offices_searchdocument WHERE office_id = %s",
            [iraq.pk],
        )
        (row_version,) = cursor.fetchone()

    iraq.host_mission = "UNAMI"
    iraq.save()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xmin::text FROM offices_searchdocument WHERE office_id = %s",
            [iraq.pk],
        )
        assert cursor.fetchone() == (row_version,)
    assert SearchDocument.objects.get(office=iraq).vector == before.vector


# ---------------------------------------------------------------- query plans


@pytest.fixture
def thousand_offices(iraq):
    """1,000 published offices with three field offices and a mandate each."""
    offices = Office.objects.bulk_create(
        Office(
            name=f"UN Human Rights Office {n}",
            slug=f"office-{n}",
            country=f"Country {n}",
            region=Office.Region.AFRICA,
            engagement_type=Office.EngagementType.COUNTRY_OFFICE,
            year_established=2005,
            profile=f"The office number {n} monitors and reports on rights.",
            status=Office.Status.PUBLISHED,
        )
        for n in range(999)
    )
    FieldOffice.objects.bulk_create(
        FieldOffice(office=office, name=f"Town {n}-{k}")
        for n, office in enumerate(offices)
        for k in range(3)
    )
    Mandate.objects.bulk_create(
        Mandate(office=office, kind=Mandate.Kind.THEMATIC, title=f"Mandate {n}")
        for n, office in enumerate(offices)
    )
    with connection.cursor() as cursor:
        for table in [
            "offices_office",
            "offices_fieldoffice",
            "offices_searchdocument",
            "mandates_mandate",
        ]:
            cursor.execute(f"ANALYZE {table}")
    return iraq


def plan(text):
    # As the index page asks: published, with the field office count.
    return Office.objects.published().with_field_office_count().search(text).explain()


def test_full_text_search_uses_the_vector_index(thousand_offices):
    assert found("Erbil") == [thousand_offices]
    assert "Bitmap Index Scan on searchdocument_vector" in plan("Erbil")


@pytest.mark.parametrize(
    "index", ["office_name_trgm", "office_country_trgm", "fieldoffice_name_trgm"]
)
def test_partial_word_search_uses_the_trigram_indexes(thousand_offices, index):
    assert found("Erb") == [thousand_offices]
    assert f"Bitmap Index Scan on {index}" in plan("Erb")


def test_search_scans_no_table_whole(thousand_offices):
    assert "Seq Scan" not in plan("Erbil")

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from mandates.models import Mandate
from tests.factories import (
    MandateFactory,
    OfficeFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    ThematicPillarFactory,
)

pytestmark = pytest.mark.django_db

# (factory, Office relation, URL prefix) for each taxonomy.
TAXONOMIES = [
    pytest.param(ThematicPillarFactory, "pillars", "/en/pillars/", id="pillar"),
    pytest.param(ShiftFactory, "shifts", "/en/shifts/", id="shift"),
    pytest.param(
        SpotlightPopulationFactory,
        "spotlight_populations",
        "/en/populations/",
        id="population",
    ),
]


@pytest.mark.parametrize(("factory", "relation", "prefix"), TAXONOMIES)
def test_term_slugs_are_unique(factory, relation, prefix):
    factory(slug="women")

    with pytest.raises(IntegrityError), transaction.atomic():
        factory(slug="women")

    assert factory._meta.model.objects.count() == 1


@pytest.mark.parametrize(("factory", "relation", "prefix"), TAXONOMIES)
def test_term_names_are_unique(factory, relation, prefix):
    factory(name="Women")

    with pytest.raises(IntegrityError), transaction.atomic():
        factory(name="Women")

    assert factory._meta.model.objects.count() == 1


@pytest.mark.parametrize(("factory", "relation", "prefix"), TAXONOMIES)
def test_deleting_a_term_in_use_is_refused_and_names_the_profile(
    factory, relation, prefix
):
    term = factory()
    office = OfficeFactory(name="UN Human Rights in Iraq", **{relation: [term]})

    with pytest.raises(ProtectedError, match="UN Human Rights in Iraq") as error:
        term.delete()

    assert error.value.protected_objects == {office}
    assert list(getattr(office, relation).all()) == [term]


@pytest.mark.parametrize(("factory", "relation", "prefix"), TAXONOMIES)
def test_deleting_terms_in_use_through_a_queryset_deletes_none(
    factory, relation, prefix
):
    used, unused = factory(), factory()
    OfficeFactory(**{relation: [used]})

    with pytest.raises(ProtectedError):
        factory._meta.model.objects.all().delete()

    assert set(factory._meta.model.objects.all()) == {used, unused}


@pytest.mark.parametrize(("factory", "relation", "prefix"), TAXONOMIES)
def test_a_draft_profile_also_protects_its_terms(factory, relation, prefix):
    term = factory()
    OfficeFactory(status="draft", **{relation: [term]})

    with pytest.raises(ProtectedError):
        term.delete()

    assert factory._meta.model.objects.filter(pk=term.pk).exists()


@pytest.mark.parametrize(("factory", "relation", "prefix"), TAXONOMIES)
def test_deleting_an_unused_term_works(factory, relation, prefix):
    unused = factory()
    OfficeFactory(**{relation: [factory()]})

    unused.delete()

    assert not factory._meta.model.objects.filter(pk=unused.pk).exists()


@pytest.mark.parametrize(("factory", "relation", "prefix"), TAXONOMIES)
def test_deleting_unused_terms_through_a_queryset_works(factory, relation, prefix):
    factory()
    factory()

    deleted, _ = factory._meta.model.objects.all().delete()

    assert deleted == 2
    assert not factory._meta.model.objects.exists()


@pytest.mark.parametrize(("factory", "relation", "prefix"), TAXONOMIES)
def test_term_str_is_its_name(factory, relation, prefix):
    assert str(factory.build(name="Accountability")) == "Accountability"


@pytest.mark.parametrize(("factory", "relation", "prefix"), TAXONOMIES)
def test_term_absolute_url_is_its_page(factory, relation, prefix):
    assert factory.build(slug="women").get_absolute_url() == f"{prefix}women/"


@pytest.mark.parametrize(("factory", "relation", "prefix"), TAXONOMIES)
def test_terms_are_listed_by_position(factory, relation, prefix):
    factory(name="B second", position=2)
    factory(name="C first", position=1)

    names = [t.name for t in factory._meta.model.objects.all()]

    assert names == ["C first", "B second"]


def test_mandate_str_is_its_title():
    mandate = MandateFactory.build(title="Security Council resolution 2522 (2020)")

    assert str(mandate) == "Security Council resolution 2522 (2020)"


def test_mandates_are_listed_by_position():
    office = OfficeFactory()
    MandateFactory(office=office, title="Child Protection", position=2)
    MandateFactory(office=office, title="Resolution 2522", position=0)

    assert [m.title for m in office.mandates.all()] == [
        "Resolution 2522",
        "Child Protection",
    ]


def test_database_rejects_an_invalid_mandate_kind():
    mandate = MandateFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Mandate.objects.filter(pk=mandate.pk).update(kind="treaty")

    mandate.refresh_from_db()
    assert mandate.kind == Mandate.Kind.SECURITY_COUNCIL


def test_full_clean_rejects_an_invalid_mandate_kind():
    with pytest.raises(ValidationError) as error:
        MandateFactory.build(office=OfficeFactory(), kind="treaty").full_clean()

    assert "kind" in error.value.message_dict


def test_database_rejects_a_mandate_integrated_before_1945():
    with pytest.raises(IntegrityError), transaction.atomic():
        MandateFactory(kind=Mandate.Kind.THEMATIC, integrated_in=1944)

    assert not Mandate.objects.exists()


def test_full_clean_rejects_a_mandate_integrated_before_1945():
    mandate = MandateFactory.build(office=OfficeFactory(), integrated_in=1944)

    with pytest.raises(ValidationError):
        mandate.full_clean()


@pytest.mark.parametrize("year", [None, 1945, 2019])
def test_mandate_integration_year_is_optional_from_1945(year):
    mandate = MandateFactory(kind=Mandate.Kind.THEMATIC, integrated_in=year)

    mandate.full_clean()
    mandate.refresh_from_db()
    assert mandate.integrated_in == year


def test_protected_error_counts_every_profile_using_the_term():
    pillar = ThematicPillarFactory()
    OfficeFactory.create_batch(21, pillars=[pillar])

    with pytest.raises(ProtectedError, match="used by 21 profiles"):
        pillar.delete()


def test_protected_error_for_one_profile_is_singular():
    pillar = ThematicPillarFactory()
    OfficeFactory(pillars=[pillar])

    with pytest.raises(ProtectedError, match="used by 1 profile "):
        pillar.delete()

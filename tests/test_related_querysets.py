"""CompiledRelations.related_queryset(): the queryset a related manager makes
(office.<relation>.all()), copied from a per-language prototype instead of
made by a related manager on every profile. It must be the manager's, for
any office and language: the same SQL once its condition applies, the same
rows when narrowed, nothing of another office."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from offices.models import PAGE_RELATIONS, Office
from offices.views import PROFILE_RELATIONS
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ShiftFactory,
    TagFactory,
    ThematicPillarFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices():
    iraq = OfficeFactory(
        slug="iraq",
        pillars=ThematicPillarFactory.create_batch(2),
        shifts=ShiftFactory.create_batch(1),
        tags=[TagFactory(name="Alpha", name_fr="Zèbre"), TagFactory(name="Beta")],
    )
    FieldOfficeFactory(office=iraq, name="Erbil", position=2)
    FieldOfficeFactory(office=iraq, name="Baghdad", position=1)
    MandateFactory(office=iraq)
    syria = OfficeFactory(slug="syria", pillars=ThematicPillarFactory.create_batch(1))
    FieldOfficeFactory(office=syria, name="Damascus")
    return iraq, syria


def sql(queryset):
    return str(queryset.query)


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_copied_queryset_is_the_related_managers(offices, language):
    with translation.override(language):
        for office in offices:
            fresh = Office.objects.get(pk=office.pk)
            for name in PAGE_RELATIONS:
                made = getattr(fresh, name).all()
                copied = PROFILE_RELATIONS.related_queryset(fresh, name)
                # modeltranslation makes a class per queryset: the same bases.
                assert type(copied).__mro__[1:] == type(made).__mro__[1:], name
                assert copied._hints == made._hints, name
                assert copied._known_related_objects == made._known_related_objects
                assert sql(copied) == sql(made), name
                assert list(copied) == list(made), name
                assert list(copied.order_by("-pk")) == list(made.order_by("-pk"))


def test_each_office_gets_its_own_rows(offices):
    iraq, syria = (Office.objects.get(pk=office.pk) for office in offices)
    for office in (iraq, syria):
        PROFILE_RELATIONS.attach(office)
    with CaptureQueriesContext(connection) as queries:
        assert [f.name for f in iraq.field_offices.all()] == ["Baghdad", "Erbil"]
        assert [f.name for f in syria.field_offices.all()] == ["Damascus"]
        assert len(iraq.pillars.all()) == 2 and len(syria.pillars.all()) == 1
    assert queries.captured_queries == []
    # Narrowed: the database asked with this office's condition.
    assert list(syria.field_offices.filter(name__startswith="D")) == list(
        syria.field_offices.model.objects.filter(name="Damascus")
    )
    assert list(syria.pillars.filter(pk__in=iraq.pillars.all())) == []
    with translation.override("fr"):
        assert [t.name for t in iraq.tags.filter(name="Zèbre")] == ["Zèbre"]

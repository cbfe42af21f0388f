"""CompiledRelations.related_queryset(): the queryset a related manager makes
(office.<relation>.all()), copied from a per-language prototype instead of
made by a related manager on every profile. It must be the manager's, for
any office and language: the same SQL once its condition applies, the same
rows when narrowed, nothing of another office."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from hrprofile.translations import defer_unread
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


def instance_state(instance):
    """What an instance holds: its attributes (the prefetched rows aside)
    and its state."""
    attributes = {
        name: value
        for name, value in instance.__dict__.items()
        if name not in ("_state", "_prefetched_objects_cache")
    }
    state = instance._state
    return attributes, state.adding, state.db, state.fetch_mode


@pytest.mark.parametrize("language", ["en", "fr"])
def test_instances_made_without_init_are_the_orms(offices, language):
    from hrprofile.queries import plain_init
    from offices.views import PUBLISHED_PROFILE

    iraq = offices[0]
    with translation.override(language):
        [compiled] = PUBLISHED_PROFILE.rows("iraq")
        assert PUBLISHED_PROFILE._get_compiled()["plain"]
        # As the ORM makes them with the same columns deferred (from_db()).
        orm = defer_unread(Office.objects.with_translation_state()).get(pk=iraq.pk)
        assert instance_state(compiled) == instance_state(orm)
        assert compiled._state.fields_cache == orm._state.fields_cache == {}
        assert compiled.name == orm.name
        assert not hasattr(compiled, "_mt_init")
        PROFILE_RELATIONS.attach(compiled)
        for name in PAGE_RELATIONS:
            query = PROFILE_RELATIONS.queries[name]
            assert query._get_compiled()["plain"], name
            made = list(defer_unread(getattr(orm, name).all()))
            attached = list(getattr(compiled, name).all())
            assert [instance_state(row) for row in attached] == [
                instance_state(row) for row in made
            ], name
            # (The ORM's prefetch also caches each row's office; attach()
            # never did.)
        # Saved as any instance is: an UPDATE, with the new value.
        compiled.staff_count = 41
        compiled.save(update_fields=["staff_count"])
        assert Office.objects.get(pk=iraq.pk).staff_count == 41
    assert not plain_init(type("Custom", (), {"__init__": lambda self: None}))

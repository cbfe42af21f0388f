"""Drafts, publishing, versions and reverting carry every language."""

import pytest
import reversion
from reversion.models import Version

from offices import editorial
from offices.history import diff, snapshot
from offices.models import Office
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def live(editor):
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        name_fr="ONU Droits de l'homme en Irak",
        status=Office.Status.PUBLISHED,
    )
    FieldOfficeFactory(office=office, name="Baghdad", name_fr="Bagdad")
    MandateFactory(office=office, title="Resolution 2522", title_fr="Résolution 2522")
    with reversion.create_revision():
        reversion.add_to_revision(office)
    return office


def test_a_draft_copies_every_language(live, editor):
    draft = editorial.start_draft(live, by=editor)

    assert draft.name_fr == "ONU Droits de l'homme en Irak"
    assert draft.field_offices.get().name_fr == "Bagdad"
    assert draft.mandates.get().title_fr == "Résolution 2522"


def test_publishing_a_draft_carries_its_translations(live, editor):
    draft = editorial.start_draft(live, by=editor)
    draft.name_es = "ONU Derechos Humanos en Irak"
    draft.save()
    baghdad = draft.field_offices.get()
    baghdad.name_ar = "بغداد"
    baghdad.save()

    editorial.publish(draft, by=editor)

    live.refresh_from_db()
    assert live.name_es == "ONU Derechos Humanos en Irak"
    assert live.name_fr == "ONU Droits de l'homme en Irak"
    assert live.field_offices.get().name_ar == "بغداد"


def test_the_diff_names_each_language(live, editor):
    draft = editorial.start_draft(live, by=editor)
    draft.name_fr = "Bureau de l'ONU en Irak"
    draft.save()

    changes = [
        (c.field, c.before, c.after) for c in diff(snapshot(live), snapshot(draft))
    ]

    assert changes == [
        ("Name [fr]", "ONU Droits de l'homme en Irak", "Bureau de l'ONU en Irak")
    ]


def test_versions_record_and_revert_translations(live, editor):
    first = Version.objects.get_for_object(live).latest("pk")
    draft = editorial.start_draft(live, by=editor)
    draft.name_fr = "Bureau de l'ONU en Irak"
    draft.save()
    editorial.publish(draft, by=editor)
    live.refresh_from_db()
    assert live.name_fr == "Bureau de l'ONU en Irak"
    assert "name_fr" in Version.objects.get_for_object(live).latest("pk").field_dict

    draft = editorial.revert_office(live, first, by=editor)
    assert draft.name_fr == "ONU Droits de l'homme en Irak"
    editorial.publish(draft, by=editor)

    live.refresh_from_db()
    assert live.name_fr == "ONU Droits de l'homme en Irak"
    assert live.field_offices.get().name_fr == "Bagdad"


def test_swapping_field_office_names_in_every_language_publishes(live, editor):
    FieldOfficeFactory(office=live, name="Erbil", name_fr="Erbil (fr)")
    draft = editorial.start_draft(live, by=editor)
    baghdad, erbil = draft.field_offices.order_by("name_en")
    # The editor swaps the two in the draft, one step at a time.
    erbil.name_en, erbil.name_fr = "Somewhere", "Quelque part"
    erbil.save()
    baghdad.name_en, baghdad.name_fr = "Erbil", "Erbil (fr)"
    baghdad.save()
    erbil.name_en, erbil.name_fr = "Baghdad", "Bagdad"
    erbil.save()

    editorial.publish(draft, by=editor)

    names = set(live.field_offices.values_list("name_en", "name_fr"))
    assert names == {("Erbil", "Erbil (fr)"), ("Baghdad", "Bagdad")}

"""The per-office stamp: Office.updated_at, moved by the database.

Any write that changes what an office's public representation shows moves
that office's updated_at, and no other's, however it is made (save(), a bulk
update(), raw SQL): its own row, its field offices, mandates, translation
checks and links to terms, and a term it shows. Writes to its editorial
bookkeeping leave it. A published office that leaves the public site is
recorded in OfficeRemoval. Triggers of migration offices 0017_office_stamp.
"""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from mandates.models import Mandate, Shift, SpotlightPopulation, Tag, ThematicPillar
from offices.editorial import publish, purge, restore, soft_delete, start_draft
from offices.editorial import unpublish as unpublish_office
from offices.models import FieldOffice, Office, OfficeRemoval, TranslationCheck
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    TagFactory,
    ThematicPillarFactory,
    UserFactory,
)

YESTERDAY = timezone.now() - datetime.timedelta(days=1)


def stamp(office):
    return Office.objects.values_list("updated_at", flat=True).get(pk=office.pk)


def write(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def offices(db):
    """Two offices, each with a field office and a mandate, last changed
    yesterday: the one a test changes, and another that must not move."""
    pair = []
    for name in ("Changed", "Other"):
        office = OfficeFactory(name=name)
        FieldOfficeFactory(office=office)
        MandateFactory(office=office)
        pair.append(office)
    yesterday()
    return pair


def yesterday():
    # Writing updated_at alone is not a content change: it is kept as written.
    Office.objects.update(updated_at=YESTERDAY)


def assert_moved_only(changed, other):
    assert stamp(changed) > YESTERDAY
    assert stamp(other) == YESTERDAY


# The office's own row.


@pytest.mark.parametrize(
    "change",
    [
        lambda o: Office.objects.filter(pk=o.pk).update(name="Renamed"),
        lambda o: Office.objects.filter(pk=o.pk).update(name_fr="Renommé"),
        lambda o: Office.objects.filter(pk=o.pk).update(last_reviewed="2026-01-01"),
        lambda o: Office.objects.filter(pk=o.pk).update(status=Office.Status.DRAFT),
        lambda o: write(
            "UPDATE offices_office SET host_mission = 'UNAMI' WHERE id = %s", [o.pk]
        ),
    ],
    ids=["name", "translation", "last_reviewed", "status", "raw-sql"],
)
def test_a_change_to_the_row_moves_its_stamp(offices, change):
    change(offices[0])

    assert_moved_only(*offices)


def test_the_stamp_is_the_time_of_the_change(offices):
    before = timezone.now()

    Office.objects.filter(pk=offices[0].pk).update(country="Elsewhere")

    assert before <= stamp(offices[0]) <= timezone.now()


@pytest.mark.parametrize(
    "bookkeeping",
    [
        {"edit_version": 7},
        {"deferred_until": "2030-01-01"},
        {"review_interval_months": 6},
        {"publish_at": YESTERDAY + datetime.timedelta(days=30)},
        {"name": "Changed"},  # the value it already has
    ],
    ids=["edit_version", "deferred_until", "interval", "publish_at", "same-value"],
)
def test_bookkeeping_and_unchanged_values_leave_it(offices, bookkeeping):
    Office.objects.filter(pk=offices[0].pk).update(**bookkeeping)

    assert stamp(offices[0]) == YESTERDAY


def test_it_never_goes_back(offices):
    # A writer's clock ahead of the database's (another host, a correction).
    future = timezone.now() + datetime.timedelta(hours=1)
    Office.objects.filter(pk=offices[0].pk).update(updated_at=future)

    Office.objects.filter(pk=offices[0].pk).update(name="First")
    first = stamp(offices[0])
    FieldOffice.objects.filter(office=offices[0]).update(note="Second")

    assert future < first < stamp(offices[0])


def test_two_changes_in_one_transaction_give_two_stamps(offices):
    Office.objects.filter(pk=offices[0].pk).update(name="First")
    first = stamp(offices[0])

    Mandate.objects.filter(office=offices[0]).update(title="Second")

    assert stamp(offices[0]) > first


# Field offices, mandates and translation checks: insert, update, delete.

ROWS = {
    "field office": (FieldOffice, FieldOfficeFactory, {"name": "Erbil"}),
    "mandate": (Mandate, MandateFactory, {"title": "Resolution 2522"}),
}


@pytest.mark.parametrize("kind", ROWS)
def test_adding_a_row_moves_its_office(offices, kind):
    _model, factory, _change = ROWS[kind]

    factory(office=offices[0])

    assert_moved_only(*offices)


@pytest.mark.parametrize("kind", ROWS)
def test_an_update_of_a_row_moves_its_office(offices, kind):
    model, _factory, change = ROWS[kind]

    model.objects.filter(office=offices[0]).update(**change)

    assert_moved_only(*offices)


@pytest.mark.parametrize("kind", ROWS)
def test_a_row_saved_unchanged_moves_nothing(offices, kind):
    model, _factory, _change = ROWS[kind]

    model.objects.get(office=offices[0]).save()

    assert stamp(offices[0]) == YESTERDAY


@pytest.mark.parametrize("kind", ROWS)
def test_deleting_a_row_moves_its_office(offices, kind):
    model, _factory, _change = ROWS[kind]

    model.objects.filter(office=offices[0]).delete()

    assert_moved_only(*offices)


def test_moving_a_row_to_another_office_moves_both(offices):
    FieldOffice.objects.filter(office=offices[0]).update(office=offices[1])

    assert stamp(offices[0]) > YESTERDAY
    assert stamp(offices[1]) > YESTERDAY


def test_a_field_office_renamed_in_raw_sql_moves_its_office(offices):
    write(
        "UPDATE offices_fieldoffice SET name_en = 'Basra' WHERE office_id = %s",
        [offices[0].pk],
    )

    assert_moved_only(*offices)


def test_translation_checks_move_their_office(offices):
    check = TranslationCheck.objects.create(
        office=offices[0],
        language="fr",
        checked_at=timezone.now(),
        english_digest="0" * 64,
        english_text={"name": "UN Human Rights in Iraq"},
    )
    assert_moved_only(*offices)

    yesterday()
    TranslationCheck.objects.filter(pk=check.pk).update(english_digest="1" * 64)
    assert_moved_only(*offices)

    yesterday()
    check.delete()
    assert_moved_only(*offices)


# Terms and tags: the links, and the terms themselves.

TERMS = [
    ("pillars", ThematicPillarFactory, ThematicPillar),
    ("shifts", ShiftFactory, Shift),
    ("spotlight_populations", SpotlightPopulationFactory, SpotlightPopulation),
    ("tags", TagFactory, Tag),
]


@pytest.mark.parametrize(("relation", "factory", "model"), TERMS)
def test_linking_and_unlinking_a_term_moves_the_office(
    offices, relation, factory, model
):
    term = factory()

    getattr(offices[0], relation).add(term)
    assert_moved_only(*offices)

    yesterday()
    getattr(offices[0], relation).remove(term)
    assert_moved_only(*offices)


@pytest.mark.parametrize(("relation", "factory", "model"), TERMS)
def test_a_term_renamed_moves_every_office_that_shows_it(
    offices, relation, factory, model
):
    term = factory()
    third = OfficeFactory(**{relation: [term]})
    getattr(offices[0], relation).add(term)
    yesterday()

    # A bulk update: no save(), no signal.
    model.objects.filter(pk=term.pk).update(name="Renamed", name_fr="Renommé")

    assert stamp(third) > YESTERDAY
    assert_moved_only(*offices)


@pytest.mark.parametrize(("relation", "factory", "model"), TERMS)
def test_a_term_saved_unchanged_moves_nothing(offices, relation, factory, model):
    term = factory()
    getattr(offices[0], relation).add(term)
    yesterday()

    # save() writes the term's own updated_at, nothing an office shows.
    model.objects.get(pk=term.pk).save()

    assert stamp(offices[0]) == YESTERDAY


# The editorial workflow: what it publishes moves the live office.


def test_publishing_a_draft_copy_moves_the_live_office(offices):
    editor = UserFactory()
    live = offices[0]
    copy = start_draft(live, by=editor)
    FieldOffice.objects.filter(office=copy).update(name="Mosul")
    yesterday()

    publish(copy, by=editor)

    assert_moved_only(*offices)


def test_editing_a_draft_copy_leaves_the_live_office(offices):
    copy = start_draft(offices[0], by=UserFactory())
    yesterday()

    FieldOffice.objects.filter(office=copy).update(name="Mosul")
    Office.objects.filter(pk=copy.pk).update(name="Pending")

    assert stamp(offices[0]) == YESTERDAY


# Removals: a published office that leaves the public site.


def removals():
    return list(OfficeRemoval.objects.values_list("office_id", "slug"))


@pytest.fixture
def editor(db):
    return UserFactory()


def test_unpublishing_records_a_removal(offices, editor):
    before = timezone.now()

    unpublish_office(offices[0], by=editor)

    removal = OfficeRemoval.objects.get()
    assert (removal.office_id, removal.slug) == (offices[0].pk, offices[0].slug)
    assert before <= removal.removed_at <= timezone.now()
    assert stamp(offices[0]) > YESTERDAY


def test_a_soft_delete_records_a_removal(offices, editor):
    soft_delete(offices[0], by=editor)

    assert removals() == [(offices[0].pk, offices[0].slug)]


def test_a_delete_of_a_published_office_records_a_removal(offices):
    pk, slug = offices[0].pk, offices[0].slug

    write("DELETE FROM offices_translationcheck WHERE office_id = %s", [pk])
    Office.objects.filter(pk=pk).delete()

    assert removals() == [(pk, slug)]


def test_a_purge_keeps_the_removal_of_the_delete(offices, editor):
    soft_delete(offices[0], by=editor)
    first = OfficeRemoval.objects.get()

    purge(Office.objects.get(pk=offices[0].pk))

    assert list(OfficeRemoval.objects.all()) == [first]
    assert OfficeRemoval.objects.get().removed_at == first.removed_at


def test_the_slug_recorded_is_the_one_the_public_knew(offices, editor):
    slug = offices[0].slug
    unpublish_office(offices[0], by=editor)

    Office.objects.filter(pk=offices[0].pk).update(slug="renamed-while-hidden")

    assert removals() == [(offices[0].pk, slug)]


def test_an_office_public_again_is_no_longer_removed(offices, editor):
    soft_delete(offices[0], by=editor)
    restore(offices[0], by=editor)
    unpublish_office(offices[1], by=editor)
    publish(Office.objects.get(pk=offices[1].pk), by=editor)

    assert removals() == []


def test_what_the_public_never_saw_is_never_removed(offices, editor):
    draft = OfficeFactory(status=Office.Status.DRAFT)
    copy = start_draft(offices[0], by=editor)

    soft_delete(draft, by=editor)
    Office.objects.filter(pk=copy.pk).delete()
    Office.objects.filter(pk=offices[1].pk).update(name="Still public")

    assert removals() == []


def test_removals_are_kept_a_year(offices, editor):
    for office in offices:
        unpublish_office(office, by=editor)
    year_ago = timezone.now() - datetime.timedelta(days=365)
    OfficeRemoval.objects.filter(office_id=offices[0].pk).update(
        removed_at=year_ago - datetime.timedelta(minutes=1)
    )
    OfficeRemoval.objects.filter(office_id=offices[1].pk).update(
        removed_at=year_ago + datetime.timedelta(minutes=1)
    )
    out = StringIO()

    call_command("trim_removals", stdout=out)

    assert removals() == [(offices[1].pk, offices[1].slug)]
    assert "1 removal" in out.getvalue()


def test_trim_age_is_an_option(offices, editor):
    unpublish_office(offices[0], by=editor)
    OfficeRemoval.objects.update(removed_at=timezone.now() - datetime.timedelta(3))

    call_command("trim_removals", "--age", "2", stdout=StringIO())

    assert removals() == []


@pytest.mark.parametrize("age", ["0", "-1", "a year"])
def test_trim_refuses_an_age_that_is_not_days(offices, editor, age):
    unpublish_office(offices[0], by=editor)

    with pytest.raises(CommandError, match="not a number of days"):
        call_command("trim_removals", "--age", age, stdout=StringIO())

    assert len(removals()) == 1

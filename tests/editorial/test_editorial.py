"""The editorial workflow functions (offices/editorial/), driven directly."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from reversion.models import Version

from audit.models import AuditEntry
from mandates.models import Mandate
from offices import editorial
from offices.history import diff, snapshot
from offices.models import FieldOffice, Office
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ShiftFactory,
    TagFactory,
    ThematicPillarFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", first_name="Eda", last_name="Editor")


@pytest.fixture
def live(db):
    """A published office with two field offices, a mandate, terms and a tag."""
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        profile="Live text.",
        pillars=[ThematicPillarFactory(name="Accountability")],
        shifts=[ShiftFactory(name="Prevention")],
        tags=[TagFactory(name="Elections")],
    )
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    FieldOfficeFactory(office=office, name="Erbil")
    MandateFactory(office=office, title="Resolution 2522")
    return office


def entries(action, office):
    return AuditEntry.objects.filter(action=action, office_id=office.pk)


# Drafts of live profiles


def test_start_draft_copies_the_whole_profile(live, editor):
    draft = editorial.start_draft(live, by=editor)

    assert draft.pk != live.pk
    assert draft.draft_of == live
    assert draft.status == Office.Status.DRAFT
    assert diff(snapshot(live), snapshot(draft)) == []
    assert sorted(draft.field_offices.values_list("copied_from", flat=True)) == sorted(
        live.field_offices.values_list("pk", flat=True)
    )


def test_start_draft_returns_the_pending_draft(live, editor):
    first = editorial.start_draft(live, by=editor)

    assert editorial.start_draft(live, by=editor) == first
    assert Office.objects.filter(draft_of=live).count() == 1


def test_a_new_office_needs_no_draft_copy(editor):
    new = OfficeFactory(status=Office.Status.DRAFT)

    with pytest.raises(editorial.EditorialError, match="not published yet"):
        editorial.start_draft(new, by=editor)


def test_the_draft_is_not_an_office_of_its_own(live, editor):
    draft = editorial.start_draft(live, by=editor)

    assert list(Office.objects.live()) == [live]
    assert list(Office.objects.published()) == [live]
    assert draft not in Office.objects.due_for_review(datetime.date(2030, 1, 1))


def edit_draft(draft):
    """What an editor does in the draft's form: text, terms, rows."""
    Office.objects.filter(pk=draft.pk).update(name="UN Human Rights in Iraq (new)")
    draft.refresh_from_db()
    draft.tags.set([TagFactory(name="Water")])
    baghdad = draft.field_offices.get(name="Baghdad")
    baghdad.is_head_office = False
    baghdad.save()
    erbil = draft.field_offices.get(name="Erbil")
    erbil.is_head_office = True
    erbil.note = "Kurdistan Region"
    erbil.save()
    draft.field_offices.filter(name="Baghdad").delete()
    FieldOfficeFactory(office=draft, name="Basra")
    draft.mandates.update(title="Resolution 2522 (2020)")
    return draft


def test_the_live_office_is_unchanged_until_publication(live, editor):
    draft = edit_draft(editorial.start_draft(live, by=editor))

    live.refresh_from_db()
    assert live.name == "UN Human Rights in Iraq"
    assert set(live.field_offices.values_list("name", flat=True)) == {
        "Baghdad",
        "Erbil",
    }
    assert [
        (c.section, c.field, c.before, c.after)
        for c in diff(snapshot(live), snapshot(draft))
    ] == [
        (
            "Office",
            "Name [en]",
            "UN Human Rights in Iraq",
            "UN Human Rights in Iraq (new)",
        ),
        ("Office", "Tags", "Elections", "Water"),
        ("Field office “Baghdad”", "Removed", "Baghdad", "—"),
        ("Field office “Erbil”", "Note [en]", "—", "Kurdistan Region"),
        ("Field office “Erbil”", "Head office", "No", "Yes"),
        ("Field office “Basra”", "Added", "—", "Basra"),
        (
            "Mandate “Resolution 2522 (2020)”",
            "Title [en]",
            "Resolution 2522",
            "Resolution 2522 (2020)",
        ),
    ]


def test_publish_applies_the_draft_and_keeps_row_ids(live, editor):
    erbil_id = live.field_offices.get(name="Erbil").pk
    mandate_id = live.mandates.get().pk
    draft = edit_draft(editorial.start_draft(live, by=editor))

    published = editorial.publish(draft, by=editor)

    assert published.pk == live.pk
    assert published.name == "UN Human Rights in Iraq (new)"
    assert published.status == Office.Status.PUBLISHED
    rows = {fo.name: fo for fo in published.field_offices.all()}
    assert set(rows) == {"Erbil", "Basra"}
    assert rows["Erbil"].pk == erbil_id
    assert rows["Erbil"].is_head_office
    assert rows["Erbil"].note == "Kurdistan Region"
    assert rows["Basra"].copied_from is None
    assert published.mandates.get().pk == mandate_id
    assert published.mandates.get().title == "Resolution 2522 (2020)"
    assert list(published.tags.values_list("name", flat=True)) == ["Water"]
    assert not Office.objects.filter(pk=draft.pk).exists()
    assert FieldOffice.objects.count() == 2
    assert Mandate.objects.count() == 1


def test_publish_records_a_version_and_an_audit_entry(live, editor):
    draft = editorial.start_draft(live, by=editor)

    editorial.publish(draft, by=editor)

    version = Version.objects.get_for_object(live).first()
    assert version.revision.user == editor
    assert version.field_dict["name"] == live.name
    entry = entries(AuditEntry.Action.PUBLISH, live).get()
    assert entry.actor == editor


def test_publish_keeps_the_review_state_and_reviewers(live, editor):
    Office.objects.filter(pk=live.pk).update(last_reviewed=datetime.date(2025, 5, 1))
    live.reviewers.add(editor)
    draft = editorial.start_draft(live, by=editor)

    published = editorial.publish(draft, by=editor)

    assert published.last_reviewed == datetime.date(2025, 5, 1)
    assert list(published.reviewers.all()) == [editor]


def test_publish_a_changed_slug_keeps_the_old_one(live, editor):
    draft = editorial.start_draft(live, by=editor)
    Office.objects.filter(pk=draft.pk).update(slug="iraq-unami")

    published = editorial.publish(Office.objects.get(pk=draft.pk), by=editor)

    assert published.slug == "iraq-unami"
    assert published.old_slugs == ["iraq"]


def test_publish_refuses_a_slug_another_office_has(live, editor):
    OfficeFactory(slug="syria")
    draft = editorial.start_draft(live, by=editor)
    Office.objects.filter(pk=draft.pk).update(slug="syria")

    with pytest.raises(editorial.EditorialError, match="syria"):
        editorial.publish(Office.objects.get(pk=draft.pk), by=editor)

    live.refresh_from_db()
    assert live.slug == "iraq"
    assert Office.objects.filter(pk=draft.pk).exists()


def test_publish_a_new_office(editor):
    new = OfficeFactory(status=Office.Status.DRAFT)

    editorial.publish(new, by=editor)

    new.refresh_from_db()
    assert new.is_published
    assert entries(AuditEntry.Action.PUBLISH, new).exists()


def test_publishing_twice_is_refused(live, editor):
    with pytest.raises(editorial.EditorialError, match="already published"):
        editorial.publish(live, by=editor)


def test_discard_draft_deletes_the_copy_only(live, editor):
    draft = edit_draft(editorial.start_draft(live, by=editor))

    editorial.discard_draft(draft, by=editor)

    assert not Office.objects.filter(pk=draft.pk).exists()
    live.refresh_from_db()
    assert set(live.field_offices.values_list("name", flat=True)) == {
        "Baghdad",
        "Erbil",
    }
    assert entries(AuditEntry.Action.DISCARD_DRAFT, live).get().actor == editor


def test_unpublish_takes_the_office_off_the_site(live, editor):
    editorial.unpublish(live, by=editor)

    live.refresh_from_db()
    assert live.status == Office.Status.DRAFT
    assert not Office.objects.published().exists()
    assert entries(AuditEntry.Action.UNPUBLISH, live).exists()


# Versions and revert


def test_revert_restores_fields_terms_and_inlines_as_a_new_version(live, editor):
    editorial.publish(editorial.start_draft(live, by=editor), by=editor)
    first = Version.objects.get_for_object(live).first()
    editorial.publish(edit_draft(editorial.start_draft(live, by=editor)), by=editor)

    draft = editorial.revert_office(live, first, by=editor)
    reverted = editorial.publish(draft, by=editor)

    assert reverted.name == "UN Human Rights in Iraq"
    assert set(reverted.field_offices.values_list("name", flat=True)) == {
        "Baghdad",
        "Erbil",
    }
    assert reverted.field_offices.get(is_head_office=True).name == "Baghdad"
    assert list(reverted.tags.values_list("name", flat=True)) == ["Elections"]
    assert reverted.mandates.get().title == "Resolution 2522"
    assert Version.objects.get_for_object(live).count() == 3
    assert entries(AuditEntry.Action.REVERT, live).get().actor == editor


def test_revert_loads_the_version_into_a_new_draft_and_leaves_the_public_one(
    live, editor
):
    editorial.publish(editorial.start_draft(live, by=editor), by=editor)
    first = Version.objects.get_for_object(live).first()
    editorial.publish(edit_draft(editorial.start_draft(live, by=editor)), by=editor)
    public = snapshot(Office.objects.get(pk=live.pk))

    draft = editorial.revert_office(live, first, by=editor)

    assert draft.draft_of == live
    assert draft.status == Office.Status.DRAFT
    assert draft.name == "UN Human Rights in Iraq"
    assert set(draft.field_offices.values_list("name", flat=True)) == {
        "Baghdad",
        "Erbil",
    }
    assert list(draft.tags.values_list("name", flat=True)) == ["Elections"]
    live.refresh_from_db()
    assert live.is_published
    assert snapshot(live) == public
    assert live.name == "UN Human Rights in Iraq (new)"
    # Erbil is still a live row: publishing the draft updates it in place.
    erbil = live.field_offices.get(name="Erbil")
    assert draft.field_offices.get(name="Erbil").copied_from == erbil.pk
    entry = entries(AuditEntry.Action.REVERT, live).get()
    assert entry.changes_text.startswith("Loaded the version of ")
    assert entry.additional_data["draft"] == draft.pk


def test_revert_replaces_the_content_of_the_pending_draft(live, editor):
    editorial.publish(editorial.start_draft(live, by=editor), by=editor)
    first = Version.objects.get_for_object(live).first()
    pending = edit_draft(editorial.start_draft(live, by=editor))
    seen = pending.edit_version

    draft = editorial.revert_office(live, first, by=editor)

    assert draft.pk == pending.pk
    assert Office.objects.filter(draft_of=live).count() == 1
    assert draft.name == "UN Human Rights in Iraq"
    assert set(draft.field_offices.values_list("name", flat=True)) == {
        "Baghdad",
        "Erbil",
    }
    assert draft.mandates.get().title == "Resolution 2522"
    assert draft.edit_version == seen + 1
    assert diff(snapshot(live), snapshot(draft)) == []


def test_revert_keeps_status_review_state_and_reviewers(live, editor):
    editorial.publish(editorial.start_draft(live, by=editor), by=editor)
    first = Version.objects.get_for_object(live).first()
    Office.objects.filter(pk=live.pk).update(last_reviewed=datetime.date(2026, 1, 1))
    live.reviewers.add(editor)
    before = Office.objects.get(pk=live.pk).updated_at

    reverted = editorial.publish(
        editorial.revert_office(live, first, by=editor), by=editor
    )

    assert reverted.last_reviewed == datetime.date(2026, 1, 1)
    assert reverted.is_published
    assert list(reverted.reviewers.all()) == [editor]
    assert reverted.updated_at > before


def test_revert_of_an_unpublished_office_changes_it_in_place(live, editor):
    editorial.publish(editorial.start_draft(live, by=editor), by=editor)
    first = Version.objects.get_for_object(live).first()
    editorial.unpublish(live, by=editor)
    Office.objects.filter(pk=live.pk).update(name="Renamed")

    reverted = editorial.revert_office(live, first, by=editor)

    assert reverted.pk == live.pk
    assert reverted.name == "UN Human Rights in Iraq"
    assert reverted.status == Office.Status.DRAFT
    assert not Office.objects.filter(draft_of=live).exists()


def test_revert_refuses_a_version_of_another_office(live, editor):
    other = OfficeFactory(status=Office.Status.DRAFT)
    editorial.publish(other, by=editor)

    with pytest.raises(editorial.EditorialError, match="another office"):
        editorial.revert_office(
            live, Version.objects.get_for_object(other).first(), by=editor
        )


# Soft delete, restore, purge


def test_soft_delete_hides_the_office_and_keeps_it(live, editor):
    editorial.soft_delete(live, by=editor)

    assert not Office.objects.live().exists()
    assert not Office.objects.published().exists()
    assert list(Office.objects.deleted()) == [live]
    assert FieldOffice.objects.filter(office=live).count() == 2
    assert entries(AuditEntry.Action.DELETE, live).get().actor == editor


def test_restore_brings_it_back(live, editor):
    editorial.soft_delete(live, by=editor)

    editorial.restore(live, by=editor)

    assert list(Office.objects.published()) == [live]
    assert entries(AuditEntry.Action.RESTORE, live).exists()


def test_purge_refuses_a_live_office(live):
    with pytest.raises(editorial.EditorialError):
        editorial.purge(live)


def test_purge_command_asks_for_confirmation(live, editor, monkeypatch):
    editorial.soft_delete(live, by=editor)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="Nothing purged"):
        call_command("purge_offices", "iraq")

    assert Office.objects.filter(pk=live.pk).exists()


def test_purge_command_removes_a_deleted_office_for_good(live, editor, monkeypatch):
    editorial.soft_delete(live, by=editor)
    monkeypatch.setattr("builtins.input", lambda prompt: "iraq")

    call_command("purge_offices", "iraq")

    assert not Office.objects.filter(pk=live.pk).exists()
    assert not FieldOffice.objects.exists()


def test_purge_command_refuses_a_live_office(live):
    with pytest.raises(CommandError, match="Not deleted"):
        call_command("purge_offices", "iraq", "--no-input")


# Lost updates


def test_claim_edit_lets_only_the_first_of_two_saves_win(live):
    seen = live.edit_version

    assert editorial.claim_edit(live, seen)
    assert not editorial.claim_edit(live, seen)
    live.refresh_from_db()
    assert live.edit_version == seen + 1


def test_the_publish_entry_lists_the_changes_and_nothing_reads_as_a_deletion(
    live, editor
):
    draft = edit_draft(editorial.start_draft(live, by=editor))
    AuditEntry.objects.all().delete()  # the editor's own draft edits

    editorial.publish(draft, by=editor)

    entry = entries(AuditEntry.Action.PUBLISH, live).get()
    assert entry.changes_text == "Published the draft: 7 changes"
    assert [
        "Office",
        "Name [en]",
        "UN Human Rights in Iraq",
        "UN Human Rights in Iraq (new)",
    ] in (entry.additional_data["changes"])
    assert list(AuditEntry.objects.values_list("action", flat=True)) == [
        AuditEntry.Action.PUBLISH
    ]


def test_starting_a_draft_writes_no_audit_entry(live, editor):
    AuditEntry.objects.all().delete()

    editorial.start_draft(live, by=editor)

    assert not AuditEntry.objects.exists()


def test_the_revert_entry_lists_what_came_back(live, editor):
    editorial.publish(editorial.start_draft(live, by=editor), by=editor)
    first = Version.objects.get_for_object(live).first()
    editorial.publish(edit_draft(editorial.start_draft(live, by=editor)), by=editor)

    editorial.revert_office(live, first, by=editor)

    entry = entries(AuditEntry.Action.REVERT, live).get()
    assert [
        "Office",
        "Name [en]",
        "UN Human Rights in Iraq (new)",
        "UN Human Rights in Iraq",
    ] in (entry.additional_data["changes"])

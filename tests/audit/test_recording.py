"""An audit entry for each thing people do to the content: who, when, from where.

Publishing, unpublishing, reverting, discarding a draft, deleting and
restoring are recorded by offices/editorial/ and tested with it
(tests/editorial/); logins are in test_logins.py.
"""

import ast
import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEntry
from mandates.models import Tag, ThematicPillar
from offices.models import FieldOffice, Office
from offices.reviews import defer_review, mark_reviewed
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    TagFactory,
    UserFactory,
)
from tests.support import add_office_data, add_rows, change_url, form_data

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
CLIENT_IP = "127.0.0.1"  # the test client's REMOTE_ADDR


def entries_for(model, action=None):
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model)
    )
    if action is not None:
        entries = entries.filter(action=action)
    return entries.order_by("pk")


def the_entry(model, action):
    entries = list(entries_for(model, action))
    assert len(entries) == 1, [(e.object_repr, e.changes) for e in entries]
    return entries[0]


def unpublished_office(**kwargs):
    """An office never published: the admin edits it in place."""
    return OfficeFactory(status=Office.Status.DRAFT, **kwargs)


# Offices, field offices and mandates, through the admin


def test_adding_an_office_records_it_and_its_field_offices(admin_client, admin_user):
    add = reverse("admin:offices_office_add")
    data = add_office_data(admin_client, add)
    add_rows(data, "field_offices", {"name": "Baghdad", "position": 0})

    response = admin_client.post(add, data)

    assert response.status_code == 302, response.context["errors"]
    office = Office.objects.get(slug="iraq")
    entry = the_entry(Office, Action.CREATE)
    assert (entry.object_id, entry.object_repr, entry.office_id) == (
        office.pk,
        "UN Human Rights in Iraq",
        office.pk,
    )
    assert (entry.actor, entry.remote_addr) == (admin_user, CLIENT_IP)
    # Per language: the English name (modeltranslation's name_en).
    assert entry.changes["name_en"] == ["None", "UN Human Rights in Iraq"]
    field_office = the_entry(FieldOffice, Action.CREATE)
    assert (field_office.object_repr, field_office.office_id) == ("Baghdad", office.pk)
    assert (field_office.actor, field_office.remote_addr) == (admin_user, CLIENT_IP)


def test_changing_an_office_records_what_changed(admin_client, admin_user):
    office = unpublished_office(name="UN Human Rights in Iraq")
    data = form_data(admin_client.get(change_url(office)))
    data["name"] = "UN Human Rights in the Republic of Iraq"

    response = admin_client.post(change_url(office), data)

    assert response.status_code == 302, response.context["errors"]
    entry = the_entry(Office, Action.UPDATE)
    assert entry.changes == {
        "name_en": [
            "UN Human Rights in Iraq",
            "UN Human Rights in the Republic of Iraq",
        ]
    }
    assert (entry.office_id, entry.actor, entry.remote_addr) == (
        office.pk,
        admin_user,
        CLIENT_IP,
    )


def test_changing_a_field_office_files_the_entry_under_its_office(
    admin_client, admin_user
):
    office = unpublished_office()
    FieldOfficeFactory(office=office, name="Baghdad")
    data = form_data(admin_client.get(change_url(office)))
    data["field_offices-0-name"] = "Basra"

    response = admin_client.post(change_url(office), data)

    assert response.status_code == 302, response.context["errors"]
    entry = the_entry(FieldOffice, Action.UPDATE)
    assert entry.changes == {"name_en": ["Baghdad", "Basra"]}
    assert (entry.office_id, entry.actor, entry.remote_addr) == (
        office.pk,
        admin_user,
        CLIENT_IP,
    )
    # Nothing about the office itself changed.
    assert not entries_for(Office, Action.UPDATE).exists()


def test_deleting_an_office_records_it(admin_client, admin_user):
    office = unpublished_office(name="UN Human Rights in Iraq")
    FieldOfficeFactory(office=office)
    url = reverse("admin:offices_office_delete", args=[office.pk])

    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Office),
        object_id=office.pk,
        action=Action.DELETE,
    )
    assert (entry.object_repr, entry.office_id) == (
        "UN Human Rights in Iraq",
        office.pk,
    )
    assert (entry.actor, entry.remote_addr) == (admin_user, CLIENT_IP)


def test_terms_and_tags_attached_to_an_office_are_recorded_with_it():
    office = OfficeFactory()
    tag = TagFactory(name="Elections")

    office.tags.add(tag)

    entry = the_entry(Office, Action.UPDATE)
    assert entry.changes == {
        "tags": {"type": "m2m", "operation": "add", "objects": ["Elections"]}
    }
    assert entry.office_id == office.pk


# Draft copies and inline rows: filed under the live office


def test_a_draft_copy_and_its_rows_are_filed_under_the_live_office():
    live = OfficeFactory(slug="iraq")
    draft = OfficeFactory(draft_of=live, slug="iraq", status=Office.Status.DRAFT)
    AuditEntry.objects.all().delete()

    FieldOfficeFactory(office=draft, name="Erbil")
    MandateFactory(office=draft)
    draft.name = "Renamed"
    draft.save()

    assert set(AuditEntry.objects.values_list("office_id", flat=True)) == {live.pk}
    assert AuditEntry.objects.count() == 3


def test_a_mandate_is_filed_under_its_office():
    office = OfficeFactory()

    mandate = MandateFactory(office=office)

    entry = AuditEntry.objects.get(object_id=mandate.pk, action=Action.CREATE)
    assert (entry.content_type.model, entry.office_id) == ("mandate", office.pk)


def test_filing_a_loaded_row_under_its_office_costs_no_query(
    django_assert_num_queries,
):
    office = OfficeFactory()
    field_office = FieldOffice(office=office, name="Erbil")

    with django_assert_num_queries(0):
        assert field_office.get_additional_data() == {"office_id": office.pk}


def test_the_office_id_is_a_column_not_left_in_the_additional_data():
    office = OfficeFactory()

    entry = the_entry(Office, Action.CREATE)

    assert (entry.office_id, entry.additional_data) == (office.pk, None)


# Vocabulary


def test_adding_and_changing_a_term_records_both(admin_client, admin_user):
    add = reverse("admin:mandates_thematicpillar_add")
    data = form_data(admin_client.get(add))
    data.update(name="Accountability", slug="accountability", position=1)

    assert admin_client.post(add, data).status_code == 302
    pillar = ThematicPillar.objects.get(slug="accountability")
    change = reverse("admin:mandates_thematicpillar_change", args=[pillar.pk])
    data = form_data(admin_client.get(change))
    data["description"] = "Justice for violations"
    assert admin_client.post(change, data).status_code == 302

    created = the_entry(ThematicPillar, Action.CREATE)
    changed = the_entry(ThematicPillar, Action.UPDATE)
    assert created.object_repr == "Accountability"
    # An empty translation is stored as NULL (modeltranslation's empty_values).
    assert changed.changes == {"description_en": ["None", "Justice for violations"]}
    assert {created.actor, changed.actor} == {admin_user}
    assert changed.remote_addr == CLIENT_IP
    assert changed.office_id is None


def test_deleting_a_tag_records_it(admin_client):
    tag = TagFactory(name="Water")
    url = reverse("admin:mandates_tag_delete", args=[tag.pk])

    assert admin_client.post(url, {"post": "yes"}).status_code == 302

    assert the_entry(Tag, Action.DELETE).object_repr == "Water"


# Reviewers


@pytest.fixture
def people(db):
    return [
        UserFactory(username="amina", first_name="Amina", last_name="Diallo"),
        UserFactory(username="bob"),
    ]


def reviewer_entries():
    return list(AuditEntry.objects.filter(action=Action.REVIEWERS).order_by("pk"))


def test_adding_reviewers_records_one_entry_naming_them(people):
    office = OfficeFactory()

    office.reviewers.add(*people)

    [entry] = reviewer_entries()
    assert entry.changes_text == "Added reviewers: Amina Diallo, bob"
    assert (entry.object_id, entry.office_id) == (office.pk, office.pk)
    assert entry.additional_data == {"added": sorted(p.pk for p in people)}


def test_removing_a_reviewer_records_it(people):
    office = OfficeFactory(reviewers=people)
    AuditEntry.objects.all().delete()

    office.reviewers.remove(people[1])

    [entry] = reviewer_entries()
    assert entry.changes_text == "Removed reviewers: bob"


def test_clearing_reviewers_names_everyone_removed(people):
    office = OfficeFactory(reviewers=people)
    AuditEntry.objects.all().delete()

    office.reviewers.clear()

    [entry] = reviewer_entries()
    assert entry.changes_text == "Removed reviewers: Amina Diallo, bob"


def test_adding_someone_already_reviewing_records_nothing(people):
    office = OfficeFactory(reviewers=people)
    AuditEntry.objects.all().delete()

    office.reviewers.add(people[0])

    assert reviewer_entries() == []


def test_reviewer_changes_from_the_person_side_are_filed_per_office(people):
    iraq, syria = OfficeFactory(), OfficeFactory()

    people[0].reviewed_offices.add(iraq, syria)

    entries = reviewer_entries()
    assert {e.office_id for e in entries} == {iraq.pk, syria.pk}
    assert {e.changes_text for e in entries} == {"Added reviewers: Amina Diallo"}


def test_reviewers_changed_in_the_admin_are_recorded_with_who_and_where(
    admin_client, admin_user, people
):
    office = unpublished_office(reviewers=[people[1]])
    AuditEntry.objects.all().delete()
    data = form_data(admin_client.get(change_url(office)))
    data["reviewers"] = [people[0].pk]

    response = admin_client.post(change_url(office), data)

    assert response.status_code == 302, response.context["errors"]
    assert [e.changes_text for e in reviewer_entries()] == [
        "Removed reviewers: bob",
        "Added reviewers: Amina Diallo",
    ]
    assert {(e.actor, e.remote_addr) for e in reviewer_entries()} == {
        (admin_user, CLIENT_IP)
    }
    # Reviewers are not recorded twice (auditlog's own m2m entries).
    assert not entries_for(Office, Action.UPDATE).exists()


# Reviews and deferrals


def test_mark_reviewed_records_an_entry_per_office():
    reviewer = UserFactory()
    iraq, syria = OfficeFactory(), OfficeFactory()

    mark_reviewed(
        [iraq, syria], by=reviewer, on=datetime.date(2025, 3, 1), note="Checked."
    )

    entries = list(AuditEntry.objects.filter(action=Action.MARK_REVIEWED))
    assert {e.office_id for e in entries} == {iraq.pk, syria.pk}
    assert {(e.actor, e.changes_text) for e in entries} == {
        (reviewer, "Reviewed on March 1, 2025. Checked.")
    }
    assert entries[0].additional_data == {"reviewed_on": "2025-03-01"}


@pytest.mark.parametrize("size", [2, 30])
def test_mark_reviewed_writes_its_entries_in_constant_queries(
    size, django_assert_max_num_queries
):
    offices = OfficeFactory.create_batch(size)
    reviewer = UserFactory()
    ContentType.objects.get_for_model(Office)  # cached, as in a running site

    # A savepoint and its release, the update, the review records, the entries.
    with django_assert_max_num_queries(5):
        mark_reviewed(offices, by=reviewer)

    assert AuditEntry.objects.filter(action=Action.MARK_REVIEWED).count() == size


def test_mark_reviewed_from_the_admin_records_who_and_where(admin_client, admin_user):
    office = OfficeFactory()

    response = admin_client.post(
        reverse("admin:offices_office_changelist"),
        {"action": "mark_reviewed", "_selected_action": [office.pk]},
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=Action.MARK_REVIEWED)
    assert (entry.office_id, entry.actor, entry.remote_addr) == (
        office.pk,
        admin_user,
        CLIENT_IP,
    )


def test_defer_review_records_the_date_and_reason():
    reviewer = UserFactory()
    office = OfficeFactory(review_interval_months=12)

    defer_review(
        office,
        until=datetime.date(2025, 6, 1),
        by=reviewer,
        reason="Mission closing.",
        on=datetime.date(2025, 3, 1),
    )

    entry = AuditEntry.objects.get(action=Action.DEFER)
    assert entry.changes_text == "Deferred until June 1, 2025. Mission closing."
    assert (entry.office_id, entry.actor) == (office.pk, reviewer)
    assert entry.additional_data == {"deferred_until": "2025-06-01"}


# The seam


def test_audit_imports_nothing_from_the_apps_it_records():
    root = Path(__file__).resolve().parents[2] / "audit"
    imported = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)

    assert imported.isdisjoint({"offices", "mandates"})


# Retention


def test_entries_before_a_date_can_be_pruned():
    office = OfficeFactory()
    old = AuditEntry.objects.record(Action.PUBLISH, office)
    AuditEntry.objects.filter(pk=old.pk).update(
        timestamp=datetime.datetime(2023, 12, 31, 12, tzinfo=datetime.UTC)
    )

    call_command(
        "auditlogflush", "--before-date", "2024-01-01", "--yes", stdout=StringIO()
    )

    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    assert AuditEntry.objects.filter(object_id=office.pk).exists()

"""The audit trail in the admin: one list, read-only for everyone, filterable."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from audit.admin import AuditEntryAdmin
from audit.models import AuditEntry
from tests.factories import (
    FieldOfficeFactory,
    OfficeFactory,
    TagFactory,
    UserFactory,
)
from tests.support import SIGNED_IN_QUERIES, editorial_group

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
CHANGELIST = reverse("admin:audit_auditentry_changelist")


def detail_url(entry):
    return reverse("admin:audit_auditentry_change", args=[entry.pk])


def listed(response):
    return sorted(entry.pk for entry in response.context["cl"].result_list)


def record(action, obj, **kwargs):
    return AuditEntry.objects.record(action, obj, **kwargs)


@pytest.fixture
def trail(db):
    """Two offices, two people and a failed login, on two days."""
    amina = UserFactory(username="amina", first_name="Amina", last_name="Diallo")
    bob = UserFactory(username="bob")
    iraq = OfficeFactory(name="UN Human Rights in Iraq")
    syria = OfficeFactory(name="UN Human Rights in Syria")
    erbil = FieldOfficeFactory(office=iraq, name="Erbil")
    AuditEntry.objects.all().delete()  # the factories' own entries
    rows = {
        "published": record(Action.PUBLISH, iraq, actor=amina),
        "erbil": record(Action.UPDATE, erbil, actor=amina),
        "reviewed": record(Action.MARK_REVIEWED, syria, actor=bob),
        "login": record(Action.LOGIN, bob, actor=bob, remote_addr="198.51.100.7"),
    }
    rows["failed"] = AuditEntry.objects.create(
        content_type=rows["login"].content_type,
        object_pk="",
        object_repr="mallory",
        action=Action.LOGIN_FAILED,
        remote_addr="203.0.113.66",
    )
    AuditEntry.objects.filter(pk=rows["reviewed"].pk).update(
        timestamp=datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC)
    )
    return {"amina": amina, "bob": bob, "iraq": iraq, "syria": syria, **rows}


# Read-only, superusers included


def test_nobody_can_add_an_entry(admin_client):
    response = admin_client.get(reverse("admin:audit_auditentry_add"))

    assert response.status_code == 403


def test_nobody_can_change_an_entry(admin_client, trail):
    entry = trail["published"]

    response = admin_client.post(detail_url(entry), {"changes_text": "Nothing"})

    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.action == Action.PUBLISH


def test_nobody_can_delete_an_entry(admin_client, trail):
    entry = trail["published"]
    url = reverse("admin:audit_auditentry_delete", args=[entry.pk])

    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    admin_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [entry.pk]}
    )

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("erbil", "UN Human Rights in Iraq"),
        ("reviewed", "UN Human Rights in Syria"),
        ("login", "198.51.100.7"),
        ("failed", "mallory"),
    ],
)
def test_an_entry_reads_as_a_page(admin_client, trail, name, shown):
    response = admin_client.get(detail_url(trail[name]))

    assert response.status_code == 200
    html = response.content.decode()
    assert shown in html
    assert 'name="_save"' not in html


def test_changes_are_shown_as_a_table(admin_client):
    office = OfficeFactory(name="Before")
    office.name = "After"
    office.save()
    entry = AuditEntry.objects.get(action=Action.UPDATE)

    html = admin_client.get(detail_url(entry)).content.decode()

    assert "<td>Before</td>" in html
    assert "<td>After</td>" in html


def test_many_to_many_changes_are_shown_as_a_table(admin_client):
    office = OfficeFactory()
    office.tags.add(TagFactory(name="Water"))
    entry = AuditEntry.objects.latest("pk")

    html = admin_client.get(detail_url(entry)).content.decode()

    assert "<td>add</td>" in html
    assert "<td>Water</td>" in html


def test_changes_in_no_known_shape_are_not_shown_as_a_table(admin_client):
    office = OfficeFactory()
    entry = AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(office),
        object_pk=str(office.pk),
        object_repr=str(office),
        action=Action.UPDATE,
        changes={"name": "not a pair"},
    )

    html = admin_client.get(detail_url(entry)).content.decode()

    assert "could not be formatted" in html
    assert "<td>n</td>" not in html


def test_content_managers_see_the_trail(client, trail):
    manager = UserFactory(username="manager")
    manager.groups.add(editorial_group("Content managers"))
    client.force_login(manager)

    assert client.get(CHANGELIST).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403


def test_staff_without_the_permission_do_not(client, trail):
    client.force_login(UserFactory(username="plain"))

    assert client.get(CHANGELIST).status_code == 403


# The list


def test_the_list_shows_time_person_action_object_office_and_address(
    admin_client, trail
):
    html = admin_client.get(CHANGELIST).content.decode()

    assert "Amina Diallo" in html
    assert "publish" in html
    assert "Field office: Erbil" in html
    office_url = reverse("admin:offices_office_change", args=[trail["iraq"].pk])
    assert f'<a href="{office_url}">UN Human Rights in Iraq</a>' in html
    assert "198.51.100.7" in html
    assert "User: mallory" in html


def test_an_office_that_was_removed_keeps_its_id(admin_client, trail):
    office_id = trail["syria"].pk
    trail["syria"].delete()

    html = admin_client.get(CHANGELIST).content.decode()

    assert f"Office #{office_id} (removed)" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (lambda t: {"office": t["iraq"].pk}, ["published", "erbil"]),
        (lambda t: {"actor": t["bob"].pk}, ["reviewed", "login"]),
        (lambda t: {"action": Action.LOGIN_FAILED}, ["failed"]),
        (lambda t: {"action": Action.PUBLISH}, ["published"]),
        (
            lambda t: {"timestamp__year": 2025, "timestamp__month": 3},
            ["reviewed"],
        ),
        (lambda t: {"q": "203.0.113"}, ["failed"]),
        (lambda t: {"q": "erbil"}, ["erbil"]),
        (lambda t: {"q": "amina"}, ["published", "erbil"]),
    ],
    ids=["office", "user", "action", "other-action", "date", "ip", "object", "actor"],
)
def test_filters_and_search_find_the_right_entries(
    admin_client, trail, query, expected
):
    response = admin_client.get(CHANGELIST, query(trail))

    assert response.status_code == 200
    assert listed(response) == sorted(trail[name].pk for name in expected)


def test_the_date_filter_finds_today(admin_client, trail):
    changelist = admin_client.get(CHANGELIST).context["cl"]
    [dates] = [f for f in changelist.filter_specs if str(f.title) == "timestamp"]
    [today] = [c for c in dates.choices(changelist) if c["display"] == "Today"]

    response = admin_client.get(CHANGELIST + today["query_string"])

    assert trail["reviewed"].pk not in listed(response)
    assert len(listed(response)) == 4


def test_the_filters_offer_offices_and_people_with_entries(admin_client, trail):
    UserFactory(username="idle")
    OfficeFactory(name="UN Human Rights in Nowhere")
    AuditEntry.objects.filter(office_id__isnull=False).exclude(
        office_id__in=[trail["iraq"].pk, trail["syria"].pk]
    ).delete()

    response = admin_client.get(CHANGELIST)

    filters = {
        str(spec.title): [
            choice["display"] for choice in spec.choices(response.context["cl"])
        ]
        for spec in response.context["cl"].filter_specs
    }
    assert filters["office"][1:] == [
        "UN Human Rights in Iraq",
        "UN Human Rights in Syria",
    ]
    assert filters["user"][1:] == ["Amina Diallo", "bob"]


@pytest.mark.parametrize("query", [{"office": "abc"}, {"actor": "1 OR 1"}])
def test_a_bad_filter_value_is_the_admins_usual_error(admin_client, trail, query):
    response = admin_client.get(CHANGELIST, query)

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_the_trail_replaces_auditlogs_own_list():
    assert isinstance(admin.site.get_model_admin(AuditEntry), AuditEntryAdmin)


# Query counts: the same bound at two data sizes


def populate_trail(size):
    for _index in range(size):
        actor = UserFactory()
        office = OfficeFactory()
        field_office = FieldOfficeFactory(office=office)
        record(Action.PUBLISH, office, actor=actor, remote_addr="198.51.100.7")
        record(Action.UPDATE, field_office, actor=actor)
        record(Action.LOGIN, actor, actor=actor)


# Session and user, the people and offices to filter by, the count, the
# entries, their offices' names, and the date range and days of the hierarchy.
@pytest.mark.parametrize("size", [2, 30])
def test_changelist_query_count_is_constant(
    admin_client, django_assert_max_num_queries, size
):
    populate_trail(size)

    with django_assert_max_num_queries(9 + SIGNED_IN_QUERIES):
        response = admin_client.get(CHANGELIST)

    assert response.status_code == 200

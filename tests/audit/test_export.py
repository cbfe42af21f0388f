"""The audit trail's CSV export: the list as filtered, for managers, guarded."""

import csv
import io
import logging

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from audit.models import AuditEntry
from offices.models import Office
from tests.factories import (
    OfficeFactory,
    TagFactory,
    ThematicPillarFactory,
    UserFactory,
)
from tests.support import SIGNED_IN_QUERIES, editorial_group

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
CHANGELIST = reverse("admin:audit_auditentry_changelist")
EXPORT = reverse("admin:audit_auditentry_export")


def lines_of(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def rows_of(response):
    """The header and the rows, once the last line has said how many rows."""
    header, *rows, last = lines_of(response)
    noun = "entry" if len(rows) == 1 else "entries"
    assert last == [f"# {len(rows)} {noun} exported"]
    return [header, *(dict(zip(header, row, strict=True)) for row in rows)]


@pytest.fixture
def trail(db):
    amina = UserFactory(username="amina")
    bob = UserFactory(username="bob")
    iraq = OfficeFactory(name="UN Human Rights in Iraq")
    syria = OfficeFactory(name="UN Human Rights in Syria")
    AuditEntry.objects.all().delete()
    AuditEntry.objects.record(Action.PUBLISH, iraq, actor=amina, message="Published")
    AuditEntry.objects.record(
        Action.MARK_REVIEWED, syria, actor=bob, message="=HYPERLINK(1)"
    )
    return {"amina": amina, "bob": bob, "iraq": iraq, "syria": syria}


@pytest.fixture
def manager_client(client):
    manager = UserFactory(username="manager")
    manager.groups.add(editorial_group("Content managers"))
    client.force_login(manager)
    return client


def test_export_downloads_every_entry_as_csv(manager_client, trail):
    response = manager_client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    header, *rows = rows_of(response)
    assert header[:5] == ["entry id", "time", "username", "email", "action"]
    assert sorted(row["username"] for row in rows) == ["amina", "bob"]
    assert {int(row["entry id"]) for row in rows} == set(
        AuditEntry.objects.values_list("pk", flat=True)
    )


def test_the_last_line_counts_the_entries_exported(manager_client, trail):
    text = b"".join(manager_client.get(EXPORT).streaming_content).decode()

    assert text.endswith("\r\n# 2 entries exported\r\n")


def test_export_follows_the_lists_filters(manager_client, trail):
    response = manager_client.get(EXPORT, {"actor": trail["amina"].pk})

    _header, *rows = rows_of(response)
    assert [(row["username"], row["action"], row["office"]) for row in rows] == [
        ("amina", "publish", "UN Human Rights in Iraq")
    ]


def test_export_follows_the_lists_search(manager_client, trail):
    response = manager_client.get(EXPORT, {"q": "Syria"})

    _header, *rows = rows_of(response)
    assert [row["object"] for row in rows] == ["UN Human Rights in Syria"]


def test_export_guards_formulas(manager_client, trail):
    _header, *rows = rows_of(manager_client.get(EXPORT))

    messages = {row["username"]: row["message"] for row in rows}
    assert messages["bob"] == "'=HYPERLINK(1)"


def office_entry(office, changes):
    """An entry for the office with the changes as given, as auditlog stores them."""
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Office),
        object_pk=str(office.pk),
        object_id=office.pk,
        object_repr=str(office),
        action=Action.UPDATE,
        office_id=office.pk,
        changes=changes,
    )


def last_entry():
    return AuditEntry.objects.latest("pk")


def test_every_shape_of_change_is_a_readable_row(manager_client):
    office = OfficeFactory(name="Before")
    peace = ThematicPillarFactory(name="Peace")
    water, land = TagFactory(name="Water"), TagFactory(name="Land")
    AuditEntry.objects.all().delete()
    expected = {}

    # Written by auditlog, as an editor's changes write them.
    office.name = "After"
    office.save()
    expected[last_entry().pk] = "name_en: Before → After"
    office.pillars.add(peace)
    expected[last_entry().pk] = "pillars: added Peace"
    office.tags.add(water, land)
    expected[last_entry().pk] = "tags: added Land, Water"
    office.pillars.remove(peace)
    expected[last_entry().pk] = "pillars: removed Peace"
    office.tags.clear()
    expected[last_entry().pk] = "tags: removed Land, Water"
    # A JSON field as auditlog writes it (a JSON text per side), and the
    # values as AUDITLOG_STORE_JSON_CHANGES would keep them.
    entry = office_entry(office, {"data": ['{"a": 1}', '{"a": 2, "b": "é"}']})
    expected[entry.pk] = 'data: {"a": 1} → {"a": 2, "b": "é"}'
    entry = office_entry(
        office,
        {
            "data": [{"b": [1, 2], "a": "é"}, None],
            "count": [1, 2.5],
            "is_open": [False, True],
        },
    )
    expected[entry.pk] = (
        'count: 1 → 2.5; data: {"a": "é", "b": [1, 2]} → None; is_open: False → True'
    )
    # Our own actions: a message, no changes.
    entry = AuditEntry.objects.record(Action.PUBLISH, office, message="Published")
    expected[entry.pk] = ""

    _header, *rows = rows_of(manager_client.get(EXPORT))

    assert {int(row["entry id"]): row["changes"] for row in rows} == expected


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "not a pair"},
        {"name": ["only the old value"]},
        {"tags": {"type": "m2m", "operation": "move", "objects": ["Water"]}},
        {"tags": {"type": "m2m", "operation": "add", "objects": "Water"}},
        ["not", "a", "field"],
        "text",
    ],
)
def test_an_entry_that_cannot_be_formatted_is_written_with_its_id(
    manager_client, trail, changes, caplog
):
    broken = office_entry(trail["iraq"], changes)

    with caplog.at_level(logging.WARNING, logger="audit"):
        _header, *rows = rows_of(manager_client.get(EXPORT))

    assert len(rows) == 3
    row = next(row for row in rows if row["entry id"] == str(broken.pk))
    assert row["changes"] == "could not be formatted"
    assert {row["username"] for row in rows} == {"amina", "bob", ""}
    assert [r.levelno for r in caplog.records if str(broken.pk) in r.getMessage()] == [
        logging.WARNING
    ]


def test_the_list_links_to_the_export_with_its_filters(manager_client, trail):
    response = manager_client.get(CHANGELIST, {"action": Action.PUBLISH})

    assert f'href="{EXPORT}?action={Action.PUBLISH}"' in response.text


def test_a_bad_filter_goes_back_to_the_list(manager_client, trail):
    response = manager_client.get(EXPORT, {"actor": "x"})

    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?e=1"


def test_editors_cannot_export(client, trail):
    editor = UserFactory(username="editor")
    editor.groups.add(editorial_group("Office editors"))
    client.force_login(editor)

    assert client.get(EXPORT).status_code == 403


@pytest.mark.parametrize("count", [2, 20])
def test_export_queries_are_constant(
    manager_client, trail, count, django_assert_max_num_queries
):
    for _ in range(count):
        AuditEntry.objects.record(Action.PUBLISH, trail["iraq"], actor=trail["bob"])
        trail["iraq"].tags.add(TagFactory())  # a tag's creation, an m2m change

    # The list's own (filters, count, a page) and one query for the rows.
    with django_assert_max_num_queries(SIGNED_IN_QUERIES + 13):
        _header, *rows = rows_of(manager_client.get(EXPORT))

    assert len(rows) == 2 + 3 * count

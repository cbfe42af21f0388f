"""The audit trail's CSV export: the list as filtered, for managers, guarded."""

import csv
import io

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from tests.factories import OfficeFactory, UserFactory
from tests.support import SIGNED_IN_QUERIES, editorial_group

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
CHANGELIST = reverse("admin:audit_auditentry_changelist")
EXPORT = reverse("admin:audit_auditentry_export")


def rows_of(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


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
    assert header[:4] == ["time", "username", "email", "action"]
    assert sorted(row[1] for row in rows) == ["amina", "bob"]


def test_export_follows_the_lists_filters(manager_client, trail):
    response = manager_client.get(EXPORT, {"actor": trail["amina"].pk})

    _header, *rows = rows_of(response)
    assert [(row[1], row[3], row[8]) for row in rows] == [
        ("amina", "publish", "UN Human Rights in Iraq")
    ]


def test_export_follows_the_lists_search(manager_client, trail):
    response = manager_client.get(EXPORT, {"q": "Syria"})

    _header, *rows = rows_of(response)
    assert [row[6] for row in rows] == ["UN Human Rights in Syria"]


def test_export_guards_formulas(manager_client, trail):
    _header, *rows = rows_of(manager_client.get(EXPORT))

    messages = {row[1]: row[10] for row in rows}
    assert messages["bob"] == "'=HYPERLINK(1)"


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

    # The list's own (filters, count, a page) and one query for the rows.
    with django_assert_max_num_queries(SIGNED_IN_QUERIES + 13):
        rows_of(manager_client.get(EXPORT))

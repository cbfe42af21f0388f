"""Syncing with the API: a client that asks what changed since its last
visit (updated_since) sees every public change, removals included, and
follows an office by its stable id."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from mandates.models import ThematicPillar
from offices.editorial import purge, soft_delete, unpublish
from offices.models import FieldOffice, Office, OfficeRemoval
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ThematicPillarFactory,
    UserFactory,
)
from tests.support import populate

LIST = "/api/v1/offices/"


def detail(slug):
    return f"/api/v1/offices/{slug}/"


def slugs(response):
    return [office["slug"] for office in response.json()["results"]]


def iso(moment):
    return moment.isoformat()


@pytest.fixture
def synced(db):
    """Two published offices last changed a day ago, and when a client last
    synced (after that)."""
    pillar = ThematicPillarFactory(name="Accountability", slug="accountability")
    for slug in ("iraq", "colombia"):
        office = OfficeFactory(name=slug.title(), slug=slug, pillars=[pillar])
        FieldOfficeFactory(office=office, name=f"{slug} city")
        MandateFactory(office=office)
    Office.objects.update(updated_at=timezone.now() - datetime.timedelta(days=1))
    return timezone.now() - datetime.timedelta(hours=1)


def changed_since(api, since):
    return slugs(api.get(LIST, {"updated_since": iso(since)}))


def test_nothing_changed_nothing_listed(api, synced):
    response = api.get(LIST, {"updated_since": iso(synced)})

    assert response.json()["results"] == []
    assert response.json()["removed"] == []


@pytest.mark.parametrize(
    "change",
    [
        lambda: FieldOffice.objects.filter(name="iraq city").update(name="Erbil"),
        lambda: Office.objects.get(slug="iraq").mandates.update(title="UNSCR 2522"),
        lambda: Office.objects.get(slug="iraq").pillars.clear(),
    ],
    ids=["field-office-renamed", "mandate-edited", "pillar-removed"],
)
def test_a_change_beside_the_office_row_is_listed(api, synced, change):
    change()

    assert changed_since(api, synced) == ["iraq"]


def test_a_term_renamed_lists_every_office_showing_it(api, synced):
    OfficeFactory(slug="unrelated")
    Office.objects.filter(slug="unrelated").update(
        updated_at=timezone.now() - datetime.timedelta(days=1)
    )

    ThematicPillar.objects.filter(slug="accountability").update(name="Justice")

    assert changed_since(api, synced) == ["colombia", "iraq"]


@pytest.fixture
def editor(db):
    return UserFactory()


def test_removals_are_listed_with_id_slug_and_time(api, synced, editor):
    iraq, colombia = (
        Office.objects.get(slug="iraq"),
        Office.objects.get(slug="colombia"),
    )
    before = timezone.now()
    unpublish(iraq, by=editor)
    soft_delete(colombia, by=editor)
    purge(Office.objects.get(pk=colombia.pk))

    data = api.get(LIST, {"updated_since": iso(synced)}).json()

    assert data["results"] == []
    assert [(r["id"], r["slug"]) for r in data["removed"]] == [
        (iraq.pk, "iraq"),
        (colombia.pk, "colombia"),
    ]
    for removal in data["removed"]:
        moment = datetime.datetime.fromisoformat(removal["removed_at"])
        assert before <= moment <= timezone.now()


def test_only_removals_since_are_listed(api, synced, editor):
    unpublish(Office.objects.get(slug="iraq"), by=editor)
    OfficeRemoval.objects.update(removed_at=synced - datetime.timedelta(minutes=1))

    assert api.get(LIST, {"updated_since": iso(synced)}).json()["removed"] == []


def test_a_removal_undone_is_an_update(api, synced, editor):
    iraq = Office.objects.get(slug="iraq")
    soft_delete(iraq, by=editor)

    Office.objects.filter(pk=iraq.pk).update(deleted_at=None)

    response = api.get(LIST, {"updated_since": iso(synced)})
    assert (slugs(response), response.json()["removed"]) == (["iraq"], [])


def test_the_full_list_has_no_removed(api, synced, editor):
    unpublish(Office.objects.get(slug="iraq"), by=editor)

    assert "removed" not in api.get(LIST).json()


def test_removals_older_than_a_year_are_trimmed(api, synced, editor):
    unpublish(Office.objects.get(slug="iraq"), by=editor)
    long_ago = timezone.now() - datetime.timedelta(days=366)
    OfficeRemoval.objects.update(removed_at=long_ago)
    since = long_ago - datetime.timedelta(days=1)
    assert len(api.get(LIST, {"updated_since": iso(since)}).json()["removed"]) == 1

    call_command("trim_removals", stdout=StringIO())

    assert api.get(LIST, {"updated_since": iso(since)}).json()["removed"] == []


# Every office has a stable id.


def test_each_office_has_its_id(api, synced):
    iraq = Office.objects.get(slug="iraq")

    listed = api.get(LIST).json()["results"]

    assert {o["slug"]: o["id"] for o in listed}["iraq"] == iraq.pk
    assert api.get(detail("iraq")).json()["id"] == iraq.pk


# A withdrawn office's address: 410 Gone; a former one: 301.


@pytest.mark.parametrize("withdraw", ["unpublish", "soft_delete", "purge"])
def test_a_withdrawn_office_is_gone(api, synced, editor, withdraw):
    iraq = Office.objects.get(slug="iraq")
    if withdraw == "unpublish":
        unpublish(iraq, by=editor)
    else:
        soft_delete(iraq, by=editor)
    if withdraw == "purge":
        purge(Office.objects.get(pk=iraq.pk))

    response = api.get(detail("iraq"))

    assert response.status_code == 410
    assert response.json()["code"] == "gone"
    assert "no-store" in response["Cache-Control"]


def test_an_address_never_published_is_not_found(api, synced):
    OfficeFactory(slug="draft", status=Office.Status.DRAFT)

    for slug in ("draft", "nowhere"):
        response = api.get(detail(slug))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_an_address_taken_again_answers_with_the_new_office(api, synced, editor):
    unpublish(Office.objects.get(slug="iraq"), by=editor)
    Office.objects.filter(slug="iraq").update(slug="old-iraq")
    OfficeFactory(name="New Iraq", slug="iraq")

    assert api.get(detail("iraq")).json()["name"] == "New Iraq"


def test_a_former_slug_is_a_permanent_redirect(api, synced):
    iraq = Office.objects.get(slug="iraq")
    iraq.slug = "republic-of-iraq"
    iraq.record_old_slug("iraq")
    iraq.save()

    response = api.get(detail("iraq"), {"lang": "fr"})

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/offices/republic-of-iraq/?lang=fr"
    assert api.get(detail("republic-of-iraq"), {"lang": "fr"}).json()["id"] == iraq.pk


def test_a_former_slug_wins_over_a_removal(api, synced, editor):
    unpublish(Office.objects.get(slug="iraq"), by=editor)
    Office.objects.filter(slug="iraq").update(slug="old-iraq")
    Office.objects.filter(slug="colombia").update(slug="iraq-now", old_slugs=["iraq"])

    response = api.get(detail("iraq"))

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/offices/iraq-now/"


# What it costs: constant whatever the size of the site.


@pytest.mark.parametrize("count", [1, 60])
def test_a_sync_costs_one_query_more(api, django_assert_max_num_queries, editor, count):
    populate(count)
    since = timezone.now() - datetime.timedelta(minutes=1)
    for office in Office.objects.all()[: count // 2 + 1]:
        unpublish(office, by=editor)

    # The content version, the count, the page, the removals.
    with django_assert_max_num_queries(4):
        response = api.get(LIST, {"updated_since": iso(since), "page_size": 100})

    assert len(response.json()["removed"]) == count // 2 + 1


@pytest.mark.parametrize("count", [1, 60])
def test_a_missing_address_costs_three_queries(
    api, django_assert_max_num_queries, editor, count
):
    populate(count)
    for office in Office.objects.all():
        unpublish(office, by=editor)
    OfficeFactory(slug="moved", old_slugs=["former"])
    withdrawn = Office.objects.exclude(slug="moved").first().slug

    # The content version, then a former address, then a withdrawal.
    with django_assert_max_num_queries(2):
        assert api.get(detail("former")).status_code == 301
    with django_assert_max_num_queries(3):
        assert api.get(detail(withdrawn)).status_code == 410
    with django_assert_max_num_queries(3):
        assert api.get(detail("nowhere")).status_code == 404


# The document says all this.


def test_the_schema_documents_sync(openapi):
    offices = openapi["paths"]["/api/v1/offices/"]["get"]
    ref = offices["responses"]["200"]["content"]["application/json"]["schema"]
    page = openapi["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
    removed = page["properties"]["removed"]["items"]
    assert removed["required"] == ["id", "slug", "removed_at"]
    assert removed["properties"]["removed_at"]["format"] == "date-time"

    one = openapi["paths"]["/api/v1/offices/{slug}/"]["get"]["responses"]
    assert {"301", "404", "410"} <= set(one)
    assert "Location" in one["301"]["headers"]
    summary = openapi["components"]["schemas"]["OfficeSummary"]
    assert "id" in summary["required"]


def test_a_raw_sql_change_is_listed(api, synced):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE mandates_mandate SET symbol = 'S/RES/1'")

    assert changed_since(api, synced) == ["colombia", "iraq"]

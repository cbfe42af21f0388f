"""Edits cool only what they touch: each stored page is versioned by what it
shows (content_version()'s scope, PageStamp, migration 0022_page_stamps).

A profile by its office's stamp, a term's page by its vocabulary's stamp and
its offices', the listings (the index, the feed, the sitemap, the CSV) by the
list's stamp. An edit to one office leaves every other office's profile
stored, in every language, for one query.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mandates.models import ThematicPillar
from offices import editorial
from offices.models import (
    LIST_SCOPE,
    OFFICE_SCOPE,
    Office,
    PageStamp,
    TranslationCheck,
    content_version,
)
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ShiftFactory,
    ThematicPillarFactory,
)

LANGUAGES = [code for code, _name in settings.LANGUAGES]
LISTINGS = ["/en/", "/en/offices/", "/en/feed/", "/sitemap.xml", "/en/offices.csv"]


@pytest.fixture
def offices(db):
    """Iraq and Colombia, published, sharing no term; Iraq's pillar, and a
    shift both show."""
    accountability = ThematicPillarFactory(name="Accountability", slug="accountability")
    development = ThematicPillarFactory(name="Development", slug="development")
    prevention = ShiftFactory(name="Prevention", slug="prevention")
    iraq = OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        pillars=[accountability],
        shifts=[prevention],
    )
    colombia = OfficeFactory(
        name="UN Human Rights in Colombia",
        slug="colombia",
        pillars=[development],
        shifts=[prevention],
    )
    FieldOfficeFactory(office=iraq, name="Erbil")
    FieldOfficeFactory(office=colombia, name="Bogotá")
    return iraq, colombia


@pytest.fixture
def editor(admin_user):
    return admin_user


def profiles(slug):
    return [f"/{language}/offices/{slug}/" for language in LANGUAGES]


def stored(client, url):
    """Whether this read was the stored page: no template rendered, one query."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return not response.templates and len(queries) == 1


def prime(client, *urls):
    for url in urls:
        client.get(url)
        assert stored(client, url), url


def list_stamp():
    return PageStamp.objects.get(name=PageStamp.LIST).generation


# ---------------------------------------------------------------- profiles


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_edit_to_one_office_leaves_anothers_profile_stored(
    client, offices, editor, language, django_assert_num_queries
):
    _iraq, colombia = offices
    url = f"/{language}/offices/iraq/"
    client.get(url)

    draft = editorial.start_draft(colombia, by=editor)
    draft.name = "UN Human Rights in the Republic of Colombia"
    draft.save()
    editorial.publish(draft, by=editor)

    with django_assert_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200
    assert response.templates == []
    assert "in the Republic of Colombia" in (
        client.get(f"/{language}/offices/colombia/").content.decode()
    )


@pytest.mark.parametrize(
    ("withdraw", "comes_back"),
    [
        (editorial.unpublish, editorial.publish),
        (editorial.soft_delete, editorial.restore),
    ],
    ids=["unpublished, published again", "deleted, restored"],
)
def test_a_profile_withdrawn_and_back_cools_only_itself(
    client, offices, editor, withdraw, comes_back
):
    """An office leaving the site, then coming back: its own profile is
    never served stored in between, in any language, and is shown again
    after; every other office's stays stored throughout."""
    _iraq, colombia = offices
    prime(client, *profiles("iraq"), *profiles("colombia"))

    withdraw(colombia, by=editor)

    for url in profiles("colombia"):
        assert client.get(url).status_code == 404, url
    for url in profiles("iraq"):
        assert stored(client, url), url

    comes_back(Office.objects.get(pk=colombia.pk), by=editor)

    for url in profiles("colombia"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.templates, url  # rendered again, not the old copy
    for url in profiles("iraq"):
        assert stored(client, url), url


@pytest.mark.parametrize(
    "edit",
    [
        lambda office: FieldOfficeFactory(office=office, name="Medellín"),
        lambda office: MandateFactory(office=office, title="A new agreement"),
        lambda office: TranslationCheck.objects.create(
            office=office, language="fr", checked_at=timezone.now()
        ),
        lambda office: office.field_offices.update(name="Cali"),
        lambda office: Office.objects.filter(pk=office.pk).update(staff_count=99),
    ],
    ids=["field office", "mandate", "translation check", "bulk update", "row"],
)
def test_whatever_is_written_of_an_office_cools_only_its_profile(client, offices, edit):
    _iraq, colombia = offices
    prime(client, *profiles("iraq"), *profiles("colombia"))

    edit(colombia)

    for url in profiles("iraq"):
        assert stored(client, url), url
    for url in profiles("colombia"):
        assert not stored(client, url), url


def test_a_renamed_pillar_cools_the_profiles_and_page_that_show_it(client, offices):
    prime(
        client,
        *profiles("iraq"),
        *profiles("colombia"),
        "/en/pillars/accountability/",
        "/en/pillars/development/",
    )

    ThematicPillar.objects.filter(slug="accountability").update(
        name="Accountability and justice"
    )

    assert (
        "Accountability and justice" in client.get("/en/offices/iraq/").content.decode()
    )
    assert not stored(client, "/fr/offices/iraq/")
    page = client.get("/en/pillars/accountability/").content.decode()
    assert "Accountability and justice" in page
    for url in profiles("colombia"):
        assert stored(client, url), url


def test_a_draft_copys_edit_cools_nothing_public(client, offices, editor):
    _iraq, colombia = offices
    prime(client, *profiles("colombia"), *LISTINGS, "/en/pillars/development/")
    before = list_stamp()

    draft = editorial.start_draft(colombia, by=editor)
    draft.name = "Not yet"
    draft.save()
    FieldOfficeFactory(office=draft, name="Not yet either")

    assert list_stamp() == before
    for url in [*profiles("colombia"), *LISTINGS, "/en/pillars/development/"]:
        assert stored(client, url), url


# ---------------------------------------------------------------- terms


def test_a_term_page_is_cooled_by_the_offices_it_lists_only(client, offices):
    _iraq, colombia = offices
    prime(client, "/en/pillars/accountability/", "/en/shifts/prevention/")

    FieldOfficeFactory(office=colombia, name="Medellín")

    # Colombia is not on the accountability page; it is on the prevention page.
    assert stored(client, "/en/pillars/accountability/")
    assert not stored(client, "/en/shifts/prevention/")


def test_an_office_leaving_a_term_cools_its_page(client, offices):
    _iraq, colombia = offices
    prime(client, "/en/shifts/prevention/")

    colombia.shifts.clear()

    assert "Colombia" not in client.get("/en/shifts/prevention/").content.decode()


def test_an_unpublished_office_leaves_its_terms_pages(client, offices, editor):
    _iraq, colombia = offices
    prime(client, "/en/shifts/prevention/")

    editorial.unpublish(colombia, by=editor)

    assert "Colombia" not in client.get("/en/shifts/prevention/").content.decode()


def test_a_write_to_a_vocabulary_cools_its_pages_not_anothers(client, offices):
    prime(client, "/en/pillars/development/", "/en/shifts/prevention/")

    ThematicPillarFactory(name="Climate", slug="climate")

    assert not stored(client, "/en/pillars/development/")
    assert stored(client, "/en/shifts/prevention/")


# ---------------------------------------------------------------- listings


def test_publishing_and_unpublishing_cool_the_listings(client, offices, editor):
    _iraq, colombia = offices
    chad = OfficeFactory(
        name="UN Human Rights in Chad", slug="chad", status=Office.Status.DRAFT
    )
    prime(client, *LISTINGS)

    editorial.publish(chad, by=editor)

    for url in LISTINGS:
        if url != "/sitemap.xml":
            assert "UN Human Rights in Chad" in client.get(url).content.decode(), url
    assert "/en/offices/chad/" in client.get("/sitemap.xml").content.decode()

    prime(client, *LISTINGS)
    editorial.unpublish(colombia, by=editor)

    for url in LISTINGS:
        assert "colombia" not in client.get(url).content.decode().lower(), url


def test_a_deleted_office_leaves_the_listings(client, offices):
    _iraq, colombia = offices
    prime(client, *LISTINGS)

    colombia.delete()

    for url in LISTINGS:
        assert "colombia" not in client.get(url).content.decode().lower(), url


def test_an_edit_to_a_listed_office_cools_the_listings(client, offices):
    _iraq, colombia = offices
    prime(client, *LISTINGS)

    FieldOfficeFactory(office=colombia, name="Medellín")

    for url in LISTINGS:
        assert not stored(client, url), url


@pytest.mark.django_db
def test_what_no_listing_shows_leaves_the_list_stamp(offices):
    _iraq, colombia = offices
    unpublished = OfficeFactory(status=Office.Status.DRAFT)
    before = list_stamp()

    Office.objects.filter(pk=colombia.pk).update(edit_version=7)
    FieldOfficeFactory(office=unpublished)
    Office.objects.filter(pk=unpublished.pk).update(name="Still a draft")

    assert list_stamp() == before


@pytest.mark.django_db
def test_any_write_to_a_vocabulary_moves_the_list_and_its_own_stamp(offices):
    stamps = dict(PageStamp.objects.values_list("name", "generation"))

    ThematicPillarFactory(name="Climate", slug="climate")

    after = dict(PageStamp.objects.values_list("name", "generation"))
    assert after[PageStamp.LIST] == stamps[PageStamp.LIST] + 1
    assert after["mandates_thematicpillar"] == stamps["mandates_thematicpillar"] + 1
    assert after["mandates_shift"] == stamps["mandates_shift"]


# ---------------------------------------------------------------- the version


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 100])
def test_the_list_version_reads_no_content_table_at_any_size(count):
    OfficeFactory.create_batch(count)

    with CaptureQueriesContext(connection) as queries:
        content_version(scope=LIST_SCOPE)
    [query] = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "offices_pagestamp" in plan
    assert "offices_office" not in plan


def test_a_missing_profile_has_no_version(offices):
    lookup = ("SELECT id FROM offices_office WHERE slug = %s", ["nowhere"])

    version = content_version(lookup, OFFICE_SCOPE)

    assert version.page_exists is False
    assert version.latest is None


def test_a_slug_taken_by_another_office_is_another_version(offices):
    iraq, colombia = offices
    lookup = ("SELECT id FROM offices_office WHERE slug = %s", ["iraq"])
    before = content_version(lookup, OFFICE_SCOPE)

    # Another office at the address: another key, another stamp.
    Office.objects.filter(pk=iraq.pk).update(slug="iraq-old")
    Office.objects.filter(pk=colombia.pk).update(slug="iraq")

    after = content_version(lookup, OFFICE_SCOPE)
    assert (after.page_pk, before.page_pk) == (colombia.pk, iraq.pk)
    assert after.state != before.state

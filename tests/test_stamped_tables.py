"""Every table a stored public page reads carries the content-stamp trigger.

The page cache keys stored pages by the content version (ContentStamp), which
only the trigger of offices/migrations/0014_content_stamp.py moves. A public
page that reads a table without it would be served stale after a write there.
Each page is requested with an empty cache, as an anonymous reader, and
the tables named in the SQL it runs (FROM and JOIN) are checked against the
triggers PostgreSQL holds. A table read without the trigger must be in EXEMPT,
with the reason it cannot make a stored page stale.

Each page is versioned by what it shows (content_version()'s scope): a
profile by its office's stamp, the listings by the list's, a term's page by
its vocabulary's and its offices' (offices/migrations/0017_office_stamp.py
and 0022_page_stamps.py). The second test checks every table each page reads
against the triggers that move its own scope's version, and that it is
versioned by the scope it should be.

The reviewers' calendar (/calendar/…/reviews.ics) is left out: it is answered
with "no-store" and never stored (offices.views.review_calendar).
"""

import re
from importlib import import_module

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from offices.models import (
    LIST_SCOPE,
    OFFICE_SCOPE,
    Office,
    TranslationCheck,
    content_version,
)
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    TagFactory,
    ThematicPillarFactory,
)

# Tables a public page may read without the trigger, and why no stored page
# can go stale through them.
EXEMPT = {
    "offices_contentstamp": "the stamp itself: the version stored pages are keyed by",
    "offices_pagestamp": "the page stamps: the versions stored pages are keyed by",
    "django_session": "a visitor's session: anonymous pages are stored, never "
    "a session's answer",
    "offices_searchdocument": "derived: only the triggers on offices_office, "
    "offices_fieldoffice and mandates_mandate write it, in the statement that "
    "moves the stamp (offices/migrations/0011_search_document.py)",
    # A profile's change log (offices/changelog.py) reads its versions, its
    # reviews and its deletions: each is written in the transaction that
    # moves the office's stamp, the change log's version.
    "reversion_revision": "the change log lists the versions recorded as "
    "published or unpublished: publish() and unpublish() write them with the "
    "office's row, which moves its stamp (offices/editorial/workflow.py); a "
    "draft's revisions are not listed",
    "reversion_version": "as reversion_revision: written with the office's row",
    "offices_reviewrecord": "the change log lists completed reviews: "
    "mark_reviewed() touches the office in the same transaction "
    "(offices/reviews.py)",
    "audit_auditentry": "the change log lists an office's soft deletions and "
    "restorations: soft_delete() and restore() touch the office in the same "
    "transaction (offices/editorial/workflow.py)",
    "django_content_type": "the versions' and entries' models: a content "
    "type only changes with a migration, which comes with a new release "
    "(part of every stored page's key)",
}

# Every stored public page: the index with each filter and the search, the
# profile, the term pages, the downloads, the feed, the sitemap, the API.
PAGES = [
    "/en/",
    "/en/offices/",
    "/fr/offices/",
    "/en/offices/?region=mena",
    "/en/offices/?engagement_type=political_mission",
    "/en/offices/?pillar=accountability",
    "/en/offices/?shift=prevention",
    "/en/offices/?population=women",
    "/en/offices/?q=Erbil",
    "/en/offices/?q=Erbil&region=mena&pillar=accountability",
    "/en/offices/iraq/",
    "/fr/offices/iraq/",
    "/en/offices/iraq/changes/",
    "/fr/offices/iraq/changes/feed/",
    "/en/pillars/accountability/",
    "/en/shifts/prevention/",
    "/en/populations/women/",
    "/en/offices.csv",
    "/en/offices.csv?pillar=accountability&q=Erbil",
    "/en/feed/",
    "/sitemap.xml",
    "/sitemap.xml?p=1",
    "/robots.txt",
    "/api/v1/",
    "/api/v1/offices/",
    "/api/v1/offices/?region=mena&pillar=accountability&q=Erbil",
    "/api/v1/offices/iraq/",
    "/api/v1/pillars/",
    "/api/v1/shifts/",
    "/api/v1/populations/",
    "/api/v1/tags/",
    "/api/v1/schema/",
    "/api/v1/docs/",
]

# A table name after FROM or JOIN, quoted (the ORM) or not (raw SQL).
TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?', re.IGNORECASE)


def tables_read(queries):
    """The database tables named in the captured statements (aliases, CTEs
    and functions after FROM are not tables and drop out)."""
    tables = set(connection.introspection.table_names())
    named = {name for query in queries for name in TABLE.findall(query["sql"])}
    return named & tables


def stamped_tables(function="offices_stamp_content", argument=None):
    """Tables with a trigger that calls function (with argument, if given)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, t.tgargs
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE NOT t.tgisinternal AND t.tgfoid = %s::regproc
            """,
            [function],
        )
        return {
            name
            for name, args in cursor.fetchall()
            if argument is None or argument in bytes(args).decode().split("\0")
        }


# The triggers that move an office's stamp (0017_office_stamp): its row,
# the rows that belong to it, the terms it links to.
OFFICE_STAMP = [
    ("offices_office_stamp", None),
    ("offices_stamp_from_rows", None),
    ("offices_stamp_from_terms", None),
]
VOCABULARIES = import_module("offices.migrations.0022_page_stamps").VOCABULARIES


def scope_triggers(scope):
    """The triggers (function, argument) whose writes move a scope's version.
    An office's stamp moves the list's when the office is public (the
    trigger on offices_office)."""
    if scope is None:
        return [("offices_stamp_content", None)]
    if scope == OFFICE_SCOPE:
        return OFFICE_STAMP
    if scope == LIST_SCOPE:
        return [("offices_stamp_list", None), ("offices_stamp_pages", scope)]
    # A vocabulary: the stamps of its offices, and its own.
    return [*OFFICE_STAMP, ("offices_stamp_pages", scope)]


def scope_tables(scope):
    tables = set()
    for function, argument in scope_triggers(scope):
        tables |= stamped_tables(function, argument)
    if scope == LIST_SCOPE:
        tables |= scope_tables(OFFICE_SCOPE)
    return tables


# Term pages' scopes: their vocabulary's table.
TERM_SCOPES = {
    "pillars": "mandates_thematicpillar",
    "shifts": "mandates_shift",
    "populations": "mandates_spotlightpopulation",
}


def expected_scope(path):
    """The scope a page is versioned by, from its address: the API's
    validators are all the public content's (None)."""
    parts = path.split("?")[0].strip("/").split("/")
    if parts[0] in ("api", "robots.txt"):
        return None
    if len(parts) >= 3 and parts[1] == "offices":
        return OFFICE_SCOPE  # a profile, or its change log and feed
    if len(parts) == 3:
        return TERM_SCOPES[parts[1]]
    return LIST_SCOPE


SCOPES_SEEN = []


def recording_version(page=None, scope=None):
    """settings.PAGE_VERSION for the test: the version, with its scope noted."""
    SCOPES_SEEN.append(scope)
    return content_version(page, scope)


@pytest.fixture
def site(db):
    """A published office with every kind of related row a page shows."""
    pillar = ThematicPillarFactory(slug="accountability")
    shift = ShiftFactory(slug="prevention")
    population = SpotlightPopulationFactory(slug="women")
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        region=Office.Region.MIDDLE_EAST_NORTH_AFRICA,
        engagement_type=Office.EngagementType.POLITICAL_MISSION,
        pillars=[pillar],
        shifts=[shift],
        spotlight_populations=[population],
        tags=[TagFactory(slug="elections")],
    )
    FieldOfficeFactory(office=office, name="Erbil", is_head_office=True)
    MandateFactory(office=office, title="Security Council resolution 2522 (2020)")
    TranslationCheck.objects.create(
        office=office, language="fr", checked_at=timezone.now()
    )
    return office


def test_every_table_a_public_page_reads_moves_the_content_stamp(client, site):
    stamped = stamped_tables()
    unstamped = {}
    for path in PAGES:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, path
        tables = tables_read(captured.captured_queries) - stamped - EXEMPT.keys()
        if tables:
            unstamped[path] = tables

    assert unstamped == {}, "pages read tables that no write versions"


def test_every_table_a_page_reads_moves_its_own_version(client, site, settings):
    """Each page is versioned by what it shows (content_version's scope),
    and every table it reads moves that version."""
    settings.PAGE_VERSION = "tests.test_stamped_tables.recording_version"
    unstamped, scopes = {}, {}
    for path in PAGES:
        cache.clear()
        SCOPES_SEEN.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, path
        if not path.startswith("/api/") and path != "/robots.txt":
            scopes[path] = SCOPES_SEEN[:]
        scope = expected_scope(path)
        tables = tables_read(captured.captured_queries) - scope_tables(scope)
        if tables - EXEMPT.keys():
            unstamped[path] = tables - EXEMPT.keys()

    assert unstamped == {}, "pages read tables that no write to their scope versions"
    assert scopes == {path: [expected_scope(path)] for path in scopes}


def test_a_profile_is_built_afresh_and_its_tables_found(client, site):
    """The pages above are requested with an empty page cache."""
    with CaptureQueriesContext(connection) as captured:
        client.get("/en/offices/iraq/")

    # Its version is its office's stamp, in offices_office.
    assert {
        "offices_office",
        "offices_fieldoffice",
        "mandates_mandate",
        "mandates_thematicpillar",
    } <= tables_read(captured.captured_queries)


@pytest.mark.django_db
def test_the_table_names_are_found_in_the_sql():
    """The parser finds the tables: the test above would pass on none."""
    queries = [
        {"sql": 'SELECT 1 FROM "offices_office" INNER JOIN "mandates_mandate" ON 1'},
        {"sql": "SELECT 1 FROM offices_fieldoffice AS f LEFT JOIN (SELECT 1) x ON 1"},
        {"sql": "SELECT EXTRACT(YEAR FROM now()) FROM unnest(ARRAY[1]) AS u"},
    ]

    assert tables_read(queries) == {
        "offices_office",
        "mandates_mandate",
        "offices_fieldoffice",
    }


@pytest.mark.django_db
def test_exempt_tables_have_no_trigger_and_exist():
    """An exemption that a trigger made unnecessary, or a renamed table, goes."""
    tables = set(connection.introspection.table_names())

    assert EXEMPT.keys() <= tables
    assert EXEMPT.keys() & stamped_tables() == set()

"""One filter rule: the index, its CSV download and the API select the same
offices for the same valid filters (OfficeQuerySet.filtered(), which the
index's form calls once it has validated the query)."""

import csv
import io

import pytest

from offices.models import Office
from tests.factories import (
    FieldOfficeFactory,
    OfficeFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    ThematicPillarFactory,
)


@pytest.fixture
def offices(db):
    accountability = ThematicPillarFactory(slug="accountability")
    development = ThematicPillarFactory(slug="development")
    digital = ShiftFactory(slug="digital")
    youth = SpotlightPopulationFactory(slug="youth")
    iraq = OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        country="Iraq",
        region=Office.Region.MIDDLE_EAST_NORTH_AFRICA,
        engagement_type=Office.EngagementType.POLITICAL_MISSION,
        pillars=[accountability],
        shifts=[digital],
    )
    FieldOfficeFactory(office=iraq, name="Erbil")
    OfficeFactory(
        name="UN Human Rights in Colombia",
        slug="colombia",
        country="Colombia",
        region=Office.Region.AMERICAS,
        engagement_type=Office.EngagementType.COUNTRY_OFFICE,
        pillars=[accountability, development],
        spotlight_populations=[youth],
        profile="Peace agreement monitoring in the regions.",
    )
    OfficeFactory(
        name="UN Human Rights in Uganda",
        slug="uganda",
        country="Uganda",
        region=Office.Region.AFRICA,
        engagement_type=Office.EngagementType.COUNTRY_OFFICE,
        shifts=[digital],
        spotlight_populations=[youth],
    )
    OfficeFactory(
        name="UN Human Rights in Kenya",
        slug="kenya",
        country="Kenya",
        region=Office.Region.AFRICA,
        engagement_type=Office.EngagementType.POLITICAL_MISSION,
        pillars=[development],
    )
    # Never listed anywhere: not public.
    OfficeFactory(
        name="UN Human Rights in Chad",
        slug="chad",
        country="Chad",
        region=Office.Region.AFRICA,
        status=Office.Status.DRAFT,
        pillars=[accountability],
    )


# Valid filters, by the index form's names (the API calls engagement
# engagement_type); "" is the form's "All".
QUERIES = [
    {},
    {"region": "africa"},
    {"engagement": "political_mission"},
    {"pillar": "accountability"},
    {"shift": "digital"},
    {"population": "youth"},
    {"region": "africa", "population": "youth"},
    {"engagement": "country_office", "pillar": "development", "shift": ""},
    {"pillar": "accountability", "shift": "digital", "population": ""},
    {"q": "Erbil"},
    {"q": "peace agreement", "pillar": "accountability"},
    {"q": "Uganda", "region": "americas"},
    {"region": "", "engagement": "", "pillar": "", "shift": "", "q": ""},
]


def index_page(client, query):
    response = client.get("/en/offices/", query)
    assert response.status_code == 200
    return response


def index_slugs(client, query):
    return sorted(
        office.slug for office in index_page(client, query).context["offices"]
    )


def csv_slugs(client, query, url="/en/offices.csv"):
    response = client.get(url, query)
    assert response.status_code == 200
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    return sorted(row["slug"] for row in csv.DictReader(io.StringIO(text)))


def api_keywords(query):
    """The query as the index links it to the API: by the API's names, and
    without the empty values (which the API refuses)."""
    return {
        "engagement_type" if name == "engagement" else name: value
        for name, value in query.items()
        if value
    }


def api_slugs(client, query=None, url="/api/v1/offices/"):
    response = client.get(url, query)
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    return sorted(office["slug"] for office in body["results"])


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: repr(query))
def test_the_index_the_csv_and_the_api_select_the_same_offices(client, offices, query):
    expected = sorted(
        Office.objects.published()
        .filtered(**api_keywords(query))
        .values_list("slug", flat=True)
    )

    page = index_page(client, query)
    assert sorted(office.slug for office in page.context["offices"]) == expected
    assert csv_slugs(client, query) == expected
    assert api_slugs(client, api_keywords(query)) == expected
    # And the page's own links to them.
    assert csv_slugs(client, None, url=page.context["csv_url"]) == expected
    assert api_slugs(client, url=page.context["api_url"]) == expected


def test_the_queries_tell_the_offices_apart(client, offices):
    """Each filter selects some offices and leaves out others: the test above
    could not pass by listing everything."""
    selections = {tuple(index_slugs(client, query)) for query in QUERIES}

    assert len(selections) >= 10
    assert ("chad",) not in selections and () in selections

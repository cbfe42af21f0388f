"""/api/v1/offices/: the published offices, their filters and one profile."""

import datetime

import pytest
from django.utils import timezone

from mandates.models import ThematicPillar
from offices.editorial import soft_delete, start_draft
from offices.models import Office
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
from tests.support import populate

LIST = "/api/v1/offices/"


def detail(slug):
    return f"/api/v1/offices/{slug}/"


def slugs(response):
    return [office["slug"] for office in response.json()["results"]]


@pytest.fixture
def iraq(site_url):
    """A published office with everything its profile can show."""
    pillar = ThematicPillarFactory(name="Accountability", slug="accountability")
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        country="Iraq",
        country_code="IQ",
        region=Office.Region.MIDDLE_EAST_NORTH_AFRICA,
        engagement_type=Office.EngagementType.POLITICAL_MISSION,
        host_mission="UNAMI",
        year_established=2003,
        year_established_note="as part of UNAMI",
        profile="The office monitors. It reports.\n\nIt has a second paragraph.",
        field_offices_note="Baghdad and two more",
        staff_count=42,
        budget_needs_usd=12_326_000,
        achievements="Trained judges\n\n  Opened a hotline  \n",
        partners_and_donors="The EU.\n\nNorway.",
        closed_on=datetime.date(2030, 2, 28),
        closed_note="mandate ends",
        last_reviewed=datetime.date(2026, 1, 15),
        more_info_url="https://www.ohchr.org/en/countries/iraq",
        more_info_label="More on Iraq",
        pillars=[pillar],
        shifts=[ShiftFactory(name="Digital space", slug="digital")],
        spotlight_populations=[SpotlightPopulationFactory(slug="youth")],
        tags=[TagFactory(name="Elections", slug="elections")],
    )
    FieldOfficeFactory(office=office, name="Erbil", note="Kurdistan", position=2)
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    MandateFactory(
        office=office,
        title="Security Council resolution 2522 (2020)",
        symbol="S/RES/2522 (2020)",
        adopted_on=datetime.date(2020, 5, 29),
        url="https://undocs.org/S/RES/2522(2020)",
    )
    return office


def test_the_profile_gives_everything_the_page_shows(api, iraq):
    data = api.get(detail("iraq")).json()

    assert data["name"] == "UN Human Rights in Iraq"
    assert data["country_code"] == "IQ"
    assert data["region"] == {"code": "mena", "label": "Middle East and North Africa"}
    assert data["engagement_type"] == {
        "code": "political_mission",
        "label": "Human rights office within a political mission",
    }
    assert data["host_mission"] == "UNAMI"
    assert data["year_established"] == 2003
    assert data["profile"] == [
        "The office monitors. It reports.",
        "It has a second paragraph.",
    ]
    assert data["summary"] == "The office monitors."
    assert data["field_offices"] == [
        {"name": "Baghdad", "note": "", "is_head_office": True},
        {"name": "Erbil", "note": "Kurdistan", "is_head_office": False},
    ]
    assert data["field_office_count"] == 2
    assert data["field_offices_note"] == "Baghdad and two more"
    assert data["mandates"] == [
        {
            "kind": {
                "code": "security_council",
                "label": "Security Council resolution",
            },
            "title": "Security Council resolution 2522 (2020)",
            "symbol": "S/RES/2522 (2020)",
            "adopted_on": "2020-05-29",
            "integrated_in": None,
            "summary": "",
            "url": "https://undocs.org/S/RES/2522(2020)",
        }
    ]
    assert data["pillars"] == [
        {
            "slug": "accountability",
            "name": "Accountability",
            "description": "What Accountability is about",
            "page_url": "https://profiles.example.org/en/pillars/accountability/",
        }
    ]
    assert [s["slug"] for s in data["shifts"]] == ["digital"]
    assert [p["slug"] for p in data["spotlight_populations"]] == ["youth"]
    assert data["tags"] == [{"slug": "elections", "name": "Elections"}]
    assert data["staff_count"] == 42
    assert data["budget_needs_usd"] == 12_326_000
    assert data["achievements"] == ["Trained judges", "Opened a hotline"]
    assert data["partners_and_donors"] == "The EU.\n\nNorway."
    assert (data["closed_on"], data["closed_note"]) == ("2030-02-28", "mandate ends")
    assert data["last_reviewed"] == "2026-01-15"
    assert data["more_info_url"] == "https://www.ohchr.org/en/countries/iraq"
    assert data["more_info_label"] == "More on Iraq"
    assert data["page_url"] == "https://profiles.example.org/en/offices/iraq/"
    assert data["url"] == "https://profiles.example.org/api/v1/offices/iraq/"


def test_updated_at_is_an_iso_8601_date_time(api, iraq):
    data = api.get(detail("iraq")).json()

    assert (
        datetime.datetime.fromisoformat(data["updated_at"])
        == Office.objects.get(pk=iraq.pk).updated_at
    )


def test_empty_values_are_empty_strings_and_nulls(api, site_url):
    OfficeFactory(slug="bare", profile="", achievements="")

    data = api.get(detail("bare")).json()

    assert data["profile"] == [] and data["achievements"] == []
    assert data["summary"] == "" and data["country_code"] == ""
    assert data["staff_count"] is None and data["closed_on"] is None
    assert data["field_offices"] == [] and data["mandates"] == []


def test_a_link_that_is_not_http_is_left_out(api, iraq):
    # Stored before the database refused such links, or by a script.
    Office.objects.filter(pk=iraq.pk).update(more_info_url="")
    iraq.mandates.update(url="")

    data = api.get(detail("iraq")).json()

    assert data["more_info_url"] == ""
    assert data["mandates"][0]["url"] == ""


def test_the_list_item_links_to_the_profile_and_the_page(api, iraq):
    office = api.get(LIST).json()["results"][0]

    assert office["url"] == "https://profiles.example.org/api/v1/offices/iraq/"
    assert office["page_url"] == "https://profiles.example.org/en/offices/iraq/"
    assert office["field_office_count"] == 2
    assert office["region"]["code"] == "mena"
    assert "mandates" not in office


def test_links_follow_site_url_not_the_host_header(api, iraq, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "other.example.org"]

    data = api.get(detail("iraq"), HTTP_HOST="other.example.org").json()

    assert data["page_url"].startswith("https://profiles.example.org/")


# Published content only.


@pytest.fixture
def unpublished(db):
    """A published office; a draft; a deleted one; a pending draft copy."""
    editor = UserFactory()
    live = OfficeFactory(name="Live", slug="live")
    OfficeFactory(name="Draft", slug="draft", status=Office.Status.DRAFT)
    soft_delete(OfficeFactory(name="Deleted", slug="deleted"), by=editor)
    copy = start_draft(live, by=editor)
    copy.name = "Pending changes"
    copy.save()
    return live


def test_the_list_has_only_published_offices(api, unpublished):
    response = api.get(LIST)

    assert slugs(response) == ["live"]
    assert response.json()["count"] == 1
    assert response.json()["results"][0]["name"] == "Live"


@pytest.mark.parametrize("slug", ["draft", "nowhere"])
def test_an_office_never_published_is_a_json_404(api, unpublished, slug):
    response = api.get(detail(slug))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_deleted_office_is_a_json_410(api, unpublished):
    response = api.get(detail("deleted"))

    assert response.status_code == 410
    assert response.json()["code"] == "gone"


def test_the_profile_is_the_published_version_not_the_draft(api, unpublished):
    assert api.get(detail("live")).json()["name"] == "Live"


def test_a_signed_in_editor_sees_the_published_data(api, unpublished, staff_user):
    api.client.force_login(staff_user)

    assert slugs(api.get(LIST)) == ["live"]
    assert api.get(detail("draft")).status_code == 404


# Filters and search: the index page's own.


@pytest.fixture
def world(db):
    accountability = ThematicPillarFactory(slug="accountability")
    digital = ShiftFactory(slug="digital")
    youth = SpotlightPopulationFactory(slug="youth")
    OfficeFactory(
        name="Iraq",
        slug="iraq",
        region=Office.Region.MIDDLE_EAST_NORTH_AFRICA,
        engagement_type=Office.EngagementType.POLITICAL_MISSION,
        pillars=[accountability],
        shifts=[digital],
    )
    OfficeFactory(
        name="Colombia",
        slug="colombia",
        country="Colombia",
        region=Office.Region.AMERICAS,
        pillars=[accountability],
        spotlight_populations=[youth],
        profile="Peace agreement monitoring in the regions.",
    )
    OfficeFactory(name="Uganda", slug="uganda", region=Office.Region.AFRICA)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["colombia", "iraq", "uganda"]),
        ({"region": "americas"}, ["colombia"]),
        ({"engagement_type": "political_mission"}, ["iraq"]),
        ({"pillar": "accountability"}, ["colombia", "iraq"]),
        ({"shift": "digital"}, ["iraq"]),
        ({"population": "youth"}, ["colombia"]),
        ({"pillar": "accountability", "region": "mena"}, ["iraq"]),
    ],
)
def test_filters(api, world, query, expected):
    assert slugs(api.get(LIST, query)) == expected


def test_search_finds_words_from_the_profile(api, world):
    assert slugs(api.get(LIST, {"q": "peace agreement"})) == ["colombia"]


def test_search_combines_with_filters(api, world):
    assert slugs(api.get(LIST, {"q": "Colombia", "region": "africa"})) == []


def test_the_list_filters_as_the_index_page_does(api, world, client):
    query = {"pillar": "accountability", "region": "mena", "q": "Iraq"}

    page = client.get("/en/offices/", query)

    assert [o.slug for o in page.context["offices"]] == slugs(api.get(LIST, query))


@pytest.fixture
def stamped(db):
    """Three offices last changed on 1, 2 and 3 May 2026 (UTC noon)."""
    for day in (1, 2, 3):
        office = OfficeFactory(name=f"May {day}", slug=f"may-{day}")
        Office.objects.filter(pk=office.pk).update(
            updated_at=datetime.datetime(2026, 5, day, 12, tzinfo=datetime.UTC)
        )


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("2026-05-02", ["may-2", "may-3"]),
        ("2026-05-02T12:00:00Z", ["may-2", "may-3"]),
        ("2026-05-02T12:00:01Z", ["may-3"]),
        ("2026-05-02T13:00:00+02:00", ["may-2", "may-3"]),
        ("2026-05-04", []),
    ],
)
def test_updated_since(api, stamped, since, expected):
    assert slugs(api.get(LIST, {"updated_since": since})) == expected


def test_updated_since_without_offset_is_in_the_site_time_zone(api, stamped, settings):
    settings.TIME_ZONE = "Asia/Baghdad"  # UTC+3: 15:00 there is 12:00 UTC

    assert slugs(api.get(LIST, {"updated_since": "2026-05-02T15:00"})) == [
        "may-2",
        "may-3",
    ]


# Refused query strings: 400, every bad parameter named.


def test_an_unknown_filter_is_a_400_that_names_it(api, world):
    response = api.get(LIST, {"country": "Iraq", "sort": "name", "region": "mena"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_query"
    assert set(body["errors"]) == {"country", "sort"}
    assert "country" in body["detail"] and "sort" in body["detail"]
    assert "region" in body["errors"]["country"][0]  # what is accepted


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ({"region": "atlantis"}, "region"),
        ({"engagement_type": "embassy"}, "engagement_type"),
        ({"pillar": "not a slug"}, "pillar"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"q": "x" * 201}, "q"),
        ({"q": "nul\x00"}, "q"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "last"}, "page"),
        ({"page_size": "many"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "-5"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"pillar": "no-such-pillar"}, "pillar"),
        ({"shift": "no-such-shift"}, "shift"),
        ({"population": "no-such-population"}, "population"),
    ],
)
def test_an_invalid_value_is_a_400_that_names_it(api, world, query, name):
    response = api.get(LIST, query)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [name]


@pytest.mark.parametrize(
    ("query", "values"),
    [
        ({"region": "atlantis"}, "africa, americas, asia_pacific"),
        ({"engagement_type": "embassy"}, "country_office"),
        ({"pillar": "no-such-pillar"}, "accountability"),
        ({"shift": "no-such-shift"}, "digital"),
        ({"population": "no-such-population"}, "youth"),
        ({"page_size": "101"}, "from 1 to 100"),
    ],
)
def test_a_wrong_value_is_answered_with_the_right_ones(api, world, query, values):
    [(name, _value)] = query.items()

    [message] = api.get(LIST, query).json()["errors"][name]

    assert values in message


def test_the_largest_page_size_is_accepted(api, world):
    response = api.get(LIST, {"page_size": "100"})

    assert response.status_code == 200


def test_the_profile_takes_no_parameters(api, iraq):
    response = api.get(detail("iraq"), {"fields": "name"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["fields"]


# Pages.


def test_pages_link_to_each_other_through_site_url(api, site_url):
    for index in range(5):
        OfficeFactory(name=f"Office {index}", slug=f"office-{index}")

    first = api.get(LIST, {"page_size": 2, "region": "africa"}).json()
    last = api.get(LIST, {"page_size": 2, "region": "africa", "page": 3}).json()

    assert first["count"] == 5
    assert [o["slug"] for o in first["results"]] == ["office-0", "office-1"]
    assert first["previous"] is None
    assert first["next"] == (
        "https://profiles.example.org/api/v1/offices/?page=2&page_size=2&region=africa"
    )
    assert [o["slug"] for o in last["results"]] == ["office-4"]
    assert last["next"] is None
    assert last["previous"].endswith("?page=2&page_size=2&region=africa")


def test_a_page_past_the_end_is_a_json_404(api, world):
    response = api.get(LIST, {"page": 9})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_equal_names_are_paged_without_overlap(api):
    for index in range(4):
        OfficeFactory(name="Same name", slug=f"same-{index}")

    pages = [api.get(LIST, {"page_size": 2, "page": p}) for p in (1, 2)]

    assert sorted(slugs(pages[0]) + slugs(pages[1])) == [f"same-{i}" for i in range(4)]


# Query counts: constant whatever the number of offices.


@pytest.mark.parametrize("count", [1, 200])
def test_list_query_count_is_constant(api, django_assert_max_num_queries, count):
    populate(count)

    # The content version, the count, the page.
    with django_assert_max_num_queries(3):
        response = api.get(LIST, {"page_size": 100})

    assert len(response.json()["results"]) == min(count, 100)


@pytest.mark.parametrize("count", [1, 200])
def test_filtered_list_query_count_is_constant(
    api, django_assert_max_num_queries, count
):
    populate(count)
    pillar = ThematicPillar.objects.first().slug

    # The content version, the pillars (is the slug one of them?), the count,
    # the page.
    with django_assert_max_num_queries(4):
        response = api.get(LIST, {"q": "Country", "pillar": pillar, "page_size": 100})

    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 200])
def test_profile_query_count_is_constant(api, django_assert_max_num_queries, count):
    populate(count)
    slug = Office.objects.published().order_by("-pk").first().slug

    # The content version, the office, and one per relation it lists.
    with django_assert_max_num_queries(8):
        response = api.get(detail(slug))

    assert len(response.json()["field_offices"]) == 2


def test_a_404_costs_three_queries(api, django_assert_max_num_queries):
    populate(1)

    # The content version; then whether it is a former address, or one an
    # office was withdrawn from.
    with django_assert_max_num_queries(3):
        assert api.get(detail("nowhere")).status_code == 404


def test_dates_are_in_the_site_time_zone_with_offset(api, settings, iraq):
    settings.TIME_ZONE = "Asia/Baghdad"
    timezone.activate("Asia/Baghdad")
    try:
        value = api.get(detail("iraq")).json()["updated_at"]
    finally:
        timezone.deactivate()

    assert datetime.datetime.fromisoformat(value).utcoffset() is not None

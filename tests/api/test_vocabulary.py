"""/api/v1/pillars/, shifts/, populations/ and tags/: the vocabulary."""

import pytest

from tests.factories import (
    ShiftFactory,
    SpotlightPopulationFactory,
    TagFactory,
    ThematicPillarFactory,
)


def test_pillars_in_the_order_profiles_list_them(api, site_url):
    ThematicPillarFactory(name="Development", slug="development", position=2)
    ThematicPillarFactory(
        name="Accountability", slug="accountability", description="", position=1
    )

    assert api.get("/api/v1/pillars/").json() == [
        {
            "slug": "accountability",
            "name": "Accountability",
            "description": "",
            "page_url": "https://profiles.example.org/en/pillars/accountability/",
        },
        {
            "slug": "development",
            "name": "Development",
            "description": "What Development is about",
            "page_url": "https://profiles.example.org/en/pillars/development/",
        },
    ]


@pytest.mark.parametrize(
    ("path", "factory", "page"),
    [
        ("/api/v1/shifts/", ShiftFactory, "/en/shifts/"),
        ("/api/v1/populations/", SpotlightPopulationFactory, "/en/populations/"),
    ],
)
def test_shifts_and_populations(api, site_url, path, factory, page):
    term = factory()

    [item] = api.get(path).json()

    assert item["slug"] == term.slug
    assert item["page_url"] == f"{site_url}{page}{term.slug}/"


def test_tags(api):
    TagFactory(name="Elections", slug="elections")
    TagFactory(name="Borders", slug="borders")

    assert api.get("/api/v1/tags/").json() == [
        {"slug": "borders", "name": "Borders"},
        {"slug": "elections", "name": "Elections"},
    ]


def test_an_empty_vocabulary_is_an_empty_list(api):
    assert api.get("/api/v1/tags/").json() == []


def test_a_vocabulary_takes_no_parameters(api):
    response = api.get("/api/v1/pillars/", {"page": 2})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["page"]


@pytest.mark.parametrize("count", [1, 200])
def test_vocabulary_query_count_is_constant(api, django_assert_max_num_queries, count):
    ThematicPillarFactory.create_batch(count)

    # The content version and the list.
    with django_assert_max_num_queries(2):
        assert len(api.get("/api/v1/pillars/").json()) == count

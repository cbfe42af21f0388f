import re

import pytest

from offices.models import Office
from tests.factories import (
    FieldOfficeFactory,
    OfficeFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    ThematicPillarFactory,
)

TERMS = [
    ("pillars", ThematicPillarFactory, "pillars", "pillar"),
    ("shifts", ShiftFactory, "shifts", "shift"),
    ("populations", SpotlightPopulationFactory, "spotlight_populations", "population"),
]


@pytest.fixture(params=TERMS, ids=[t[0] for t in TERMS])
def term_page(request, db):
    """A term, two published offices working on it, one draft and one other."""
    prefix, factory, relation, filter_name = request.param
    term = factory(name="Accountability", slug="term", description="What it means")
    for name, status in [
        ("UN Human Rights in Iraq", Office.Status.PUBLISHED),
        ("UN Human Rights in Colombia", Office.Status.PUBLISHED),
        ("Draft presence", Office.Status.DRAFT),
    ]:
        getattr(OfficeFactory(name=name, status=status), relation).add(term)
    OfficeFactory(name="Unrelated presence")
    return f"/en/{prefix}/term/", filter_name


def names(html):
    return re.findall(r'class="office__name" href="[^"]+">([^<]+)</a>', html)


def test_term_page_has_the_term_as_h1_and_its_description(client, term_page):
    url, _ = term_page
    html = client.get(url).content.decode()

    assert re.findall(r"<h1>(.*?)</h1>", html) == ["Accountability"]
    assert '<p class="lead">What it means</p>' in html


def test_term_page_lists_published_offices_working_on_it(client, term_page):
    url, _ = term_page
    html = client.get(url).content.decode()

    assert names(html) == ["UN Human Rights in Colombia", "UN Human Rights in Iraq"]


def test_term_page_links_to_the_filtered_index(client, term_page):
    url, filter_name = term_page
    html = client.get(url).content.decode()

    assert f'href="/en/offices/?{filter_name}=term"' in html


def test_term_page_is_publicly_cacheable(client, term_page):
    url, _ = term_page

    assert client.get(url).headers["Cache-Control"] == (
        "public, max-age=300, s-maxage=1, "
        "stale-while-revalidate=60, stale-if-error=86400"
    )


def test_term_without_offices_says_so(client, db):
    ShiftFactory(slug="climate-change")
    html = client.get("/en/shifts/climate-change/").content.decode()

    assert "No published field presence works on it yet." in html


@pytest.mark.parametrize("prefix", ["pillars", "shifts", "populations"])
def test_unknown_term_gets_the_branded_404(client, db, prefix):
    response = client.get(f"/en/{prefix}/atlantis/")

    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


@pytest.mark.parametrize("count", [1, 100])
def test_term_page_query_budget(client, db, django_assert_max_num_queries, count):
    pillar = ThematicPillarFactory(slug="term")
    for office in OfficeFactory.create_batch(count, pillars=[pillar]):
        FieldOfficeFactory.create_batch(2, office=office)

    with django_assert_max_num_queries(3):
        html = client.get("/en/pillars/term/").content.decode()
    assert len(names(html)) == count
    assert "2 field offices" in html

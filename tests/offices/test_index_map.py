"""The index's world map as served: which offices it links, how they are
named, the disclaimer, the filters' selection and the query budget."""

import datetime
import re

import pytest

from offices.map.countries import NUMERIC_TO_ALPHA2
from offices.models import Office
from tests.factories import OfficeFactory

DISCLAIMER = (
    "The boundaries and names shown and the designations used on this map do not"
    " imply official endorsement or acceptance by the United Nations."
)


def the_map(response):
    """The map's SVG markup, or "" when the page has none."""
    html = response.content.decode()
    match = re.search(r'<svg class="worldmap__svg".*?</svg>', html, re.S)
    return match.group(0) if match else ""


def map_links(response):
    """(href, accessible name) of each office link on the map."""
    return re.findall(
        r'<a class="worldmap__office" href="([^"]+)"[^>]*>\s*<title>([^<]*)</title>',
        the_map(response),
    )


@pytest.fixture
def presences(db):
    return {
        "iraq": OfficeFactory(name="UN Human Rights in Iraq", country_code="IQ"),
        "bahrain": OfficeFactory(name="Office in Bahrain", country_code="BH"),
        "regional": OfficeFactory(
            name="Regional Office for Somewhere",
            country_code="",
            engagement_type=Office.EngagementType.REGIONAL_OFFICE,
        ),
        "closed": OfficeFactory(
            name="Closed Office in Peru",
            country_code="PE",
            closed_on=datetime.date(2020, 1, 1),
        ),
        "draft": OfficeFactory(
            name="Draft Office in Chile",
            country_code="CL",
            status=Office.Status.DRAFT,
        ),
    }


def test_each_open_published_office_with_a_country_links_its_profile(client, presences):
    response = client.get("/en/offices/")

    assert sorted(map_links(response)) == sorted(
        (office.get_absolute_url(), office.name)
        for office in (presences["iraq"], presences["bahrain"])
    )


def test_closed_and_regional_offices_are_only_in_the_list(client, presences):
    response = client.get("/en/offices/")
    svg = the_map(response)
    html = response.content.decode()

    for key in ("regional", "closed"):
        assert presences[key].name not in svg
        assert f'href="{presences[key].get_absolute_url()}"' in html
    assert presences["draft"].name not in html


def test_a_closing_office_is_still_on_the_map(client, presences):
    presences["iraq"].closed_on = datetime.date.today() + datetime.timedelta(days=30)  # noqa: DTZ011
    presences["iraq"].save()

    names = [name for _, name in map_links(client.get("/en/offices/"))]

    assert "UN Human Rights in Iraq" in names


def test_a_country_too_small_to_draw_still_gets_a_marker(client, presences):
    svg = the_map(client.get("/en/offices/"))

    bahrain = re.search(r"<title>Office in Bahrain</title>\s*<circle", svg)
    assert bahrain


def test_the_accessible_name_is_the_name_in_the_readers_language(client, presences):
    presences["iraq"].name_ar = "حقوق الإنسان في العراق"
    presences["iraq"].save()

    response = client.get("/ar/offices/")
    names = dict(map_links(response)).values()

    assert "حقوق الإنسان في العراق" in names
    # Bahrain's Arabic name falls back to English: marked as English.
    assert re.search(
        r'<a class="worldmap__office" href="[^"]+" lang="en" dir="ltr">\s*'
        r"<title>Office in Bahrain</title>",
        the_map(response),
    )


def test_the_map_is_drawn_left_to_right_on_the_arabic_page(client, presences):
    html = client.get("/ar/offices/").content.decode()

    assert re.search(r'<div class="worldmap__frame" dir="ltr">\s*<svg', html)


def test_the_un_disclaimer_is_under_the_map(client, presences):
    html = client.get("/en/offices/").content.decode()

    assert html.index(DISCLAIMER) > html.index("</svg>")


def test_the_country_shapes_are_decorative(client, presences):
    svg = the_map(client.get("/en/offices/"))

    # Every country: one path in a static file of its own, drawn with <use>.
    assert re.search(
        r'<use class="worldmap__land" href="/static/offices/map/world[.\w]*svg#land"'
        r' aria-hidden="true"/>',
        svg,
    )
    assert '<g class="worldmap__countries" aria-hidden="true">' in svg
    # A highlighted country is a mouse target only, out of the tab order.
    assert re.search(r'<a href="[^"]+" tabindex="-1"><path', svg)


def test_two_offices_in_one_country_get_a_marker_each(client, presences):
    second = OfficeFactory(name="Second Office in Iraq", country_code="IQ")

    svg = the_map(client.get("/en/offices/"))
    markers = re.findall(r'<circle class="worldmap__marker" cx="([\d.]+)"', svg)

    assert len(markers) == 3
    assert f'href="{second.get_absolute_url()}"' in svg
    assert len(set(markers)) == 3
    # Iraq's shape is drawn once, a link to neither office (Bahrain has no
    # shape at this scale, so no shape is a link).
    assert svg.count('class="worldmap__country"') == 1
    assert 'tabindex="-1"' not in svg


def test_the_filters_highlight_what_they_select(client, presences):
    colombia = OfficeFactory(
        name="UN Human Rights in Colombia",
        country_code="CO",
        region=Office.Region.AMERICAS,
    )

    response = client.get("/en/offices/?region=americas")
    svg = the_map(response)

    # The selection: links, named, on a highlighted country.
    assert map_links(response) == [(colombia.get_absolute_url(), colombia.name)]
    # The other offices the map can show: dimmed, decorative, no link.
    dimmed = re.search(r'<g aria-hidden="true">(.*?)</g>', svg, re.S).group(1)
    assert dimmed.count("worldmap__marker--other") == 2  # Iraq and Bahrain
    assert "<a" not in dimmed
    assert svg.count("worldmap__country--other") == 1  # Iraq; Bahrain: a point
    assert presences["iraq"].name not in svg
    assert presences["closed"].name not in svg


def test_without_a_filter_nothing_is_dimmed(client, presences):
    svg = the_map(client.get("/en/offices/"))

    assert "--other" not in svg


def test_no_map_when_no_selected_office_has_a_country(client, presences):
    response = client.get("/en/offices/?engagement=regional_office")

    assert the_map(response) == ""
    assert DISCLAIMER not in response.content.decode()


def test_an_unknown_country_code_stays_off_the_map(client, presences):
    OfficeFactory(name="Office with a made-up code", country_code="QQ")

    response = client.get("/en/offices/")

    assert "Office with a made-up code" not in the_map(response)
    assert "Office with a made-up code" in response.content.decode()


def cold_index(client, path, budget):
    """The index rendered from scratch: its number of queries and response."""
    with budget(8) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("query", ["", "?region=africa"])
def test_the_map_adds_no_query_per_office(
    client, db, django_assert_max_num_queries, query
):
    path = f"/en/offices/{query}"
    OfficeFactory(country_code="IQ")
    few, _ = cold_index(client, path, django_assert_max_num_queries)
    codes = sorted(set(NUMERIC_TO_ALPHA2.values()) - {"AQ", "IQ"})
    for code in codes[:150]:
        OfficeFactory(country_code=code)

    # A new office moves the list's stamp: the index is rendered again.
    many, response = cold_index(client, path, django_assert_max_num_queries)

    assert many == few
    assert len(map_links(response)) == 151


def test_an_arabic_page_writes_every_coordinate_as_svg_reads_it(client, presences):
    """Arabic formats numbers with its own separators: none may reach the
    map's coordinates, which SVG would read as 0."""
    response = client.get("/ar/offices/")
    coordinates = re.findall(r'\s(?:cx|cy|x|y)="([^"]*)"', the_map(response))

    assert coordinates
    assert all(re.fullmatch(r"-?\d+(\.\d)?", value) for value in coordinates)

"""/<lang>/offices.csv: the index's selection as a spreadsheet-safe CSV."""

import csv
import datetime
import io

import pytest

from hrprofile.csv import safe_cell, write_csv
from offices.models import Office
from offices.views import CSV_COLUMNS
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    TagFactory,
    ThematicPillarFactory,
)
from tests.opendata.conftest import ORIGIN, assert_any_origin_may_read, preflight

BOM = "\ufeff"


def download(client, url="/en/offices.csv", **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return response, response.content.decode("utf-8")


def rows(text):
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))


# ---------------------------------------------------------------- safe_cell


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_is_quoted(start):
    assert safe_cell(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


@pytest.mark.parametrize("text", ["Iraq", "a=b", "", "'quoted", "العراق"])
def test_other_text_is_left_alone(text):
    assert safe_cell(text) == text


def test_numbers_stay_numbers():
    assert safe_cell(-5) == -5
    assert safe_cell(12) == 12


def test_lists_are_joined_and_then_guarded():
    assert safe_cell(["Erbil", "Basra"]) == "Erbil; Basra"
    assert safe_cell(["=1", "Basra"]) == "'=1; Basra"
    assert safe_cell(None) == ""


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        (["Alpha", "=3+3"], "Alpha; '=3+3"),
        ("Alpha; =3+3", "Alpha; '=3+3"),
        ("Alpha;=3+3", "Alpha;'=3+3"),
        (["=1", "+2", "Basra", "-3", "@4"], "'=1; '+2; Basra; '-3; '@4"),
        ("Alpha;\tcmd", "Alpha;'\tcmd"),
    ],
)
def test_every_part_between_semicolons_is_guarded(value, safe):
    assert safe_cell(value) == safe


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        (" @SUM(1)", " '@SUM(1)"),
        ("  =1+1", "  '=1+1"),
        ("\u00a0+1", "\u00a0'+1"),
        ("\u3000-1", "\u3000'-1"),
        (" \t=1", " \t'=1"),
    ],
)
def test_leading_whitespace_does_not_hide_a_formula(text, safe):
    assert safe_cell(text) == safe


@pytest.mark.parametrize("start", ["\uff1d", "\uff0b", "\uff0d", "\uff20"])
def test_full_width_operators_are_guarded(start):
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell(f"Alpha; {start}1") == f"Alpha; '{start}1"


@pytest.mark.parametrize("text", ["Alpha; Beta", "a = b; c + d", "Basra; 3-4"])
def test_parts_that_are_no_formula_are_left_alone(text):
    assert safe_cell(text) == text


def test_download_guards_every_list_item(client, db):
    office = OfficeFactory(slug="x", host_mission=" @SUM(1)")
    FieldOfficeFactory(office=office, name="Alpha")
    FieldOfficeFactory(office=office, name="=3+3")

    _, text = download(client)

    (row,) = rows(text)
    assert sorted(row["field_offices"].split("; ")) == ["'=3+3", "Alpha"]
    assert row["host_mission"] == " '@SUM(1)"


def test_writer_starts_with_a_bom_and_guards_every_cell():
    file = io.StringIO()
    write_csv(file, ["a", "b"], [["=SUM(A1)", "@x"]])

    text = file.getvalue()
    assert text.startswith(BOM)
    assert list(csv.reader(io.StringIO(text.removeprefix(BOM)))) == [
        ["a", "b"],
        ["'=SUM(A1)", "'@x"],
    ]


# ---------------------------------------------------------------- the download


@pytest.fixture
def iraq(db):
    pillar = ThematicPillarFactory(name="Accountability", slug="accountability")
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        country="Iraq",
        country_code="IQ",
        region=Office.Region.MIDDLE_EAST_NORTH_AFRICA,
        engagement_type=Office.EngagementType.PEACE_MISSION,
        host_mission="UNAMI",
        year_established=2003,
        staff_count=42,
        budget_needs_usd=3_500_000,
        closed_on=datetime.date(2025, 12, 31),
        last_reviewed=datetime.date(2025, 6, 1),
        pillars=[pillar],
        shifts=[ShiftFactory(name="Prevention")],
        spotlight_populations=[SpotlightPopulationFactory(name="Youth")],
        tags=[TagFactory(name="Elections"), TagFactory(name="Detention")],
    )
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    FieldOfficeFactory(office=office, name="Erbil")
    MandateFactory(office=office, title="Resolution 2682", symbol="S/RES/2682")
    MandateFactory(office=office, title="Agreement with the host country")
    return office


def test_download_is_utf8_csv_with_a_bom(client, iraq):
    response, text = download(client)

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="offices.csv"'
    )
    assert text.startswith(BOM)
    assert next(csv.reader(io.StringIO(text.removeprefix(BOM)))) == CSV_COLUMNS


def test_every_field_round_trips(client, iraq, site_url):
    iraq.refresh_from_db()
    _, text = download(client)

    assert rows(text) == [
        {
            "name": "UN Human Rights in Iraq",
            "slug": "iraq",
            "country": "Iraq",
            "country_code": "IQ",
            "region": "mena",
            "region_label": "Middle East and North Africa",
            "engagement_type": iraq.engagement_type,
            "engagement_type_label": iraq.get_engagement_type_display(),
            "host_mission": "UNAMI",
            "year_established": "2003",
            "field_offices": "Baghdad; Erbil",
            "head_office": "Baghdad",
            "mandates": (
                "Resolution 2682 (S/RES/2682); Agreement with the host country"
            ),
            "pillars": "Accountability",
            "shifts": "Prevention",
            "spotlight_populations": "Youth",
            "tags": "Detention; Elections",
            "staff_count": "42",
            "budget_needs_usd": "3500000",
            "closed_on": "2025-12-31",
            "last_reviewed": "2025-06-01",
            "page_url": f"{site_url}/en/offices/iraq/",
            "api_url": f"{site_url}/api/v1/offices/iraq/",
            "updated_at": iraq.updated_at.isoformat(),
        }
    ]


def test_empty_values_are_empty_cells(client, db):
    OfficeFactory(slug="plain", staff_count=None, budget_needs_usd=None)
    _, text = download(client)

    (row,) = rows(text)
    for column in ["staff_count", "budget_needs_usd", "closed_on", "last_reviewed"]:
        assert row[column] == ""
    assert row["field_offices"] == row["mandates"] == row["tags"] == ""


@pytest.mark.parametrize(
    "name",
    [
        "مفوضية الأمم المتحدة لحقوق الإنسان في العراق",
        "联合国人权事务高级专员办事处",
    ],
)
def test_non_latin_text_round_trips(client, db, name):
    OfficeFactory(name=name, slug="x")
    FieldOfficeFactory(office=Office.objects.get(slug="x"), name=name[:6])

    _, text = download(client)

    (row,) = rows(text)
    assert row["name"] == name
    assert row["field_offices"] == name[:6]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_download_guards_formulas_an_editor_typed(client, db, start):
    OfficeFactory(name=f"{start}cmd|' /C calc'!A0", slug="x", host_mission=start)

    _, text = download(client)

    (row,) = rows(text)
    assert row["name"] == f"'{start}cmd|' /C calc'!A0"
    assert row["host_mission"] == f"'{start}"


def test_drafts_are_never_listed(client, db, admin_user):
    OfficeFactory(slug="public")
    OfficeFactory(slug="secret", status=Office.Status.DRAFT)
    client.force_login(admin_user)

    _, text = download(client)

    assert [row["slug"] for row in rows(text)] == ["public"]


def test_the_index_filters_apply(client, db):
    pillar = ThematicPillarFactory(slug="accountability")
    OfficeFactory(slug="uganda", region=Office.Region.AFRICA, pillars=[pillar])
    OfficeFactory(slug="kenya", region=Office.Region.AFRICA)
    OfficeFactory(
        slug="mexico",
        country="Mexico",
        region=Office.Region.AMERICAS,
        pillars=[pillar],
    )

    def slugs(query):
        _, text = download(client, f"/en/offices.csv?{query}")
        return sorted(row["slug"] for row in rows(text))

    assert slugs("") == ["kenya", "mexico", "uganda"]
    assert slugs("region=africa") == ["kenya", "uganda"]
    assert slugs("pillar=accountability") == ["mexico", "uganda"]
    assert slugs("region=africa&pillar=accountability") == ["uganda"]
    assert slugs("q=mexico") == ["mexico"]
    # The index form's "All": an empty value filters nothing.
    assert slugs("region=&engagement=&pillar=accountability&q=") == [
        "mexico",
        "uganda",
    ]


@pytest.fixture
def vocabulary(db):
    ThematicPillarFactory(slug="accountability")
    ShiftFactory(slug="prevention")
    SpotlightPopulationFactory(slug="youth")
    OfficeFactory(slug="uganda", region=Office.Region.AFRICA)


def refusal(client, query):
    response = client.get(f"/en/offices.csv?{query}")
    assert response.status_code == 400, response.status_code
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in response.headers["Cache-Control"]
    return response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "region=atlantis",
            "region: “atlantis” is not one of its values: africa, americas, "
            "asia_pacific, europe_central_asia, mena.",
        ),
        ("engagement=embassy", "engagement: “embassy” is not one of its values: "),
        (
            "pillar=nothing",
            "pillar: “nothing” is not one of its values: accountability.",
        ),
        ("shift=nothing", "shift: “nothing” is not one of its values: prevention."),
        (
            "population=nothing",
            "population: “nothing” is not one of its values: youth.",
        ),
        ("q=" + "x" * 201, "q: Ensure this value has at most 200 characters"),
    ],
)
def test_a_wrong_filter_value_is_a_400_naming_it_and_the_right_ones(
    client, vocabulary, query, message
):
    name = query.split("=")[0]

    text = refusal(client, query)

    assert text.startswith(f"Invalid query parameters: {name}.\n")
    assert message in text
    assert "uganda" not in text


def test_every_type_of_engagement_is_listed(client, vocabulary):
    text = refusal(client, "engagement=embassy")

    assert all(value in text for value in Office.EngagementType.values)


@pytest.mark.parametrize("name", ["engagement_type", "sort", "page"])
def test_an_unknown_parameter_is_a_400_naming_what_is_accepted(
    client, vocabulary, name
):
    text = refusal(client, f"region=africa&{name}=x")

    assert f"{name}: Unknown parameter. Accepted here: " in text
    assert "engagement, pillar, population, q, region, shift." in text


def test_every_bad_parameter_is_named_at_once(client, vocabulary):
    text = refusal(client, "region=atlantis&shift=nothing&sort=name")

    assert text.startswith("Invalid query parameters: region, shift, sort.\n")


def test_each_language_has_its_download(client, db, settings):
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    OfficeFactory(slug="iraq", region=Office.Region.MIDDLE_EAST_NORTH_AFRICA)

    _, text = download(client, "/fr/offices.csv")

    (row,) = rows(text)
    assert row["page_url"].endswith("/fr/offices/iraq/")
    assert row["region"] == "mena"


@pytest.mark.parametrize("count", [1, 200])
def test_query_count_is_constant(client, db, django_assert_num_queries, count):
    tags = TagFactory.create_batch(2)
    for office in OfficeFactory.create_batch(count, tags=tags):
        FieldOfficeFactory(office=office)
        MandateFactory(office=office)

    # The content version; the form's three vocabularies; the offices; their
    # field offices, mandates, pillars, shifts, populations and tags.
    with django_assert_num_queries(11):
        _, text = download(client)

    assert len(rows(text)) == count


def test_download_is_cached_and_answers_304(client, db):
    OfficeFactory()
    response, _ = download(client)

    assert set(response.headers["Cache-Control"].split(", ")) == {
        "public",
        "max-age=300",
        "s-maxage=1",
        "stale-while-revalidate=60",
        "stale-if-error=86400",
    }
    again = client.get(
        "/en/offices.csv", headers={"if-none-match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_filtered_downloads_are_rate_limited(client, db, settings):
    settings.SEARCH_RATE_LIMIT = 2
    for _ in range(2):
        assert client.get("/en/offices.csv?q=iraq").status_code == 200
    # The plain download is not a search: never limited.
    assert client.get("/en/offices.csv").status_code == 200

    response = client.get("/en/offices.csv?region=africa")

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


# ---------------------------------------------------------------- the index links


def test_index_links_the_downloads_of_its_selection(client, db):
    ThematicPillarFactory(slug="accountability")
    html = client.get(
        "/en/offices/?region=africa&engagement=country_office"
        "&pillar=accountability&shift=&q=water"
    ).content.decode()

    assert "Download this list:" in html
    assert (
        'href="/en/offices.csv?q=water&amp;region=africa'
        "&amp;engagement=country_office&amp;pillar=accountability"
    ) in html
    # The API names the type of engagement engagement_type.
    assert (
        'href="/api/v1/offices/?q=water&amp;region=africa'
        "&amp;engagement_type=country_office&amp;pillar=accountability"
    ) in html


def test_unfiltered_index_links_the_whole_list(client, db):
    html = client.get("/en/offices/").content.decode()

    assert 'href="/en/offices.csv"' in html
    assert 'href="/api/v1/offices/"' in html


def test_index_leaves_invalid_filters_out_of_its_links(client, db):
    html = client.get("/en/offices/?region=atlantis&page=2").content.decode()

    assert 'href="/en/offices.csv"' in html
    assert 'href="/api/v1/offices/"' in html


# ---------------------------------------------------------------- CORS: public data


@pytest.mark.parametrize("language", ["en", "fr"])
def test_any_origin_may_read_the_download(client, db, language):
    OfficeFactory()

    response = client.get(f"/{language}/offices.csv", headers={"origin": ORIGIN})

    assert response.status_code == 200
    assert_any_origin_may_read(response)


def test_a_cross_origin_script_may_revalidate_the_download(client, db):
    OfficeFactory()
    allowed = preflight(client, "/en/offices.csv", "if-none-match")
    etag = client.get("/en/offices.csv", headers={"origin": ORIGIN})["ETag"]

    again = client.get(
        "/en/offices.csv", headers={"origin": ORIGIN, "if-none-match": etag}
    )

    assert allowed.status_code == 200
    assert "if-none-match" in allowed.headers["Access-Control-Allow-Headers"]
    assert again.status_code == 304
    assert_any_origin_may_read(again)


def test_the_index_page_sends_no_cors_headers(client, db):
    response = client.get("/en/offices/", headers={"origin": ORIGIN})

    assert "Access-Control-Allow-Origin" not in response.headers

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from mandates.models import Mandate, Shift, SpotlightPopulation, ThematicPillar
from offices.models import Office
from tests.seed import IRAQ_PARAGRAPHS, PILLARS

pytestmark = pytest.mark.django_db


def load_demo(**options):
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def row_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models(include_auto_created=True)
    }


def names(related):
    return [item.name for item in related.all()]


@pytest.fixture
def iraq():
    load_demo()
    return Office.objects.get(slug="iraq")


def test_loading_twice_gives_the_same_row_counts():
    load_demo()
    first = row_counts()

    load_demo()

    assert row_counts() == first
    assert first["offices.Office"] == 12


def test_loading_twice_changes_no_row():
    load_demo()
    updated = dict(Office.objects.values_list("slug", "updated_at"))

    output = load_demo()

    # The message counts the demo list, not the database: check both.
    assert len(updated) == 12
    assert dict(Office.objects.values_list("slug", "updated_at")) == updated
    assert output == "Demo content already up to date (12 offices).\n"


def test_first_load_prints_a_one_line_summary():
    output = load_demo()

    assert output.count("\n") == 1
    assert output.startswith("Demo content loaded: ")
    assert "12 offices created" in output


def test_verbosity_zero_prints_nothing():
    assert load_demo(verbosity=0) == ""
    assert Office.objects.count() == 12


def test_rerun_restores_edited_demo_values_and_rows():
    load_demo()
    iraq = Office.objects.get(slug="iraq")
    Office.objects.filter(pk=iraq.pk).update(staff_count=3, host_mission="X")
    iraq.field_offices.filter(name="Baghdad").update(is_head_office=False)
    iraq.field_offices.filter(name="Mosul").update(is_head_office=True)
    iraq.field_offices.create(name="Najaf", position=9)
    iraq.mandates.filter(title="Child Protection").delete()
    iraq.pillars.clear()

    load_demo()

    iraq.refresh_from_db()
    assert (iraq.staff_count, iraq.host_mission) == (None, "UNAMI")
    assert iraq.field_offices.get(is_head_office=True).name == "Baghdad"
    assert names(iraq.field_offices) == ["Baghdad", "Basra", "Erbil", "Kirkuk", "Mosul"]
    assert iraq.mandates.count() == 3
    assert iraq.pillars.count() == 4


def test_only_missing_keeps_local_edits_and_creates_absent_offices():
    load_demo()
    Office.objects.filter(slug="iraq").update(staff_count=3)
    ThematicPillar.objects.filter(slug="accountability").update(description="Edited")
    Office.objects.filter(slug="tunisia").delete()

    call_command("load_demo", "--only-missing", stdout=StringIO())

    assert Office.objects.get(slug="iraq").staff_count == 3
    assert ThematicPillar.objects.get(slug="accountability").description == "Edited"
    tunisia = Office.objects.get(slug="tunisia")
    assert tunisia.pillars.count() == 5


def test_only_missing_on_an_empty_database_loads_everything():
    assert not Office.objects.exists()

    call_command("load_demo", "--only-missing", stdout=StringIO())

    assert Office.objects.count() == 12
    assert Office.objects.get(slug="iraq").last_reviewed == datetime.date(2021, 5, 1)
    # A full load afterwards finds nothing left to create or restore.
    assert load_demo() == "Demo content already up to date (12 offices).\n"


def test_rerun_keeps_offices_and_terms_that_are_not_demo_content():
    load_demo()
    office = Office.objects.create(
        name="UN Human Rights in Nowhere",
        slug="nowhere",
        region=Office.Region.AFRICA,
        engagement_type=Office.EngagementType.OTHER,
        year_established=2020,
    )
    office.field_offices.create(name="Somewhere")
    Shift.objects.create(name="Local shift", slug="local-shift")

    load_demo()

    assert Office.objects.count() == 13
    assert names(Office.objects.get(slug="nowhere").field_offices) == ["Somewhere"]
    assert Shift.objects.filter(slug="local-shift").exists()


def test_demo_offices_pass_model_validation():
    load_demo()
    offices = list(Office.objects.all())

    assert len(offices) == 12
    for office in offices:
        office.full_clean()


# The vocabulary, in DOMAIN.md order.


def test_pillars_have_their_descriptions_in_order():
    load_demo()

    pillars = list(ThematicPillar.objects.values_list("name", "description"))

    assert pillars == PILLARS


def test_shifts_are_in_order():
    load_demo()

    assert names(Shift.objects) == [
        "Prevention",
        "Civic space",
        "Inequalities",
        "Climate change",
        "Digital space and new technologies",
        "Corruption",
        "People on the move",
    ]


def test_spotlight_populations_are_in_order():
    load_demo()

    assert names(SpotlightPopulation.objects) == [
        "Women",
        "Youth",
        "Persons with disabilities",
    ]


# Iraq, field by field (DOMAIN.md "The seed").


def test_iraq_identity(iraq):
    assert iraq.name == "UN Human Rights in Iraq"
    assert (iraq.country, iraq.country_code) == ("Iraq", "IQ")
    assert iraq.region == Office.Region.MIDDLE_EAST_NORTH_AFRICA
    assert iraq.get_region_display() == "Middle East and North Africa"
    assert iraq.host_mission == "UNAMI"
    assert iraq.get_engagement_type_display() == (
        "Human rights office within a political mission"
    )
    assert iraq.year_established == 2003


def test_iraq_status_and_review(iraq):
    assert iraq.status == Office.Status.PUBLISHED
    assert iraq.last_reviewed == datetime.date(2021, 5, 1)


def test_iraq_profile_is_the_three_paragraphs_verbatim(iraq):
    assert iraq.profile == "\n\n".join(IRAQ_PARAGRAPHS)
    assert iraq.paragraphs() == IRAQ_PARAGRAPHS


def test_iraq_more_information_link(iraq):
    assert iraq.more_info_url == "https://unami.unmissions.org/en/human-rights"
    assert iraq.more_info_label == (
        "More information on the work carried out by the UNAMI office."
    )


def test_iraq_field_offices_in_order_with_baghdad_the_head_office(iraq):
    field_offices = list(iraq.field_offices.all())

    assert [f.name for f in field_offices] == [
        "Baghdad",
        "Basra",
        "Erbil",
        "Kirkuk",
        "Mosul",
    ]
    assert [f.is_head_office for f in field_offices] == [True] + [False] * 4
    assert [f.note for f in field_offices] == [""] * 5


def test_iraq_mandates(iraq):
    mandates = list(
        iraq.mandates.values_list(
            "kind", "title", "symbol", "adopted_on", "integrated_in"
        )
    )

    assert mandates == [
        (
            Mandate.Kind.SECURITY_COUNCIL,
            "Security Council resolution 2522 (2020)",
            "S/RES/2522 (2020)",
            datetime.date(2020, 5, 29),
            None,
        ),
        (Mandate.Kind.THEMATIC, "Conflict-related Sexual Violence", "", None, 2019),
        (Mandate.Kind.THEMATIC, "Child Protection", "", None, 2019),
    ]


def test_iraq_focus_areas(iraq):
    assert names(iraq.pillars) == [
        "Accountability",
        "Participation",
        "Peace and Security",
        "Mechanisms",
    ]
    assert names(iraq.shifts) == ["Prevention", "Civic space", "Inequalities"]
    assert names(iraq.spotlight_populations) == ["Women"]


def test_iraq_values_domain_md_does_not_give_are_empty(iraq):
    assert iraq.staff_count is None
    assert iraq.budget_needs_usd is None
    assert iraq.closed_on is None
    assert iraq.year_established_note == iraq.achievements == ""
    assert list(iraq.tags.all()) == []


# Other presences.


def test_every_demo_presence_is_published():
    load_demo()

    assert Office.objects.count() == Office.objects.published().count() == 12


def test_only_iraq_and_syria_have_been_reviewed():
    load_demo()

    reviewed = dict(
        Office.objects.filter(last_reviewed__isnull=False).values_list(
            "slug", "last_reviewed"
        )
    )

    assert reviewed == {
        "iraq": datetime.date(2021, 5, 1),
        "syria": datetime.date(2022, 9, 1),
    }


def test_syria_notes_and_populations():
    load_demo()
    syria = Office.objects.get(slug="syria")

    assert syria.year_established == 2019
    assert syria.year_established_note == (
        "preceded by a smaller monitoring presence from 2013"
    )
    beirut = syria.field_offices.get()
    assert (beirut.name, beirut.note, beirut.is_head_office) == (
        "Beirut",
        "Lebanon (restricted physical access to Syria)",
        True,
    )
    assert names(syria.spotlight_populations) == ["Women", "Persons with disabilities"]


def test_uganda_is_closed():
    load_demo()
    uganda = Office.objects.get(slug="uganda")

    assert uganda.is_closed
    assert uganda.closed_on == datetime.date(2023, 8, 1)
    assert uganda.closed_note == "mandate ended February 2023"
    assert names(uganda.field_offices) == ["Kampala", "Moroto", "Gulu"]


def test_colombia_staff_budget_and_field_office_note():
    load_demo()
    colombia = Office.objects.get(slug="colombia")

    assert (colombia.staff_count, colombia.budget_needs_usd) == (114, 12_326_000)
    assert colombia.field_offices_note == "Bogotá and nine sub-offices"
    assert names(colombia.field_offices) == ["Bogotá"]


def test_unknown_values_are_left_empty():
    load_demo()
    tunisia = Office.objects.get(slug="tunisia")

    assert tunisia.staff_count is None
    assert tunisia.budget_needs_usd is None
    assert tunisia.host_mission == tunisia.profile == tunisia.more_info_url == ""
    assert not tunisia.mandates.exists()
    assert names(tunisia.pillars) == [
        "Accountability",
        "Participation",
        "Mechanisms",
        "Development",
        "Non-discrimination",
    ]


def test_central_america_is_a_regional_office_with_its_coverage():
    load_demo()
    office = Office.objects.get(slug="central-america")

    assert office.engagement_type == Office.EngagementType.REGIONAL_OFFICE
    assert office.country == office.country_code == ""
    assert office.coverage_note == (
        "Belize, Costa Rica, Dominican Republic, El Salvador, Nicaragua, Panama"
    )
    assert (office.staff_count, office.budget_needs_usd) == (16, 1_851_000)


def test_cambodia_mandates_have_no_invented_symbols_or_dates():
    load_demo()

    mandates = list(
        Mandate.objects.filter(office__slug="cambodia").values_list(
            "kind", "symbol", "adopted_on"
        )
    )

    assert mandates == [
        (Mandate.Kind.HUMAN_RIGHTS_COUNCIL, "", None),
        (Mandate.Kind.HOST_STATE_AGREEMENT, "", None),
    ]


def test_afghanistan_sits_in_unama_under_resolution_1401():
    load_demo()
    afghanistan = Office.objects.get(slug="afghanistan")

    assert afghanistan.host_mission == "UNAMA"
    assert afghanistan.engagement_type == Office.EngagementType.PEACE_MISSION
    assert list(afghanistan.mandates.values_list("title", "symbol", "adopted_on")) == [
        ("Security Council resolution 1401 (2002)", "S/RES/1401 (2002)", None)
    ]


R, T = Office.Region, Office.EngagementType
# DOMAIN.md's demo table: slug, name, region, type, year, field offices (head
# first), staff, budget needs.
DEMO_TABLE = [
    ("colombia", "UN Human Rights in Colombia", R.AMERICAS, T.COUNTRY_OFFICE, 1997,
     ["Bogotá"], 114, 12_326_000),
    ("uganda", "UN Human Rights in Uganda", R.AFRICA, T.COUNTRY_OFFICE, 2005,
     ["Kampala", "Moroto", "Gulu"], 45, 4_300_000),
    ("tunisia", "UN Human Rights in Tunisia", R.MIDDLE_EAST_NORTH_AFRICA,
     T.COUNTRY_OFFICE, 2011, ["Tunis"], None, None),
    ("guatemala", "UN Human Rights in Guatemala", R.AMERICAS, T.COUNTRY_OFFICE,
     2005, ["Guatemala City"], 54, 6_542_000),
    ("mexico", "UN Human Rights in Mexico", R.AMERICAS, T.COUNTRY_OFFICE, 2002,
     ["Mexico City"], 25, 3_264_000),
    ("honduras", "UN Human Rights in Honduras", R.AMERICAS, T.COUNTRY_OFFICE, 2015,
     ["Tegucigalpa"], 33, 6_271_000),
    ("syria", "UN Human Rights in Syria", R.MIDDLE_EAST_NORTH_AFRICA,
     T.COUNTRY_OFFICE, 2019, ["Beirut"], None, None),
    ("cambodia", "UN Human Rights in Cambodia", R.ASIA_PACIFIC, T.COUNTRY_OFFICE,
     1993, ["Phnom Penh", "Battambang"], None, None),
    ("palestine", "UN Human Rights in the State of Palestine",
     R.MIDDLE_EAST_NORTH_AFRICA, T.STAND_ALONE_OFFICE, 1996,
     ["Ramallah", "Gaza", "East Jerusalem", "Hebron"], None, None),
    ("central-america",
     "UN Human Rights in Central America and the Dominican Republic", R.AMERICAS,
     T.REGIONAL_OFFICE, 2007, ["Panama City"], 16, 1_851_000),
    ("afghanistan", "UN Human Rights in Afghanistan (UNAMA)", R.ASIA_PACIFIC,
     T.PEACE_MISSION, 2002, ["Kabul"], None, None),
]  # fmt: skip


@pytest.mark.parametrize("row", DEMO_TABLE, ids=lambda row: row[0])
def test_demo_presence_matches_the_domain_table(row):
    slug, name, region, engagement_type, year, cities, staff, budget = row
    load_demo()
    office = Office.objects.get(slug=slug)
    field_offices = list(office.field_offices.all())

    assert (office.name, office.region, office.engagement_type) == (
        name,
        region,
        engagement_type,
    )
    assert office.year_established == year
    assert [f.name for f in field_offices] == cities
    assert [f.is_head_office for f in field_offices] == [True] + [False] * (
        len(cities) - 1
    )
    assert (office.staff_count, office.budget_needs_usd) == (staff, budget)

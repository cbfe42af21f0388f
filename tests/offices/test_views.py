import datetime
import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from mandates.models import Mandate, Shift, SpotlightPopulation, Tag, ThematicPillar
from offices.demo import load_demo
from offices.models import ContentStamp, FieldOffice, Office
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
from tests.seed import IRAQ_PARAGRAPHS, PILLARS
from tests.support import stamped_later

# ---------------------------------------------------------------- helpers


class _ElementText(HTMLParser):
    """Collect the text inside the element with a given id, as a reader sees it.

    Block elements separate words; inline elements (a, span) do not.
    """

    BLOCKS = frozenset({"p", "li", "ul", "ol", "h2", "h3", "div", "dt", "dd", "br"})

    def __init__(self, element_id):
        super().__init__()
        self.element_id = element_id
        self.depth = 0
        self.found = False
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if self.depth and tag in self.BLOCKS:
            self.parts.append(" ")
        if self.depth:
            if tag not in {"br", "img", "input", "meta", "link"}:
                self.depth += 1
        elif dict(attrs).get("id") == self.element_id:
            self.found = True
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
            if tag in self.BLOCKS:
                self.parts.append(" ")

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def section_text(html, element_id):
    """The whitespace-normalised text of the element with that id, or None."""
    parser = _ElementText(element_id)
    parser.feed(html)
    return " ".join("".join(parser.parts).split()) if parser.found else None


def page(client, url, **headers):
    response = client.get(url, headers=headers)
    return response, response.content.decode()


def index_names(html):
    """Office names in the order the index lists them."""
    return re.findall(r'class="office__name" href="[^"]+">([^<]+)</a>', html)


# ---------------------------------------------------------------- the seed

MORE_INFO = "More information on the work carried out by the UNAMI office."


def build_iraq():
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        country="Iraq",
        country_code="IQ",
        region=Office.Region.MIDDLE_EAST_NORTH_AFRICA,
        engagement_type=Office.EngagementType.POLITICAL_MISSION,
        host_mission="UNAMI",
        year_established=2003,
        profile="\n\n".join(IRAQ_PARAGRAPHS),
        more_info_url="https://unami.unmissions.org/en/human-rights",
        more_info_label=MORE_INFO,
        last_reviewed=datetime.date(2021, 5, 1),
        pillars=[
            ThematicPillarFactory(name=name, description=description)
            for name, description in PILLARS[:4]
        ],
        shifts=[
            ShiftFactory(name=name)
            for name in ["Inequalities", "Civic space", "Prevention"]
        ],
        spotlight_populations=[SpotlightPopulationFactory(name="Women")],
    )
    for position, city in enumerate(["Baghdad", "Basra", "Erbil", "Kirkuk", "Mosul"]):
        FieldOfficeFactory(
            office=office, name=city, is_head_office=position == 0, position=position
        )
    MandateFactory(
        office=office,
        title="Security Council resolution 2522 (2020)",
        symbol="S/RES/2522 (2020)",
        adopted_on=datetime.date(2020, 5, 29),
    )
    for title in ["Conflict-related Sexual Violence", "Child Protection"]:
        MandateFactory(
            office=office, kind=Mandate.Kind.THEMATIC, title=title, integrated_in=2019
        )
    return office


@pytest.fixture
def iraq(db):
    return build_iraq()


@pytest.fixture(params=["factories", "demo"])
def seed_iraq(request, db):
    """The seed page, as built here and as the demo loader builds it."""
    if request.param == "demo":
        load_demo()
        return Office.objects.get(slug="iraq")
    return build_iraq()


# ---------------------------------------------------------------- profile page

SEED_FACTS = [
    ("profile", ["Profile", *IRAQ_PARAGRAPHS]),
    (
        "engagement",
        ["Type of engagement", "Human rights office within a political mission"],
    ),
    ("established", ["Year established", "2003"]),
    (
        "field-offices",
        ["Field offices", "Baghdad (head office) Basra Erbil Kirkuk Mosul"],
    ),
    (
        "mandates",
        [
            "Security Council resolution 2522 (2020)",
            "S/RES/2522 (2020)",
            "29 May 2020",
            "Conflict-related Sexual Violence",
            "Child Protection",
            "integrated in 2019",
        ],
    ),
    (
        "pillars",
        ["Thematic pillars"] + [f"{name} {text}" for name, text in PILLARS[:4]],
    ),
    ("shifts", ["Shifts", "Inequalities", "Civic space", "Prevention"]),
    ("populations", ["Spotlight populations", "Women"]),
    ("last-reviewed", ["Last reviewed: May 2021"]),
    ("more-info", [MORE_INFO]),
]


@pytest.mark.parametrize(
    ("section", "facts"), SEED_FACTS, ids=[s for s, _ in SEED_FACTS]
)
def test_iraq_page_shows_each_seed_fact_in_its_section(
    client, seed_iraq, section, facts
):
    response, html = page(client, "/en/offices/iraq/")

    assert response.status_code == 200
    text = section_text(html, section)
    for fact in facts:
        assert fact in text


def test_iraq_page_title_is_the_only_h1(client, iraq):
    _, html = page(client, "/en/offices/iraq/")

    assert re.findall(r"<h1[^>]*>(.*?)</h1>", html) == ["UN Human Rights in Iraq"]


def test_profile_sections_follow_the_seed_order(client, seed_iraq):
    TagFactory(name="Iraq").offices.add(seed_iraq)
    _, html = page(client, "/en/offices/iraq/")

    order = [
        "profile",
        "engagement",
        "established",
        "field-offices",
        "mandates",
        "focus-areas",
        "pillars",
        "shifts",
        "populations",
        "last-reviewed",
        "tags",
        "more-info",
    ]
    positions = [html.index(f'id="{section}"') for section in order]
    assert positions == sorted(positions)


def test_profile_keeps_paragraphs(client, iraq):
    _, html = page(client, "/en/offices/iraq/")

    profile = html[html.index('id="profile"') :]
    assert profile[: profile.index("</section>")].count("<p>") == 3


def test_focus_areas_link_to_term_pages(client, iraq):
    _, html = page(client, "/en/offices/iraq/")

    for pillar in iraq.pillars.all():
        assert f'href="/en/pillars/{pillar.slug}/"' in html
    assert f'href="/en/shifts/{iraq.shifts.first().slug}/"' in html
    assert f'href="/en/populations/{iraq.spotlight_populations.get().slug}/"' in html


def test_more_information_link_goes_to_more_info_url(client, iraq):
    _, html = page(client, "/en/offices/iraq/")

    assert (
        f'<a href="https://unami.unmissions.org/en/human-rights">{MORE_INFO}</a>'
        in (html)
    )


def test_more_information_link_has_a_default_label(client, db):
    OfficeFactory(slug="x", more_info_url="https://example.org/x")
    _, html = page(client, "/en/offices/x/")

    assert section_text(html, "more-info") == "More information"


@pytest.fixture
def filled_office(db):
    office = OfficeFactory(
        slug="uganda",
        year_established=2005,
        year_established_note="preceded by a smaller monitoring presence from 2003",
        field_offices_note="Kampala and two sub-offices",
        coverage_note="Uganda and its neighbours",
        staff_count=45,
        budget_needs_usd=12326000,
        achievements="Trained 300 police officers\n\nOpened an office in Gulu\n",
        partners_and_donors="The European Union\n\nSweden",
        closed_on=datetime.date(2023, 8, 31),
        closed_note="mandate ended February 2023",
    )
    FieldOfficeFactory(
        office=office,
        name="Beirut",
        note="Lebanon (restricted physical access to Syria)",
        is_head_office=True,
    )
    return office


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            "established",
            "Year established 2005 (preceded by a smaller monitoring presence "
            "from 2003)",
        ),
        (
            "field-offices",
            "Field offices Beirut (head office), Lebanon (restricted physical "
            "access to Syria) Kampala and two sub-offices "
            "Countries covered: Uganda and its neighbours",
        ),
        ("staff", "Number of staff 45"),
        ("budget", "Annual budget needs US$12,326,000"),
        (
            "achievements",
            "Achievements Trained 300 police officers Opened an office in Gulu",
        ),
        ("partners", "Partners and donors The European Union Sweden"),
        (
            "closed-notice",
            "This presence closed in August 2023 (mandate ended February 2023).",
        ),
    ],
)
def test_optional_fields_are_shown_when_filled(
    client, filled_office, section, expected
):
    _, html = page(client, "/en/offices/uganda/")

    assert section_text(html, section) == expected


def test_presence_closing_later_says_it_is_closing(client, db):
    closing = timezone.localdate() + datetime.timedelta(days=40)
    OfficeFactory(slug="closing", name="Closing office", closed_on=closing)

    _, html = page(client, "/en/offices/closing/")
    _, index = page(client, "/en/offices/")

    month = closing.strftime("%B %Y")
    assert section_text(html, "closed-notice") == (
        f"This presence is closing in {month}."
    )
    assert "Closing office" in index
    assert "· closing" in index
    assert "· closed" not in index


def test_achievements_are_a_list(client, filled_office):
    _, html = page(client, "/en/offices/uganda/")

    assert (
        "<li>Trained 300 police officers</li><li>Opened an office in Gulu</li>" in html
    )


def test_empty_sections_are_left_out(client, db):
    OfficeFactory(slug="bare", profile="")
    _, html = page(client, "/en/offices/bare/")

    for section in [
        "profile",
        "field-offices",
        "mandates",
        "focus-areas",
        "staff",
        "budget",
        "achievements",
        "partners",
        "closed-notice",
        "last-reviewed",
        "tags",
        "more-info",
    ]:
        assert f'id="{section}"' not in html, section
    assert section_text(html, "engagement") == "Type of engagement Country Office"


def test_mandate_shows_its_summary_and_links_to_its_text(client, db):
    office = OfficeFactory(slug="x")
    MandateFactory(
        office=office,
        title="Human Rights Council resolution 51/37",
        summary="Technical assistance and capacity-building.",
        url="https://undocs.org/A/HRC/RES/51/37",
    )
    _, html = page(client, office.get_absolute_url())

    assert section_text(html, "mandates") == (
        "Mandate Human Rights Council resolution 51/37 "
        "Technical assistance and capacity-building."
    )
    assert (
        '<a href="https://undocs.org/A/HRC/RES/51/37">'
        "Human Rights Council resolution 51/37</a>" in html
    )


def test_tags_are_listed(client, db):
    office = OfficeFactory(slug="x", tags=[TagFactory(name="Elections")])
    _, html = page(client, office.get_absolute_url())

    assert section_text(html, "tags") == "Tags Elections"


def test_profile_has_breadcrumbs_to_index_and_region(client, iraq):
    _, html = page(client, "/en/offices/iraq/")

    assert '<nav class="breadcrumbs" aria-label="Breadcrumb">' in html
    assert '<a href="/en/offices/">Field presences</a>' in html
    assert '<a href="/en/offices/?region=mena">Middle East and North Africa</a>' in html
    assert '<span aria-current="page">UN Human Rights in Iraq</span>' in html


def test_profile_has_absolute_canonical_link(client, iraq, site_url):
    _, html = page(client, "/en/offices/iraq/?utm_source=x")

    assert f'<link rel="canonical" href="{site_url}/en/offices/iraq/">' in html


def test_meta_description_is_the_first_sentence(client, iraq):
    _, html = page(client, "/en/offices/iraq/")

    assert (
        '<meta name="description" content="The Human Rights Office works to advance '
        '&quot;Human Rights Every Day for All Iraqis&quot;.">'
    ) in html


def test_meta_description_stops_at_the_first_sentence_end(client, db):
    OfficeFactory(slug="x", profile="First sentence here. Second one.\n\nThird.")
    _, html = page(client, "/en/offices/x/")

    assert '<meta name="description" content="First sentence here.">' in html


def test_open_graph_tags(client, iraq, site_url):
    _, html = page(client, "/en/offices/iraq/")

    assert '<meta property="og:title" content="UN Human Rights in Iraq">' in html
    assert f'<meta property="og:url" content="{site_url}/en/offices/iraq/">' in html
    assert '<meta property="og:type" content="website">' in html
    assert '<meta property="og:description" content="The Human Rights Office' in html


def json_ld(html):
    """The page's organization (its breadcrumbs come in a block of their own)."""
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL
    )
    organizations = [
        data
        for data in map(json.loads, blocks)
        if data["@type"] == "GovernmentOrganization"
    ]
    assert len(organizations) == 1
    return organizations[0]


def test_json_ld_describes_a_government_organization_with_locations(
    client, iraq, site_url
):
    _, html = page(client, "/en/offices/iraq/")

    data = json_ld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "GovernmentOrganization"
    assert data["name"] == "UN Human Rights in Iraq"
    assert data["url"] == f"{site_url}/en/offices/iraq/"
    assert data["foundingDate"] == "2003"
    assert [place["name"] for place in data["location"]] == [
        "Baghdad",
        "Basra",
        "Erbil",
        "Kirkuk",
        "Mosul",
    ]
    assert {place["@type"] for place in data["location"]} == {"Place"}


def test_json_ld_content_cannot_close_the_script_element(client, db):
    name = "</script><script>alert(1)</script> & <!--"
    OfficeFactory(slug="x", name=name)
    _, html = page(client, "/en/offices/x/")

    script = html[html.index('<script type="application/ld+json">') :]
    script = script[: script.index("</script>")]
    assert "<" not in script.removeprefix('<script type="application/ld+json">')
    assert json_ld(html)["name"] == name


def test_unknown_slug_gets_the_branded_404(client, db):
    response, html = page(client, "/en/offices/atlantis/")

    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html
    assert "UN Human Rights" in html


# ---------------------------------------------------------------- drafts


@pytest.fixture
def draft(db):
    return OfficeFactory(
        slug="draft", name="Draft presence", status=Office.Status.DRAFT
    )


def test_draft_is_not_found_by_the_public(client, draft):
    response, _ = page(client, "/en/offices/draft/")

    assert response.status_code == 404


def test_draft_is_not_listed_for_the_public(client, draft):
    OfficeFactory(name="Published presence")
    _, html = page(client, "/en/offices/")

    assert index_names(html) == ["Published presence"]


def test_staff_preview_a_draft_with_banner_and_edit_link(client, draft, staff_user):
    client.force_login(staff_user)
    response, html = page(client, "/en/offices/draft/")

    assert response.status_code == 200
    assert "Draft – not public" in html
    edit_url = reverse("admin:offices_office_change", args=[draft.pk])
    assert f'<a href="{edit_url}">Edit in admin</a>' in html


def test_staff_preview_is_never_cached(client, draft, staff_user):
    client.force_login(staff_user)
    response, _ = page(client, "/en/offices/draft/")

    cache_control = response.headers["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control
    assert "public" not in cache_control


def test_staff_without_office_permission_cannot_preview(client, draft):
    client.force_login(UserFactory(username="clerk"))
    response, _ = page(client, "/en/offices/draft/")

    assert response.status_code == 404


def test_public_sees_no_banner_or_edit_link(client, iraq):
    _, html = page(client, "/en/offices/iraq/")

    assert "Draft – not public" not in html
    assert "Edit in admin" not in html
    assert "/admin/" not in html


def test_staff_see_no_draft_banner_on_a_published_profile(client, iraq, staff_user):
    client.force_login(staff_user)
    _, html = page(client, "/en/offices/iraq/")

    assert "Draft – not public" not in html
    assert "Edit in admin" in html


def test_staff_see_drafts_marked_in_the_index(client, draft, staff_user):
    client.force_login(staff_user)
    _, html = page(client, "/en/offices/")

    assert index_names(html) == ["Draft presence"]
    assert '<span class="label label--draft">Draft</span>' in html


# ---------------------------------------------------------------- caching


def test_public_profile_is_publicly_cacheable(client, iraq):
    response, _ = page(client, "/en/offices/iraq/")

    assert response.headers["Cache-Control"] == (
        "public, max-age=300, s-maxage=1, "
        "stale-while-revalidate=60, stale-if-error=86400"
    )


def test_profile_sends_etag_and_last_modified(client, iraq):
    response, _ = page(client, "/en/offices/iraq/")

    assert response.headers["ETag"].startswith('"')
    # The last write to the content (the office, then its rows), to the second.
    changed_at = ContentStamp.objects.get().changed_at
    assert response.headers["Last-Modified"] == http_date(changed_at.timestamp())
    assert changed_at >= iraq.updated_at


def test_matching_etag_gets_304(client, iraq):
    first, _ = page(client, "/en/offices/iraq/")
    response, html = page(
        client, "/en/offices/iraq/", if_none_match=first.headers["ETag"]
    )

    assert response.status_code == 304
    assert html == ""
    assert response.headers["ETag"] == first.headers["ETag"]
    assert response.headers["Cache-Control"] == (
        "public, max-age=300, s-maxage=1, "
        "stale-while-revalidate=60, stale-if-error=86400"
    )


def test_unmodified_since_last_modified_gets_304(client, iraq):
    first, _ = page(client, "/en/offices/iraq/")
    response, _ = page(
        client, "/en/offices/iraq/", if_modified_since=first.headers["Last-Modified"]
    )

    assert response.status_code == 304


def test_edited_profile_gets_200_for_the_old_validators(client, iraq):
    first, _ = page(client, "/en/offices/iraq/")
    Office.objects.filter(pk=iraq.pk).update(name="UN Human Rights in Iraq (edited)")
    stamped_later()

    by_etag, html = page(
        client, "/en/offices/iraq/", if_none_match=first.headers["ETag"]
    )
    by_date, _ = page(
        client, "/en/offices/iraq/", if_modified_since=first.headers["Last-Modified"]
    )

    assert by_etag.status_code == 200
    assert "(edited)" in html
    assert by_date.status_code == 200


def test_staff_preview_has_its_own_etag(client, iraq, staff_user):
    public, _ = page(client, "/en/offices/iraq/")
    client.force_login(staff_user)
    response, html = page(
        client, "/en/offices/iraq/", if_none_match=public.headers["ETag"]
    )

    assert response.status_code == 200
    assert "Edit in admin" in html


def test_304_costs_one_query(client, iraq, django_assert_num_queries):
    first, _ = page(client, "/en/offices/iraq/")

    with django_assert_num_queries(1):
        response, _ = page(
            client, "/en/offices/iraq/", if_none_match=first.headers["ETag"]
        )
    assert response.status_code == 304


def test_304_by_date_costs_one_query(client, iraq, django_assert_num_queries):
    first, _ = page(client, "/en/offices/iraq/")

    with django_assert_num_queries(1):
        response, _ = page(
            client,
            "/en/offices/iraq/",
            if_modified_since=first.headers["Last-Modified"],
        )
    assert response.status_code == 304


def test_staff_preview_304_is_never_cached(client, draft, staff_user):
    client.force_login(staff_user)
    first, _ = page(client, f"/en/offices/{draft.slug}/")
    response, _ = page(
        client, f"/en/offices/{draft.slug}/", if_none_match=first.headers["ETag"]
    )

    assert response.status_code == 304
    assert "public" not in response.headers["Cache-Control"]
    assert "no-cache" in response.headers["Cache-Control"]


def test_missing_profile_is_404_without_validators(client, db):
    response, _ = page(client, "/en/offices/nowhere/", if_none_match='"x"')

    assert response.status_code == 404
    assert "ETag" not in response.headers


def test_a_megabyte_profile_without_punctuation_renders_whole(client, db):
    """Stored around the form's limit (a script, an import): still one page.
    How much of it the summary reads is bounded (tests/offices/test_models.py);
    its speed is measured in bench/, not here."""
    office = OfficeFactory(slug="long")
    Office.objects.filter(pk=office.pk).update(profile="a " * 500_000)

    response, html = page(client, "/en/offices/long/")

    assert response.status_code == 200
    assert len(html) > 1_000_000


def test_each_language_has_its_own_etag(client, iraq, settings):
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    english, _ = page(client, "/en/offices/iraq/")
    response, _ = page(
        client, "/fr/offices/iraq/", if_none_match=english.headers["ETag"]
    )

    assert response.status_code == 200
    assert response.headers["ETag"] != english.headers["ETag"]


def test_index_is_publicly_cacheable(client, db):
    response, _ = page(client, "/en/offices/")

    assert response.headers["Cache-Control"] == (
        "public, max-age=300, s-maxage=1, "
        "stale-while-revalidate=60, stale-if-error=86400"
    )


# ---------------------------------------------------------------- index


def test_home_shows_the_index(client, iraq, site_url):
    response, html = page(client, "/en/")

    assert response.status_code == 200
    assert index_names(html) == ["UN Human Rights in Iraq"]
    assert f'<link rel="canonical" href="{site_url}/en/offices/">' in html


def test_index_groups_offices_by_region_in_order(client, db):
    OfficeFactory(name="Tunisia", region=Office.Region.MIDDLE_EAST_NORTH_AFRICA)
    OfficeFactory(name="Uganda", region=Office.Region.AFRICA)
    OfficeFactory(name="Mexico", region=Office.Region.AMERICAS)
    OfficeFactory(name="Colombia", region=Office.Region.AMERICAS)
    _, html = page(client, "/en/offices/")

    headings = re.findall(r'<h3 id="region-\d+">([^<]+)</h3>', html)
    assert headings == ["Africa", "Americas", "Middle East and North Africa"]
    assert index_names(html) == ["Uganda", "Colombia", "Mexico", "Tunisia"]


def test_index_shows_type_of_engagement_and_field_office_count(client, iraq):
    MandateFactory(office=iraq)  # more joined rows must not inflate the count
    _, html = page(client, "/en/offices/")

    assert "Human rights office within a political mission · 5 field offices" in html


def test_index_counts_one_field_office_in_the_singular(client, db):
    FieldOfficeFactory(office=OfficeFactory())
    _, html = page(client, "/en/offices/")

    assert "Country Office · 1 field office<" in html


def test_index_shows_the_number_of_results(client, db):
    OfficeFactory.create_batch(3)
    _, html = page(client, "/en/offices/")

    assert '<p class="result-count">3 field presences</p>' in html


def test_filter_form_is_a_labelled_get_form(client, db):
    _, html = page(client, "/en/offices/")

    assert re.search(r'<form class="filters" method="get" action="/en/offices/"', html)
    for name in ["q", "region", "engagement", "pillar", "shift", "population"]:
        assert f'<label for="id_{name}">' in html
        assert f'id="id_{name}"' in html


@pytest.fixture
def vocabulary_offices(db):
    """Three offices that differ on every filter."""
    pillar, shift, population = (
        ThematicPillarFactory(slug="accountability"),
        ShiftFactory(slug="prevention"),
        SpotlightPopulationFactory(slug="women"),
    )
    OfficeFactory(
        name="A",
        region=Office.Region.AFRICA,
        engagement_type=Office.EngagementType.COUNTRY_OFFICE,
        pillars=[pillar],
        shifts=[shift],
        spotlight_populations=[population],
    )
    OfficeFactory(
        name="B",
        region=Office.Region.AFRICA,
        engagement_type=Office.EngagementType.REGIONAL_OFFICE,
        pillars=[pillar, ThematicPillarFactory()],
    )
    OfficeFactory(
        name="C",
        region=Office.Region.AMERICAS,
        engagement_type=Office.EngagementType.COUNTRY_OFFICE,
        shifts=[shift, ShiftFactory()],
        spotlight_populations=[population],
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("region=africa", ["A", "B"]),
        ("engagement=country_office", ["A", "C"]),
        ("pillar=accountability", ["A", "B"]),
        ("shift=prevention", ["A", "C"]),
        ("population=women", ["A", "C"]),
        ("region=africa&engagement=country_office", ["A"]),
        ("pillar=accountability&shift=prevention&population=women", ["A"]),
        ("region=americas&pillar=accountability", []),
    ],
)
def test_filters_and_their_combinations(client, vocabulary_offices, query, expected):
    response, html = page(client, f"/en/offices/?{query}")

    assert response.status_code == 200
    assert index_names(html) == expected


def test_filtered_form_keeps_the_chosen_values(client, vocabulary_offices):
    _, html = page(client, "/en/offices/?region=africa&pillar=accountability")

    assert '<option value="africa" selected>Africa</option>' in html
    assert re.search(r'<option value="accountability" selected>', html)


def test_empty_result_says_so_and_offers_to_clear_filters(client, vocabulary_offices):
    _, html = page(client, "/en/offices/?region=americas&pillar=accountability")

    assert "No field presence matches your search and filters." in html
    assert '<p class="result-count">0 field presences</p>' in html
    assert '<a href="/en/offices/">Clear the search and filters' in html


def test_invalid_choice_shows_an_error_and_keeps_valid_filters(
    client, vocabulary_offices
):
    response, html = page(
        client, "/en/offices/?region=atlantis&engagement=country_office"
    )

    assert response.status_code == 200
    assert (
        "Select a valid choice. atlantis is not one of the available choices." in html
    )
    assert 'aria-invalid="true"' in html
    assert index_names(html) == ["A", "C"]


# ---------------------------------------------------------------- search


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("Iraq", "name and country"),
        ("Kurdistan", "profile"),
        ("Mosul", "field office"),
        ("Erb", "partial field-office name"),
        ("Child Protection", "mandate title"),
        ('"Every Day for All"', "quoted phrase"),
        ("rights -Colombia", "exclusion"),
    ],
)
def test_search_finds_an_office_by(client, iraq, query, where):
    OfficeFactory(name="UN Human Rights in Colombia", profile="Rights in Colombia.")
    _, html = page(client, "/en/offices/?" + f"q={query}")

    assert index_names(html) == ["UN Human Rights in Iraq"], where


def test_search_without_a_match_is_empty(client, iraq):
    _, html = page(client, "/en/offices/?q=Atlantis")

    assert index_names(html) == []
    assert "No field presence matches your search and filters." in html


def test_name_match_outranks_profile_match(client, db):
    OfficeFactory(name="Alpha", profile="The office also covers Kurdistan matters.")
    OfficeFactory(name="Zeta Kurdistan office", profile="Work on many things.")
    _, html = page(client, "/en/offices/?q=Kurdistan")

    assert index_names(html) == ["Zeta Kurdistan office", "Alpha"]


def test_search_lists_each_office_once(client, iraq):
    _, html = page(client, "/en/offices/?q=Iraq&pillar=" + iraq.pillars.first().slug)

    assert index_names(html) == ["UN Human Rights in Iraq"]
    assert "5 field offices" in html


def test_search_combines_with_filters(client, iraq):
    _, html = page(client, "/en/offices/?q=Iraq&region=africa")

    assert index_names(html) == []


HOSTILE = [
    "'",
    '"',
    "' OR 1=1 --",
    "'; DROP TABLE offices_office; --",
    "!!! & | <-> :* ()",
    "<script>alert(1)</script>",
    "Iraq\x00",
    "\x00",
    "x" * 10_000,
    "%",
    "_",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_search_is_an_ordinary_result(client, iraq, text):
    response = client.get("/en/offices/", {"q": text})
    html = response.content.decode()

    assert response.status_code == 200
    assert "<script>alert" not in html
    assert Office.objects.filter(slug="iraq").exists()


def test_null_bytes_are_dropped_from_the_search(client, iraq):
    OfficeFactory(name="UN Human Rights in Colombia")
    response = client.get("/en/offices/", {"q": "Ir\x00aq"})

    assert index_names(response.content.decode()) == ["UN Human Rights in Iraq"]


def test_overlong_search_shows_an_error(client, iraq):
    response = client.get("/en/offices/", {"q": "x" * 10_000})

    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"region": "\x00"},
        {"pillar": "' OR 1=1 --"},
        {"shift": "x" * 10_000},
        {"population": ["women", "youth"]},
        {"engagement": "<b>"},
    ],
    ids=["null", "sql", "long", "repeated", "markup"],
)
def test_hostile_filter_values_are_form_errors(client, vocabulary_offices, params):
    response = client.get("/en/offices/", params)
    html = response.content.decode()

    assert response.status_code == 200
    assert index_names(html) == ["A", "B", "C"]
    assert '<ul class="errorlist"' in html
    assert "<b>" not in html


# ---------------------------------------------------------------- query budgets


def add_page_relations(office, size):
    FieldOffice.objects.bulk_create(
        FieldOffice(office=office, name=f"City {i}", position=i) for i in range(size)
    )
    Mandate.objects.bulk_create(
        Mandate(office=office, kind=Mandate.Kind.THEMATIC, title=f"M {i}", position=i)
        for i in range(size)
    )
    for model, relation in [
        (ThematicPillar, "pillars"),
        (Shift, "shifts"),
        (SpotlightPopulation, "spotlight_populations"),
        (Tag, "tags"),
    ]:
        prefix = model._meta.model_name
        terms = model.objects.bulk_create(
            model(name=f"{prefix} {office.pk} {i}", slug=f"{prefix}-{office.pk}-{i}")
            for i in range(size)
        )
        getattr(office, relation).add(*terms)


@pytest.mark.parametrize("size", [1, 40])
def test_profile_query_budget(client, db, django_assert_max_num_queries, size):
    office = OfficeFactory(slug="x")
    add_page_relations(office, size)

    with django_assert_max_num_queries(8):
        response = client.get("/en/offices/x/")
    assert response.status_code == 200


def bulk_offices(count):
    """count published offices with field offices, mandates and terms each."""
    pillars = ThematicPillar.objects.bulk_create(
        ThematicPillar(name=f"P{i}", slug=f"p{i}") for i in range(4)
    )
    shifts = Shift.objects.bulk_create(
        Shift(name=f"S{i}", slug=f"s{i}") for i in range(3)
    )
    populations = SpotlightPopulation.objects.bulk_create(
        SpotlightPopulation(name=f"W{i}", slug=f"w{i}") for i in range(2)
    )
    now = timezone.now()
    offices = Office.objects.bulk_create(
        Office(
            name=f"UN Human Rights in Country {i}",
            slug=f"country-{i}",
            country=f"Country {i}",
            region=Office.Region.values[i % len(Office.Region.values)],
            engagement_type=Office.EngagementType.COUNTRY_OFFICE,
            year_established=2000,
            profile="The office works on human rights in the country.",
            status=Office.Status.PUBLISHED,
            created_at=now,
            updated_at=now,
        )
        for i in range(count)
    )
    FieldOffice.objects.bulk_create(
        FieldOffice(office=office, name=f"City {j}", is_head_office=j == 0)
        for office in offices
        for j in range(3)
    )
    Mandate.objects.bulk_create(
        Mandate(office=office, kind=Mandate.Kind.THEMATIC, title=f"Mandate {j}")
        for office in offices
        for j in range(2)
    )
    for through, terms in [
        (Office.pillars.through, pillars),
        (Office.shifts.through, shifts),
        (Office.spotlight_populations.through, populations),
    ]:
        term_field = terms[0]._meta.model_name  # e.g. thematicpillar
        through.objects.bulk_create(
            through(office=office, **{term_field: term})
            for office in offices
            for term in terms
        )
    return offices


@pytest.mark.parametrize("count", [1, 200])
@pytest.mark.parametrize(
    "query", ["", "?q=country+works", "?region=africa&pillar=p0&shift=s1&population=w1"]
)
def test_index_query_budget(client, db, django_assert_max_num_queries, count, query):
    bulk_offices(count)

    with django_assert_max_num_queries(8):
        response = client.get(f"/en/offices/{query}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 field offices" in html


@pytest.mark.parametrize("count", [1, 200])
def test_index_lists_every_office_once(client, db, count):
    bulk_offices(count)

    names = index_names(client.get("/en/offices/?q=country").content.decode())
    assert len(names) == len(set(names)) == count

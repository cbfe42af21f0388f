"""The admin's search (offices/admin/search_views.py): the header's box and
its results page."""

import pytest
from django.test import Client
from django.urls import reverse

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
from tests.support import member, signed_in, totp_device

pytestmark = pytest.mark.django_db

SEARCH = reverse("admin:offices_office_search")


@pytest.fixture
def manager(db):
    return signed_in(member("Content managers", "pat"))


def search(client, q):
    return client.get(SEARCH, {"q": q})


def found(response):
    """{group key: [result texts]}."""
    return {
        group["key"]: [result["text"] for result in group["results"]]
        for group in response.context["groups"]
    }


def links(response):
    return {
        result["text"]: result["url"]
        for group in response.context["groups"]
        for result in group["results"]
    }


def test_the_box_is_in_every_admin_pages_header(manager):
    for url in (reverse("admin:index"), reverse("admin:offices_office_changelist")):
        page = manager.get(url).content.decode()
        assert '<form id="admin-search" role="search" method="get"' in page
        assert f'action="{SEARCH}"' in page
        assert '<label for="admin-search-q">Search the admin</label>' in page


def test_the_box_waits_for_the_second_step(db):
    # Signed in with the password only: nothing of the admin yet.
    user = member("Content managers", "pat")
    totp_device(user)
    client = Client()
    client.force_login(user)
    response = client.get(reverse("admin:otp_verify"))
    assert response.status_code == 200
    assert b'id="admin-search"' not in response.content


@pytest.mark.parametrize(
    ("names", "q", "kind"),
    [
        (
            {"name": "UN Human Rights in Egypt", "name_fr": "HCDH en Égypte"},
            "egypte",
            "office",
        ),
        (
            {
                "name": "UN Human Rights in Iraq",
                "name_ar": "مفوضية حقوق الإنسان في العراق",
            },
            "العراق",
            "office",
        ),
    ],
)
def test_an_office_is_found_by_any_languages_name(manager, names, q, kind):
    office = OfficeFactory(**names)
    response = search(manager, q)
    assert found(response) == {kind: [office.name]}


def test_each_kind_is_found_by_a_translation_accents_aside(manager):
    office = OfficeFactory(name="UN Human Rights in Chad")
    FieldOfficeFactory(office=office, name="Abeche", name_fr="Abéché")
    MandateFactory(
        office=office, title="Resolution on Chad", title_fr="Résolution Tchad"
    )
    ThematicPillarFactory(name="Development", name_fr="Développement")
    ShiftFactory(name="Prevention", name_fr="Prévention")
    SpotlightPopulationFactory(name="Women", name_ar="النساء")
    TagFactory(name="Elections", name_fr="Élections")

    assert found(search(manager, "ABECHE")) == {"fieldoffice": ["Abeche"]}
    assert found(search(manager, "resolution tchad")) == {
        "mandate": ["Resolution on Chad"]
    }
    assert found(search(manager, "developpement")) == {
        "thematicpillar": ["Development"]
    }
    assert found(search(manager, "PREVENTION")) == {"shift": ["Prevention"]}
    assert found(search(manager, "النساء")) == {"spotlightpopulation": ["Women"]}
    # An accented query finds the unaccented English too.
    assert found(search(manager, "élections")) == {"tag": ["Elections"]}


def test_the_language_found_in_is_shown(manager):
    OfficeFactory(name="UN Human Rights in Egypt", name_fr="HCDH en Égypte")
    page = search(manager, "egypte").content.decode()
    assert '<span lang="fr" dir="ltr">HCDH en Égypte</span>' in page


def test_links_lead_to_the_change_page_and_the_offices_section(manager):
    office = OfficeFactory(name="UN Human Rights in Niger")
    FieldOfficeFactory(office=office, name="Niamey office")
    MandateFactory(office=office, title="Niger agreement")
    pillar = ThematicPillarFactory(name="Niger pillar")
    response = search(manager, "niger")
    change = reverse("admin:offices_office_change", args=[office.pk])
    assert links(response)["UN Human Rights in Niger"] == change
    assert links(response)["Niger agreement"] == f"{change}#section-mandates"
    assert links(search(manager, "niamey"))["Niamey office"] == (
        f"{change}#section-field-offices"
    )
    assert links(response)["Niger pillar"] == reverse(
        "admin:mandates_thematicpillar_change", args=[pillar.pk]
    )
    page = response.content.decode()
    assert f'href="{change}#section-mandates"' in page


def test_each_section_anchor_exists_on_the_office_page(manager):
    office = OfficeFactory()
    page = manager.get(
        reverse("admin:offices_office_change", args=[office.pk])
    ).content.decode()
    assert 'id="section-field-offices"' in page
    assert 'id="section-mandates"' in page


def test_an_editor_finds_only_the_offices_they_may_view(db):
    amina = member("Office editors", "amina")
    mine = OfficeFactory(name="UN Human Rights in Yemen", reviewers=[amina])
    other = OfficeFactory(name="UN Human Rights in Yemen region")
    FieldOfficeFactory(office=mine, name="Yemen Aden")
    FieldOfficeFactory(office=other, name="Yemen Sanaa")
    MandateFactory(office=other, title="Yemen mandate")
    response = search(signed_in(amina), "yemen")
    assert found(response) == {
        "office": ["UN Human Rights in Yemen"],
        "fieldoffice": ["Yemen Aden"],
    }
    assert "Yemen region" not in response.content.decode()


def test_a_kind_the_user_may_not_view_is_not_searched(db):
    staff = UserFactory(username="nobody")  # staff without any permission
    OfficeFactory(name="UN Human Rights in Peru")
    TagFactory(name="Peru tag")
    response = search(signed_in(staff), "peru")
    assert response.status_code == 200
    assert found(response) == {}
    assert "Nothing found" in response.content.decode()


@pytest.mark.parametrize("q", ["", " ", "a", "  é  "])
def test_a_too_short_query_says_so_and_searches_nothing(
    manager, q, django_assert_max_num_queries
):
    OfficeFactory(name="a")
    with django_assert_max_num_queries(8) as captured:
        response = search(manager, q)
    # The session, the user and their permissions: nothing searched.
    tables = ("offices_", "mandates_")
    assert not [
        query
        for query in captured.captured_queries
        if any(t in query["sql"] for t in tables)
    ]
    assert response.status_code == 200
    assert response.context["groups"] == []
    page = response.content.decode()
    assert ("at least 2 characters" in page) or ("Type a name" in page)


@pytest.mark.parametrize("client", [Client(), None])
def test_anonymous_and_unverified_staff_are_sent_to_log_in(db, client):
    if client is None:
        client = Client()
        client.force_login(member("Content managers", "pat"))
    response = search(client, "iraq")
    assert response.status_code == 302
    assert response["Location"].startswith(
        (reverse("admin:login"), reverse("admin:otp_enrol"))
    )


def test_results_are_bounded_with_a_link_to_the_list(manager):
    OfficeFactory.create_batch(23, name="UN Human Rights in Somewhere")
    response = search(manager, "somewhere")
    [group] = response.context["groups"]
    assert group["count"] == 23
    assert len(group["results"]) == 20
    changelist = reverse("admin:offices_office_changelist")
    assert group["more"] == f"{changelist}?q=somewhere"
    assert "The first 20 are shown." in response.content.decode()


def add_data(size):
    for index in range(size):
        office = OfficeFactory(name=f"UN Human Rights in Land {index}")
        FieldOfficeFactory(office=office, name=f"Land office {index}")
        MandateFactory(office=office, title=f"Land mandate {index}")
        ThematicPillarFactory(name=f"Land pillar {index}")
        ShiftFactory(name=f"Land shift {index}")
        SpotlightPopulationFactory(name=f"Land population {index}")
        TagFactory(name=f"Land tag {index}")


@pytest.mark.parametrize("size", [1, 25])
def test_the_query_count_does_not_grow_with_the_data(
    manager, size, django_assert_max_num_queries
):
    add_data(size)
    with django_assert_max_num_queries(15):
        response = search(manager, "land")
    assert len(response.context["groups"]) == 7

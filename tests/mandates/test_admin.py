import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from mandates.models import Mandate, Shift, SpotlightPopulation, Tag, ThematicPillar
from offices.models import Office
from tests.factories import (
    MandateFactory,
    OfficeFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    TagFactory,
    ThematicPillarFactory,
)
from tests.support import SIGNED_IN_QUERIES, FormData, populate

TERMS = [
    pytest.param(ThematicPillarFactory, "pillars", id="pillar"),
    pytest.param(ShiftFactory, "shifts", id="shift"),
    pytest.param(SpotlightPopulationFactory, "spotlight_populations", id="population"),
]
# Tags are protected the same way as the focus-area vocabulary.
TERMS_AND_TAGS = [*TERMS, pytest.param(TagFactory, "tags", id="tag")]


def admin_url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(("factory", "relation"), TERMS)
def test_term_changelist_counts_profiles_using_each_term(
    admin_client, factory, relation
):
    used = factory(name="Used", description="Strengthening rule of law")
    factory(name="Unused")
    OfficeFactory.create_batch(2, **{relation: [used]})

    response = admin_client.get(admin_url(factory._meta.model, "changelist"))

    assert response.status_code == 200
    assert "Strengthening rule of law" in response.content.decode()
    counts = {
        term.name: term.office_count for term in response.context["cl"].result_list
    }
    assert counts == {"Used": 2, "Unused": 0}


def test_tag_changelist_counts_profiles(admin_client):
    used = TagFactory(name="Used")
    TagFactory(name="Unused")
    OfficeFactory.create_batch(2, tags=[used])

    response = admin_client.get(admin_url(Tag, "changelist"))

    counts = {tag.name: tag.office_count for tag in response.context["cl"].result_list}
    assert counts == {"Used": 2, "Unused": 0}


def test_term_search(admin_client):
    ThematicPillarFactory(name="Accountability", description="Rule of law")
    ThematicPillarFactory(name="Development", description="Sustainable development")

    response = admin_client.get(
        admin_url(ThematicPillar, "changelist"), {"q": "rule of law"}
    )

    assert [t.name for t in response.context["cl"].result_list] == ["Accountability"]


def test_term_position_is_editable_in_the_list(admin_client):
    first, second = ThematicPillarFactory(position=1), ThematicPillarFactory(position=2)

    response = admin_client.post(
        admin_url(ThematicPillar, "changelist"),
        {
            "form-TOTAL_FORMS": 2,
            "form-INITIAL_FORMS": 2,
            "form-0-id": first.pk,
            "form-0-position": 9,
            "form-1-id": second.pk,
            "form-1-position": 2,
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    assert list(ThematicPillar.objects.values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]


def test_term_add_prepopulates_slug_from_name(admin_client):
    response = admin_client.get(admin_url(Shift, "add"))

    assert response.context["prepopulated_fields_json"]
    # From the English name (modeltranslation's input for it).
    assert (
        '"dependency_list": ["name_en"]' in response.context["prepopulated_fields_json"]
    )


def test_term_add_creates_term(admin_client):
    response = admin_client.post(
        admin_url(SpotlightPopulation, "add"),
        FormData(name="Women", slug="women", description="", position=0),
    )

    assert response.status_code == 302
    assert SpotlightPopulation.objects.get().slug == "women"


@pytest.mark.parametrize(("factory", "relation"), TERMS_AND_TAGS)
def test_delete_page_for_used_term_shows_error_and_deletes_nothing(
    admin_client, factory, relation
):
    term = factory(name="Accountability")
    OfficeFactory(name="UN Human Rights in Iraq", **{relation: [term]})
    url = admin_url(factory._meta.model, "delete", term.pk)

    page = admin_client.get(url)
    response = admin_client.post(url, {"post": "yes"})

    assert "Cannot delete" in page.content.decode()
    assert response.status_code == 200
    content = response.content.decode()
    assert "Cannot delete: used by 1 profile (UN Human Rights in Iraq)" in content
    assert "protected related objects" in content
    assert factory._meta.model.objects.filter(pk=term.pk).exists()


@pytest.mark.parametrize(("factory", "relation"), TERMS_AND_TAGS)
def test_delete_selected_with_a_used_term_deletes_nothing(
    admin_client, factory, relation
):
    used, unused = factory.create_batch(2)
    OfficeFactory(name="UN Human Rights in Iraq", **{relation: [used]})

    response = admin_client.post(
        admin_url(factory._meta.model, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [used.pk, unused.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 200
    assert "Cannot delete" in response.content.decode()
    assert factory._meta.model.objects.count() == 2


@pytest.mark.parametrize(("factory", "relation"), TERMS_AND_TAGS)
def test_delete_page_deletes_unused_term(admin_client, factory, relation):
    term = factory()

    response = admin_client.post(
        admin_url(factory._meta.model, "delete", term.pk), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not factory._meta.model.objects.exists()


@pytest.mark.parametrize(("factory", "relation"), TERMS_AND_TAGS)
def test_delete_selected_deletes_unused_terms(admin_client, factory, relation):
    unused = factory.create_batch(2)
    kept = factory()

    response = admin_client.post(
        admin_url(factory._meta.model, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [term.pk for term in unused],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert list(factory._meta.model.objects.all()) == [kept]


# Mandates


def test_mandate_changelist_and_search(admin_client):
    iraq = OfficeFactory(name="UN Human Rights in Iraq")
    MandateFactory(office=iraq, title="Resolution 2522", symbol="S/RES/2522 (2020)")
    MandateFactory(title="Resolution 1401", symbol="S/RES/1401 (2002)")

    response = admin_client.get(admin_url(Mandate, "changelist"), {"q": "2522"})

    assert response.status_code == 200
    assert [m.title for m in response.context["cl"].result_list] == ["Resolution 2522"]
    assert "UN Human Rights in Iraq" in response.content.decode()


def test_limited_editor_sees_only_mandates_of_their_offices(client, limited_editor):
    MandateFactory(title="Mine", office=OfficeFactory(reviewers=[limited_editor]))
    MandateFactory(title="Theirs")
    client.force_login(limited_editor)

    response = client.get(admin_url(Mandate, "changelist"))

    assert [m.title for m in response.context["cl"].result_list] == ["Mine"]


def test_limited_editor_cannot_attach_mandate_to_another_office(client, limited_editor):
    theirs = OfficeFactory()
    client.force_login(limited_editor)

    response = client.post(
        admin_url(Mandate, "add"),
        {
            "office": theirs.pk,
            "kind": "security_council",
            "title": "Resolution 2522",
            "position": 0,
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Mandate.objects.exists()


# Edits outside the office form still mark the profile changed (ETag, feed)


def last_changed(office):
    return Office.objects.values_list("updated_at", flat=True).get(pk=office.pk)


def yesterday_edited(*offices):
    """Offices last changed a day ago; returns that time."""
    then = timezone.now() - datetime.timedelta(days=1)
    Office.objects.filter(pk__in=[o.pk for o in offices]).update(updated_at=then)
    return then


@pytest.mark.parametrize(("factory", "relation"), TERMS)
def test_editing_a_term_marks_the_profiles_using_it_changed(
    admin_client, factory, relation
):
    term = factory(name="Accountability", slug="accountability")
    using, other = OfficeFactory(**{relation: [term]}), OfficeFactory()
    then = yesterday_edited(using, other)

    response = admin_client.post(
        admin_url(factory._meta.model, "change", term.pk),
        FormData(
            name="Accountability",
            slug="accountability",
            position=0,
            description="New wording",
        ),
    )

    assert response.status_code == 302
    assert last_changed(using) > then
    assert last_changed(other) == then


def test_renaming_a_tag_marks_the_profiles_using_it_changed(admin_client):
    tag = TagFactory(name="Elections", slug="elections")
    using, other = OfficeFactory(tags=[tag]), OfficeFactory()
    then = yesterday_edited(using, other)

    response = admin_client.post(
        admin_url(Tag, "change", tag.pk),
        FormData(name="Elections and referendums", slug="elections"),
    )

    assert response.status_code == 302
    assert last_changed(using) > then
    assert last_changed(other) == then


def mandate_data(mandate, **changes):
    return FormData(
        {
            "office": mandate.office_id,
            "kind": mandate.kind,
            "title": mandate.title,
            "position": mandate.position,
            **changes,
        }
    )


# Only a not-yet-published office's mandates are edited here; a published
# office changes through its draft copy (tests/editorial).
DRAFT = {"office__status": "draft"}


def test_editing_a_mandate_marks_its_office_changed(admin_client):
    mandate = MandateFactory(**DRAFT)
    then = yesterday_edited(mandate.office)

    response = admin_client.post(
        admin_url(Mandate, "change", mandate.pk),
        mandate_data(mandate, summary="Renewed until 2026."),
    )

    assert response.status_code == 302
    assert last_changed(mandate.office) > then


def test_moving_a_mandate_marks_both_offices_changed(admin_client):
    mandate, other = MandateFactory(**DRAFT), OfficeFactory(status="draft")
    then = yesterday_edited(mandate.office, other)

    admin_client.post(
        admin_url(Mandate, "change", mandate.pk), mandate_data(mandate, office=other.pk)
    )

    assert last_changed(mandate.office) > then
    assert last_changed(other) > then


def test_deleting_a_mandate_marks_its_office_changed(admin_client):
    mandate = MandateFactory(**DRAFT)
    then = yesterday_edited(mandate.office)

    admin_client.post(admin_url(Mandate, "delete", mandate.pk), {"post": "yes"})

    assert not Mandate.objects.exists()
    assert last_changed(mandate.office) > then


def test_deleting_mandates_through_the_action_marks_their_offices_changed(
    admin_client,
):
    mandates = MandateFactory.create_batch(2, **DRAFT)
    untouched = OfficeFactory()
    then = yesterday_edited(*(m.office for m in mandates), untouched)

    admin_client.post(
        admin_url(Mandate, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [m.pk for m in mandates],
            "post": "yes",
        },
    )

    assert not Mandate.objects.exists()
    assert all(last_changed(m.office) > then for m in mandates)
    assert last_changed(untouched) == then


def test_a_published_offices_mandates_are_view_only_here(admin_client):
    mandate = MandateFactory(title="Resolution 2522")

    page = admin_client.get(admin_url(Mandate, "change", mandate.pk))
    change = admin_client.post(
        admin_url(Mandate, "change", mandate.pk), mandate_data(mandate, title="X")
    )
    delete = admin_client.post(
        admin_url(Mandate, "delete", mandate.pk), {"post": "yes"}
    )

    assert page.status_code == 200
    assert 'name="title_en"' not in page.content.decode()
    assert (change.status_code, delete.status_code) == (403, 403)
    mandate.refresh_from_db()
    assert mandate.title == "Resolution 2522"


def test_a_mandate_cannot_be_attached_to_a_published_office_here(admin_client):
    published = OfficeFactory()

    response = admin_client.post(
        admin_url(Mandate, "add"),
        {"office": published.pk, "kind": "thematic", "title": "X", "position": 0},
    )

    assert "Select a valid choice" in response.content.decode()
    assert not Mandate.objects.exists()


def test_the_delete_action_skips_published_offices_mandates(admin_client):
    published = MandateFactory()

    admin_client.post(
        admin_url(Mandate, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [published.pk],
            "post": "yes",
        },
    )

    assert Mandate.objects.filter(pk=published.pk).exists()


# Query counts: the same bound at two data sizes


@pytest.mark.parametrize("size", [2, 30])
@pytest.mark.parametrize(
    "model", [ThematicPillar, Shift, SpotlightPopulation, Tag, Mandate]
)
def test_changelist_query_count_is_constant(
    admin_client, django_assert_max_num_queries, size, model
):
    populate(size)

    with django_assert_max_num_queries(5 + SIGNED_IN_QUERIES):
        response = admin_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200


def test_mandate_add_page_ignores_a_bad_initial_office(admin_client):
    response = admin_client.get(admin_url(Mandate, "add"), {"office": "abc"})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        admin_url(ThematicPillar, "changelist") + "?name=%00",
        admin_url(Tag, "changelist") + "?slug=%00",
        admin_url(Mandate, "changelist") + "?title__contains=%00",
    ],
)
def test_changelist_filter_with_null_character_is_an_invalid_lookup(admin_client, url):
    response = admin_client.get(url)

    assert response.status_code == 302
    assert response.url.endswith("?e=1")

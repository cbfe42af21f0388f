"""Two editors, one slug: a form error for the second, never a server error.

The form's own check cannot see a page saved after it ran. Most tests replay
the race by saving "the other editor's" page between validation and save, in
the same database transaction: the refusal rolls that page back with the
rest, which a real second editor's committed page would survive. The last
test runs a real race, with two connections.
"""

import threading

import pytest
from django.contrib import admin
from django.db import IntegrityError, connection
from django.urls import reverse

from mandates.models import Shift, SpotlightPopulation, Tag, ThematicPillar
from offices.models import FieldOffice, Office
from tests.factories import (
    OfficeFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    TagFactory,
    ThematicPillarFactory,
)
from tests.support import FormData, VerifiedClient, add_rows, change_url
from tests.support import add_office_data as office_data

ADD = reverse("admin:offices_office_add")
TAKEN = "Someone else has just saved a page with this slug. Choose another."


def save_meanwhile(monkeypatch, model, make_other_page):
    """Have "another editor" save a page once this form has been validated."""
    model_admin = type(admin.site.get_model_admin(model))
    original = model_admin.save_form
    pending = [make_other_page]

    def save_form(self, request, form, change):
        while pending:
            pending.pop()()
        return original(self, request, form, change)

    monkeypatch.setattr(model_admin, "save_form", save_form)


def slug_errors(response):
    return response.context["adminform"].form.errors.get("slug", [])


# Offices


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["iraq", "IRAQ", "Iraq"])
def test_a_slug_in_use_in_any_case_is_refused_with_a_form_error(admin_client, slug):
    OfficeFactory(slug="iraq")

    response = admin_client.post(ADD, office_data(admin_client, slug=slug))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert list(Office.objects.values_list("slug", flat=True)) == ["iraq"]


@pytest.mark.django_db
def test_a_slug_taken_while_adding_is_a_form_error_with_the_input_kept(
    admin_client, monkeypatch
):
    save_meanwhile(
        monkeypatch, Office, lambda: OfficeFactory(slug="iraq", name="Other")
    )
    data = office_data(admin_client, host_mission="UNAMI")
    add_rows(data, "field_offices", {"name": "Baghdad", "position": 0})

    response = admin_client.post(ADD, data)

    assert response.status_code == 200
    assert slug_errors(response) == [TAKEN]
    form = response.context["adminform"].form
    assert (form["name_en"].value(), form["host_mission"].value()) == (
        "UN Human Rights in Iraq",
        "UNAMI",
    )
    assert 'value="Baghdad"' in response.content.decode()
    assert not Office.objects.filter(name="UN Human Rights in Iraq").exists()
    assert not FieldOffice.objects.exists()


@pytest.mark.django_db
def test_a_slug_taken_while_renaming_is_a_form_error(admin_client, monkeypatch):
    # A new office (in draft): a published one changes its slug in its draft
    # copy, and a slug taken meanwhile is refused when it is published.
    office = OfficeFactory(slug="old-name", name="Mine", status=Office.Status.DRAFT)
    data = office_data(admin_client, change_url(office), name="Renamed")
    save_meanwhile(monkeypatch, Office, lambda: OfficeFactory(slug="iraq"))

    response = admin_client.post(change_url(office), data)

    assert slug_errors(response) == [TAKEN]
    office.refresh_from_db()
    assert (office.name, office.slug) == ("Mine", "old-name")


@pytest.mark.django_db
def test_the_refused_page_can_be_saved_with_another_slug(admin_client, monkeypatch):
    save_meanwhile(monkeypatch, Office, lambda: OfficeFactory(slug="iraq"))
    admin_client.post(ADD, office_data(admin_client))

    response = admin_client.post(ADD, office_data(admin_client, slug="iraq-2"))

    assert response.status_code == 302
    assert Office.objects.filter(slug="iraq-2").exists()


@pytest.mark.django_db
def test_other_database_errors_are_not_passed_off_as_a_taken_slug(
    admin_client, monkeypatch
):
    def refuse(*args, **kwargs):
        raise IntegrityError("another constraint")

    monkeypatch.setattr(Office, "save", refuse)

    with pytest.raises(IntegrityError, match="another constraint"):
        admin_client.post(ADD, office_data(admin_client))


# Vocabulary


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "factory"),
    [
        (ThematicPillar, ThematicPillarFactory),
        (Shift, ShiftFactory),
        (SpotlightPopulation, SpotlightPopulationFactory),
        (Tag, TagFactory),
    ],
)
def test_a_term_slug_taken_while_adding_is_a_form_error(
    admin_client, monkeypatch, model, factory
):
    url = reverse(f"admin:mandates_{model._meta.model_name}_add")
    data = FormData(name="Women", slug="women", description="", position=0)
    save_meanwhile(monkeypatch, model, lambda: factory(slug="women", name="Other"))

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert slug_errors(response) == [TAKEN]
    assert not model.objects.filter(name="Women").exists()


# A real race: two editors at once, each in their own database connection


@pytest.mark.django_db(transaction=True)
def test_two_editors_adding_the_same_slug_at_once_get_one_page_and_one_error(
    admin_user, monkeypatch
):
    clients = [VerifiedClient(), VerifiedClient()]
    for client in clients:
        client.force_login(admin_user)
    data = [office_data(client) for client in clients]
    # Both forms are valid (neither page exists yet) before either is saved.
    both_validated = threading.Barrier(2, timeout=10)
    model_admin = type(admin.site.get_model_admin(Office))
    original = model_admin.save_form

    def save_form(self, request, form, change):
        both_validated.wait()
        return original(self, request, form, change)

    monkeypatch.setattr(model_admin, "save_form", save_form)
    responses = [None, None]

    def post(index):
        try:
            responses[index] = clients[index].post(ADD, data[index])
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(response.status_code for response in responses) == [200, 302]
    refused = next(r for r in responses if r.status_code == 200)
    # The page saved first is visible now, so the form's own check speaks.
    assert slug_errors(refused) == ["This slug is already taken."]
    assert Office.objects.filter(slug="iraq").count() == 1

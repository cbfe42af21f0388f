"""Who may do what in the office admin: reviewers, publishing, people pickers."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from offices.models import Office
from tests.factories import OfficeFactory, UserFactory
from tests.support import add_office_data, change_url, form_data

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:offices_office_changelist")
ADD = reverse("admin:offices_office_add")


def editor(username, *, exclude=()):
    """Staff with every office and mandate permission but those excluded."""
    user = UserFactory(username=username)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["offices", "mandates"]
        ).exclude(codename__in=exclude)
    )
    return user


@pytest.fixture
def office_editor(db):
    """Edits the offices they review; cannot publish or choose reviewers."""
    return editor("office-editor", exclude=["edit_all_offices", "publish_office"])


@pytest.fixture
def people(db):
    """Staff to pick from, and people who must not be offered."""
    return {
        "amina": UserFactory(username="amina", first_name="Amina", last_name="Said"),
        "bob": UserFactory(username="bob"),
        "gone": UserFactory(
            username="gone", first_name="Former", last_name="Staff", is_active=False
        ),
        "public": UserFactory(
            username="public", first_name="Not", last_name="Staff", is_staff=False
        ),
    }


def reviewer_choices(response):
    field = response.context["adminform"].form.fields["reviewers"]
    return [label for _value, label in field.choices]


def action_names(response):
    action_form = response.context["action_form"]
    if action_form is None:  # no action at all for this user
        return []
    return [name for name, _label in action_form.fields["action"].choices]


# People pickers


def test_reviewers_are_picked_by_name_among_active_staff(client, staff_user, people):
    staff_user.first_name, staff_user.last_name = "Chief", "Editor"
    staff_user.save()
    client.force_login(staff_user)

    response = client.get(ADD)

    assert reviewer_choices(response) == ["Amina Said", "bob", "Chief Editor"]
    html = response.content.decode()
    assert f'<option value="{people["amina"].pk}">Amina Said</option>' in html
    assert "Former Staff" not in html
    assert "Not Staff" not in html


def test_user_autocomplete_lists_active_staff_by_name(admin_client, people):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "offices", "model_name": "office", "field_name": "reviewers"},
    )

    texts = [result["text"] for result in response.json()["results"]]
    assert texts == ["admin", "Amina Said", "bob"]


def test_user_autocomplete_finds_people_by_name(admin_client, people):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "offices",
            "model_name": "office",
            "field_name": "reviewers",
            "term": "said",
        },
    )

    assert [r["text"] for r in response.json()["results"]] == ["Amina Said"]


# Who reviews (and so may edit) an office


def test_office_editor_sees_the_reviewers_as_names_only(client, office_editor, people):
    office = OfficeFactory(reviewers=[office_editor, people["amina"]])
    client.force_login(office_editor)

    response = client.get(change_url(office))

    assert "reviewers" not in response.context["adminform"].form.fields
    html = response.content.decode()
    assert "Amina Said, office-editor" in html
    assert 'name="reviewers"' not in html


def test_office_editor_cannot_change_who_reviews_their_office(
    client, office_editor, people
):
    office = OfficeFactory(
        name="Mine", status=Office.Status.DRAFT, reviewers=[office_editor]
    )
    client.force_login(office_editor)
    data = form_data(client.get(change_url(office)))
    data.update(name="Renamed", reviewers=[people["amina"].pk, people["bob"].pk])

    response = client.post(change_url(office), data)

    assert response.status_code == 302
    office.refresh_from_db()
    assert office.name == "Renamed"
    assert list(office.reviewers.all()) == [office_editor]


def test_office_editor_adding_an_office_cannot_name_other_reviewers(
    client, office_editor, people
):
    client.force_login(office_editor)
    data = add_office_data(client, reviewers=[people["amina"].pk])

    response = client.post(ADD, data)

    assert response.status_code == 302
    office = Office.objects.get(slug="iraq")
    assert list(office.reviewers.all()) == [office_editor]


def test_managers_choose_the_reviewers(client, staff_user, people):
    office = OfficeFactory(reviewers=[people["bob"]])
    client.force_login(staff_user)
    data = form_data(client.get(change_url(office)))
    data["reviewers"] = [people["amina"].pk]

    response = client.post(change_url(office), data)

    assert response.status_code == 302
    assert list(office.reviewers.all()) == [people["amina"]]


# Publishing needs offices.publish_office


def test_office_editor_cannot_publish_from_the_form(client, office_editor):
    office = OfficeFactory(status=Office.Status.DRAFT, reviewers=[office_editor])
    client.force_login(office_editor)
    page = client.get(change_url(office))
    data = form_data(page)
    data.update(name="Renamed", status=Office.Status.PUBLISHED)

    response = client.post(change_url(office), data)

    assert "status" not in page.context["adminform"].form.fields
    assert response.status_code == 302
    office.refresh_from_db()
    assert (office.name, office.status) == ("Renamed", Office.Status.DRAFT)


def test_office_editor_cannot_unpublish_from_the_form(client, office_editor):
    office = OfficeFactory(status=Office.Status.PUBLISHED, reviewers=[office_editor])
    client.force_login(office_editor)
    data = form_data(client.get(change_url(office)))
    data["status"] = Office.Status.DRAFT

    client.post(change_url(office), data)

    office.refresh_from_db()
    assert office.status == Office.Status.PUBLISHED


def test_office_editor_adds_drafts_only(client, office_editor):
    client.force_login(office_editor)
    data = add_office_data(client, status=Office.Status.PUBLISHED)

    assert client.post(ADD, data).status_code == 302
    assert Office.objects.get(slug="iraq").status == Office.Status.DRAFT


def test_office_editor_is_not_offered_the_publishing_actions(client, office_editor):
    OfficeFactory(reviewers=[office_editor])
    client.force_login(office_editor)

    actions = action_names(client.get(CHANGELIST))

    assert "mark_reviewed" in actions
    assert "publish" not in actions
    assert "move_to_draft" not in actions


@pytest.mark.parametrize(
    ("action", "before"),
    [("publish", Office.Status.DRAFT), ("move_to_draft", Office.Status.PUBLISHED)],
)
def test_a_forced_publishing_action_changes_nothing(
    client, office_editor, action, before
):
    office = OfficeFactory(status=before, reviewers=[office_editor])
    client.force_login(office_editor)

    client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [office.pk], "post": "yes"},
    )

    office.refresh_from_db()
    assert office.status == before


def test_a_publisher_who_is_not_a_manager_publishes_their_own_office(client, db):
    publisher = editor("publisher", exclude=["edit_all_offices"])
    own = OfficeFactory(status=Office.Status.DRAFT, reviewers=[publisher])
    other = OfficeFactory(status=Office.Status.DRAFT)
    client.force_login(publisher)

    assert "publish" in action_names(client.get(CHANGELIST))
    client.post(
        CHANGELIST,
        {"action": "publish", "_selected_action": [own.pk, other.pk], "post": "yes"},
    )

    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.status, other.status) == (
        Office.Status.PUBLISHED,
        Office.Status.DRAFT,
    )
    # The status is never a form field: a new office is published with the
    # page's Publish button (tests/editorial/test_admin.py).
    new = OfficeFactory(status=Office.Status.DRAFT, reviewers=[publisher])
    page = client.get(change_url(new))
    assert 'name="_publish"' in page.content.decode()
    assert "status" not in page.context["adminform"].form.fields
    assert "reviewers" not in page.context["adminform"].form.fields


def test_publishing_also_needs_the_change_permission(client, db):
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="offices",
            codename__in=["view_office", "edit_all_offices", "publish_office"],
        )
    )
    office = OfficeFactory(status=Office.Status.DRAFT)
    client.force_login(viewer)

    assert "publish" not in action_names(client.get(CHANGELIST))
    client.post(
        CHANGELIST,
        {"action": "publish", "_selected_action": [office.pk], "post": "yes"},
    )
    office.refresh_from_db()
    assert office.status == Office.Status.DRAFT

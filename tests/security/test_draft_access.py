"""Drafts in the public preview: only for people who may edit that office."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from offices.models import Office
from tests.factories import OfficeFactory, UserFactory
from tests.support import mark_verified

pytestmark = pytest.mark.django_db


def editor(username, *, edit_all=False, perms=("change_office", "view_office")):
    user = UserFactory(username=username, is_staff=True)
    codenames = [*perms, *(["edit_all_offices"] if edit_all else [])]
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="offices", codename__in=codenames
        )
    )
    return user


@pytest.fixture
def editor_of_a(db):
    return editor("editor-a")


@pytest.fixture
def office_a(editor_of_a):
    return OfficeFactory(
        slug="office-a",
        name="Draft A",
        status=Office.Status.DRAFT,
        reviewers=[editor_of_a],
    )


@pytest.fixture
def office_b(db):
    return OfficeFactory(
        slug="office-b",
        name="Draft B",
        status=Office.Status.DRAFT,
        reviewers=[editor("editor-b")],
    )


def test_editor_previews_the_draft_of_their_own_office(client, editor_of_a, office_a):
    client.force_login(editor_of_a)

    response = client.get("/en/offices/office-a/")

    assert response.status_code == 200
    assert "Draft – not public" in response.content.decode()
    assert "no-cache" in response.headers["Cache-Control"]


def test_editor_of_a_gets_404_for_the_draft_of_b(client, editor_of_a, office_b):
    client.force_login(editor_of_a)

    assert client.get("/en/offices/office-b/").status_code == 404


def test_the_404_for_a_draft_is_the_404_for_a_missing_page(
    client, editor_of_a, office_b
):
    client.force_login(editor_of_a)

    draft = client.get("/en/offices/office-b/")
    missing = client.get("/en/offices/no-such-office/")

    assert draft.status_code == missing.status_code == 404
    # The same page but for the address itself, which the language switcher
    # repeats (to the same address in each language).
    assert draft.content.replace(b"office-b", b"") == missing.content.replace(
        b"no-such-office", b""
    )


def test_editor_of_a_cannot_probe_the_draft_of_b_with_validators(
    client, editor_of_a, office_b
):
    client.force_login(editor_of_a)

    response = client.get(
        "/en/offices/office-b/",
        headers={"if-modified-since": "Mon, 01 Jan 2001 00:00:00 GMT"},
    )

    assert response.status_code == 404


def test_editor_of_a_sees_published_b(client, editor_of_a, office_b):
    Office.objects.filter(pk=office_b.pk).update(status=Office.Status.PUBLISHED)
    client.force_login(editor_of_a)

    assert client.get("/en/offices/office-b/").status_code == 200


def test_index_lists_own_drafts_only(client, editor_of_a, office_a, office_b):
    client.force_login(editor_of_a)

    html = client.get("/en/offices/").content.decode()

    assert "Draft A" in html
    assert "Draft B" not in html


def test_editor_of_every_office_previews_any_draft(client, office_a, office_b):
    client.force_login(editor("manager", edit_all=True))

    assert client.get("/en/offices/office-a/").status_code == 200
    assert client.get("/en/offices/office-b/").status_code == 200


def test_staff_who_may_only_view_offices_get_404_for_drafts(client, office_a):
    client.force_login(editor("viewer", perms=("view_office",)))

    assert client.get("/en/offices/office-a/").status_code == 404


def test_a_reviewer_without_edit_permission_gets_404(client, office_a):
    reviewer = editor("reviewer", perms=())
    office_a.reviewers.add(reviewer)
    client.force_login(reviewer)

    assert client.get("/en/offices/office-a/").status_code == 404


def test_anonymous_gets_404_for_every_draft(client, office_a, office_b):
    assert client.get("/en/offices/office-a/").status_code == 404
    assert client.get("/en/offices/office-b/").status_code == 404


def test_an_editor_who_owes_the_second_step_sees_no_draft(editor_of_a, office_a):
    """A password alone is not enough to preview: the admin would ask for a code."""
    editor_of_a.user_permissions.add(Permission.objects.get(codename="publish_office"))
    password_only = Client()
    password_only.force_login(editor_of_a)

    assert password_only.get("/en/offices/office-a/").status_code == 404

    mark_verified(password_only, editor_of_a)
    assert password_only.get("/en/offices/office-a/").status_code == 200

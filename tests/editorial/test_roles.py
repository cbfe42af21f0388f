"""Who may do what to an office: the two editorial groups, on every route.

The users are members of the groups the data migration creates (a new
database has them), not of hand-made permission sets.
"""

import pytest
from django.urls import reverse
from reversion.models import Version

from mandates.models import Tag
from offices import editorial
from offices.models import Office
from tests.factories import OfficeFactory, TagFactory
from tests.support import FormData, VerifiedClient, form_data, member
from tests.support import office_admin_url as url

pytestmark = pytest.mark.django_db

# Each role (rows) doing each thing (columns) to office A, which "editor_a"
# reviews and "editor_b" does not; "vocabulary" is renaming a tag.
MATRIX = """
              view  change  publish  revert  delete  vocabulary
manager       yes   yes     yes      yes     yes     yes
editor_a      yes   yes     no       no      no      no
editor_b      no    no      no       no      no      no
anonymous     no    no      no       no      no      no
"""


def matrix(table):
    header, *rows = table.strip().splitlines()
    actions = header.split()
    return [
        pytest.param(role, action, outcome == "yes", id=f"{role}-{action}")
        for role, *outcomes in (row.split() for row in rows)
        for action, outcome in zip(actions, outcomes, strict=True)
    ]


@pytest.fixture
def people(db):
    return {
        "manager": member("Content managers", "manager"),
        "editor_a": member("Office editors", "editor-a"),
        "editor_b": member("Office editors", "editor-b"),
    }


@pytest.fixture
def office_a(people):
    """Published twice (two versions), with a pending draft."""
    office = OfficeFactory(
        name="UN Human Rights in A", profile="First.", reviewers=[people["editor_a"]]
    )
    OfficeFactory(name="UN Human Rights in B", reviewers=[people["editor_b"]])
    manager = people["manager"]
    editorial.publish(editorial.start_draft(office, by=manager), by=manager)
    draft = editorial.start_draft(office, by=manager)
    Office.objects.filter(pk=draft.pk).update(profile="Second.")
    editorial.publish(Office.objects.get(pk=draft.pk), by=manager)
    editorial.start_draft(office, by=manager)
    office.refresh_from_db()
    return office


def client_for(people, role):
    client = VerifiedClient()
    if role != "anonymous":
        client.force_login(people[role])
    return client


def draft_form(people, office, **changes):
    """The draft's form as a manager sees it: what a forged post would send."""
    manager = VerifiedClient()
    manager.force_login(people["manager"])
    draft = Office.objects.get(draft_of=office)
    return draft, {**form_data(manager.get(url("change", draft))), **FormData(changes)}


def view(client, people, office):
    response = client.get(url("change", office))
    return response.status_code == 200 and office.profile in response.content.decode()


def change(client, people, office):
    draft, data = draft_form(people, office, profile="Changed.")
    client.post(url("change", draft), data)
    return Office.objects.filter(pk=draft.pk, profile="Changed.").exists()


def publish(client, people, office):
    draft, data = draft_form(people, office, profile="Published.", _publish="Publish")
    client.post(url("change", draft), data)
    office.refresh_from_db()
    return office.profile == "Published."


def revert(client, people, office):
    oldest = Version.objects.get_for_object(office).last()
    client.post(url("revert", office, oldest.pk))
    # The version is loaded into the office's draft (published separately).
    return Office.objects.filter(draft_of=office, profile="First.").exists()


def delete(client, people, office):
    client.post(url("delete", office), {"post": "yes"})
    office.refresh_from_db()
    return office.deleted_at is not None


def vocabulary(client, people, office):
    tag = TagFactory(name="Elections", slug="elections")
    client.post(
        reverse("admin:mandates_tag_change", args=[tag.pk]),
        FormData(name="Referendums", slug="elections"),
    )
    return Tag.objects.get(pk=tag.pk).name == "Referendums"


ACTIONS = {
    "view": view,
    "change": change,
    "publish": publish,
    "revert": revert,
    "delete": delete,
    "vocabulary": vocabulary,
}


@pytest.mark.parametrize(("role", "action", "allowed"), matrix(MATRIX))
def test_role_matrix(people, office_a, role, action, allowed):
    client = client_for(people, role)

    assert ACTIONS[action](client, people, office_a) is allowed


# The other routes to the same things


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("manager", True), ("editor_a", True), ("editor_b", False), ("anonymous", False)],
)
def test_starting_a_draft(people, role, allowed):
    office = OfficeFactory(reviewers=[people["editor_a"]])

    client_for(people, role).post(url("start_draft", office))

    assert Office.objects.filter(draft_of=office).exists() is allowed


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("manager", True), ("editor_a", True), ("editor_b", False), ("anonymous", False)],
)
def test_mark_reviewed_and_defer(people, office_a, role, allowed):
    client = client_for(people, role)

    client.post(url("mark_reviewed", office_a), {"note": "Checked"})
    client.post(url("defer_review", office_a), {"until": "", "reason": ""})

    assert office_a.review_records.exists() is allowed


@pytest.mark.parametrize("role", ["editor_a", "editor_b", "anonymous"])
@pytest.mark.parametrize(
    ("route", "status"),
    [
        ("unpublish", Office.Status.PUBLISHED),
        ("publish-action", Office.Status.DRAFT),
        ("move_to_draft-action", Office.Status.PUBLISHED),
        ("publish-button", Office.Status.DRAFT),
    ],
)
def test_only_publishers_publish_and_unpublish(people, role, route, status):
    office = OfficeFactory(status=status, reviewers=[people["editor_a"]])
    manager = VerifiedClient()
    manager.force_login(people["manager"])
    client = client_for(people, role)

    match route.split("-"):
        case [view_name]:
            client.post(url(view_name, office))
        case [action, "action"]:
            client.post(
                reverse("admin:offices_office_changelist"),
                {"action": action, "_selected_action": [office.pk], "post": "yes"},
            )
        case [_, "button"]:
            data = form_data(manager.get(url("change", office)))
            client.post(url("change", office), {**data, "_publish": "Publish"})

    office.refresh_from_db()
    assert office.status == status


@pytest.mark.parametrize("role", ["editor_a", "editor_b", "anonymous"])
def test_only_content_managers_delete_through_the_action(people, role):
    office = OfficeFactory(reviewers=[people["editor_a"]])

    client_for(people, role).post(
        reverse("admin:offices_office_changelist"),
        {"action": "delete_offices", "_selected_action": [office.pk], "post": "yes"},
    )

    office.refresh_from_db()
    assert office.deleted_at is None


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("manager", True), ("editor_a", False), ("editor_b", False)],
)
def test_only_content_managers_restore(people, role, allowed):
    office = OfficeFactory(reviewers=[people["editor_a"], people["editor_b"]])
    editorial.soft_delete(office, by=people["manager"])

    client_for(people, role).post(
        reverse("admin:offices_deletedoffice_changelist"),
        {"action": "restore", "_selected_action": [office.pk]},
    )

    office.refresh_from_db()
    assert (office.deleted_at is None) is allowed


def test_an_office_editor_sees_a_published_office_with_an_edit_button_only(
    people, office_a
):
    client = client_for(people, "editor_a")
    Office.objects.filter(draft_of=office_a).delete()

    response = client.get(url("change", office_a))

    content = response.content.decode()
    assert response.context["title"] == "View office"
    assert f'action="{url("start_draft", office_a)}"' in content
    for absent in [url("unpublish", office_a), url("delete", office_a)]:
        assert absent not in content
    history = client.get(url("history", office_a))
    assert history.status_code == 200
    assert "Load this version into the draft" not in history.content.decode()


def test_an_office_editor_has_no_publish_button_on_a_draft(people, office_a):
    draft = Office.objects.get(draft_of=office_a)

    content = client_for(people, "editor_a").get(url("change", draft)).content
    content = content.decode()

    assert 'name="_continue"' in content
    assert 'name="_publish"' not in content


@pytest.mark.parametrize("role", ["editor_a", "editor_b", "anonymous"])
def test_history_and_reverting_are_closed_to_those_who_may_not(people, office_a, role):
    oldest = Version.objects.get_for_object(office_a).last()
    client = client_for(people, role)

    client.post(url("revert", office_a, oldest.pk))

    office_a.refresh_from_db()
    assert office_a.profile == "Second."
    assert not Office.objects.filter(draft_of=office_a, profile="First.").exists()
    assert client.get(url("revert", office_a, oldest.pk)).status_code in (302, 403)
    if role != "editor_a":
        assert client.get(url("history", office_a)).status_code == 302


def test_office_editors_see_the_vocabulary_read_only(people):
    tag = TagFactory(name="Elections")
    client = client_for(people, "editor_a")

    page = client.get(reverse("admin:mandates_tag_change", args=[tag.pk]))
    add = client.get(reverse("admin:mandates_thematicpillar_add"))

    assert page.status_code == 200
    assert page.context["title"] == "View tag"
    assert 'name="_save"' not in page.content.decode()
    assert add.status_code == 403


def autocomplete_offices(client):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "mandates", "model_name": "mandate", "field_name": "office"},
    )
    return sorted(result["text"] for result in response.json()["results"])


def test_the_office_picker_offers_an_editor_their_own_offices(people, office_a):
    assert autocomplete_offices(client_for(people, "editor_a")) == [
        "UN Human Rights in A"
    ]
    assert autocomplete_offices(client_for(people, "manager")) == [
        "UN Human Rights in A",
        "UN Human Rights in B",
    ]

"""Translators: their group, their assignments (kept by content managers),
what they may open and do in the office admin, assigned_languages, and
their desk."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from offices import dashboard, editorial
from offices.models import PublicationRequest, TranslationAssignment
from offices.translators import assigned_languages
from tests.factories import OfficeFactory, TranslationAssignmentFactory, UserFactory
from tests.support import (
    SIGNED_IN_QUERIES,
    change_url,
    editorial_group,
    form_data,
    member,
    office_admin_url,
    signed_in,
)

pytestmark = pytest.mark.django_db

MIGRATION = "offices.migrations.0021_translators_group"
INDEX = reverse("admin:index")
CHANGELIST = reverse("admin:offices_office_changelist")
ASSIGNMENTS = reverse("admin:offices_translationassignment_changelist")
ADD_ASSIGNMENT = reverse("admin:offices_translationassignment_add")
ASSIGNMENT_CODENAMES = [
    "add_translationassignment",
    "change_translationassignment",
    "delete_translationassignment",
    "view_translationassignment",
]


@pytest.fixture
def translator(db):
    return member("Translators", "tariq")


@pytest.fixture
def manager(db):
    return member("Content managers", "pat")


@pytest.fixture
def editor(db):
    return member("Office editors", "amina")


def assign(translator, office, language="fr"):
    return TranslationAssignmentFactory(
        translator=translator, office=office, language=language
    )


def translate_url(office, language):
    return reverse("admin:offices_office_translate", args=[office.pk, language])


# The group (offices migration 0021)


def group_codenames(name):
    return sorted(
        Group.objects.get(name=name).permissions.values_list("codename", flat=True)
    )


def test_the_migration_makes_the_translators_group():
    migration = importlib.import_module(MIGRATION)
    Group.objects.filter(name="Translators").delete()

    migration.create_group(apps, None)

    assert group_codenames("Translators") == [
        "view_fieldoffice",
        "view_mandate",
        "view_office",
        "view_shift",
        "view_spotlightpopulation",
        "view_tag",
        "view_thematicpillar",
    ]


def test_the_migration_gives_content_managers_the_assignments():
    migration = importlib.import_module(MIGRATION)
    managers, _created = Group.objects.get_or_create(name="Content managers")
    managers.permissions.clear()

    migration.create_group(apps, None)

    assert group_codenames("Content managers") == ASSIGNMENT_CODENAMES


def test_the_migration_reverses_to_the_groups_before_it():
    migration = importlib.import_module(MIGRATION)
    editorial_group("Content managers")
    migration.create_group(apps, None)

    migration.remove_group(apps, None)

    assert not Group.objects.filter(name="Translators").exists()
    assert not set(ASSIGNMENT_CODENAMES) & set(group_codenames("Content managers"))
    assert "change_office" in group_codenames("Content managers")


@pytest.mark.django_db(transaction=True)
def test_the_migration_unapplies_and_applies_again():
    executor = MigrationExecutor(connection)
    executor.migrate([("offices", "0020_translation_assignment")])
    assert not Group.objects.filter(name="Translators").exists()

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert "view_office" in group_codenames("Translators")
    assert "change_office" not in group_codenames("Translators")


# The assignment


def test_a_translator_is_assigned_an_office_once_per_language(translator):
    first = assign(translator, OfficeFactory())

    with pytest.raises(IntegrityError), transaction.atomic():
        assign(translator, first.office)
    assign(translator, first.office, "es")


def test_english_is_not_a_translation_language(translator):
    with pytest.raises(IntegrityError), transaction.atomic():
        assign(translator, OfficeFactory(), "en")


def test_a_draft_copy_cannot_be_assigned(translator, editor):
    draft = editorial.start_draft(OfficeFactory(reviewers=[editor]), by=editor)
    assignment = TranslationAssignment(translator=translator, office=draft)

    with pytest.raises(ValidationError) as error:
        assignment.full_clean()

    assert "office" in error.value.message_dict


# The admin of assignments


def test_a_content_manager_assigns_a_translator(manager, translator):
    office = OfficeFactory(name="Iraq")
    client = signed_in(manager)

    response = client.post(
        ADD_ASSIGNMENT,
        {"translator": translator.pk, "office": office.pk, "language": "fr"},
    )

    assert response.status_code == 302
    assignment = TranslationAssignment.objects.get()
    assert (assignment.translator, assignment.office) == (translator, office)
    assert assignment.assigned_by == manager
    assert "Iraq" in client.get(ASSIGNMENTS).text


def test_a_duplicate_assignment_is_a_form_error(manager, translator):
    office = OfficeFactory()
    assign(translator, office)

    response = signed_in(manager).post(
        ADD_ASSIGNMENT,
        {"translator": translator.pk, "office": office.pk, "language": "fr"},
    )

    assert response.status_code == 200
    assert "already assigned this office in this language" in response.text
    assert TranslationAssignment.objects.count() == 1


def test_only_translators_can_be_assigned(manager, editor):
    response = signed_in(manager).post(
        ADD_ASSIGNMENT,
        {"translator": editor.pk, "office": OfficeFactory().pk, "language": "fr"},
    )

    assert response.status_code == 200
    assert "translator" in response.context["adminform"].form.errors
    assert not TranslationAssignment.objects.exists()


def test_a_draft_copy_is_not_offered(manager, translator):
    office = OfficeFactory()
    draft = editorial.start_draft(office, by=manager)

    response = signed_in(manager).post(
        ADD_ASSIGNMENT,
        {"translator": translator.pk, "office": draft.pk, "language": "fr"},
    )

    assert response.status_code == 200
    assert "office" in response.context["adminform"].form.errors


def test_an_editor_without_manager_rights_cannot_assign(editor, translator):
    client = signed_in(editor)

    assert client.get(ASSIGNMENTS).status_code == 403
    response = client.post(
        ADD_ASSIGNMENT,
        {"translator": translator.pk, "office": OfficeFactory().pk, "language": "fr"},
    )

    assert response.status_code == 403
    assert not TranslationAssignment.objects.exists()


@pytest.mark.parametrize("size", [2, 20])
def test_the_assignment_list_costs_the_same_queries_at_any_size(
    manager, size, django_assert_max_num_queries
):
    for _index in range(size):
        assign(member("Translators", f"t{_index}"), OfficeFactory())
    client = signed_in(manager)

    with django_assert_max_num_queries(SIGNED_IN_QUERIES + 8):
        response = client.get(ASSIGNMENTS)

    assert response.context["cl"].result_count == size


# assigned_languages


def test_assigned_languages_of_an_office_and_its_draft(translator, editor):
    office = OfficeFactory(reviewers=[editor])
    assign(translator, office, "fr")
    assign(translator, office, "ar")
    assign(translator, OfficeFactory(), "es")
    draft = editorial.start_draft(office, by=editor)

    assert assigned_languages(translator, office) == {"fr", "ar"}
    assert assigned_languages(translator, draft) == {"fr", "ar"}
    assert assigned_languages(editor, office) == frozenset()


def test_assigned_languages_reads_once_per_user_object(
    translator, django_assert_num_queries
):
    offices = OfficeFactory.create_batch(3)
    for office in offices:
        assign(translator, office)

    with django_assert_num_queries(1):
        for office in [*offices, *offices]:
            assert assigned_languages(translator, office) == {"fr"}


def test_no_languages_for_the_anonymous_or_a_deleted_office(
    translator, django_assert_num_queries
):
    office = OfficeFactory()
    assign(translator, office)
    editorial.soft_delete(office, by=UserFactory(is_superuser=True))

    with django_assert_num_queries(0):
        assert assigned_languages(AnonymousUser(), office) == frozenset()
    assert assigned_languages(translator, office) == frozenset()


def test_leaving_the_group_ends_the_assignments(translator):
    office = OfficeFactory(name="Iraq", name_fr="Irak")
    assign(translator, office)
    translator.groups.clear()

    assert assigned_languages(translator, office) == frozenset()
    assert dashboard.outdated_translations(translator) == []
    assert not dashboard.my_assignments(translator).exists()
    assert signed_in(translator).get(change_url(office)).status_code == 403


# The office admin, for a translator


def test_a_translator_sees_only_their_assigned_offices(translator):
    assign(translator, OfficeFactory(name="Iraq"))
    OfficeFactory(name="Syria")

    response = signed_in(translator).get(CHANGELIST)

    assert response.status_code == 200
    assert [office.name for office in response.context["cl"].result_list] == ["Iraq"]


def test_a_translator_opens_their_office_read_only(translator):
    office = OfficeFactory(name="Iraq")
    assign(translator, office)

    response = signed_in(translator).get(change_url(office))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert not response.context["has_delete_permission"]


def test_a_translator_cannot_open_another_office(translator):
    other = OfficeFactory()

    response = signed_in(translator).get(change_url(other))

    assert response.status_code == 302
    assert response.url == INDEX


def test_a_translator_cannot_post_the_change_form(translator, editor):
    office = OfficeFactory(name="Iraq", reviewers=[editor])
    draft = editorial.start_draft(office, by=editor)
    assign(translator, office)
    data = form_data(signed_in(editor).get(change_url(draft)))
    data["name"] = "Changed"
    data["name_fr"] = "Changé"

    response = signed_in(translator).post(change_url(draft), data)

    assert response.status_code == 403
    draft.refresh_from_db()
    assert (draft.name, draft.name_fr) != ("Changed", "Changé")


def test_a_translator_runs_no_action(translator, editor):
    office = OfficeFactory(reviewers=[editor])
    assign(translator, office)

    response = signed_in(translator).get(CHANGELIST)

    assert response.context["action_form"] is None


def test_an_editor_cannot_act_on_an_office_they_only_translate(editor):
    editor.groups.add(editorial_group("Translators"))
    office = OfficeFactory(status="draft")
    assign(editor, office)
    client = signed_in(editor)

    assert client.get(change_url(office)).context["has_change_permission"] is False
    client.post(
        CHANGELIST, {"action": "mark_reviewed", "_selected_action": [office.pk]}
    )

    office.refresh_from_db()
    assert office.last_reviewed is None


def test_a_translator_submits_their_offices_draft(translator, editor):
    office = OfficeFactory(reviewers=[editor])
    draft = editorial.start_draft(office, by=editor)
    assign(translator, office)

    response = signed_in(translator).post(
        office_admin_url("submit", draft), {"message": "French updated."}
    )

    assert response.status_code == 302
    request = PublicationRequest.objects.get(office=draft)
    assert request.requested_by == translator
    assert request.is_pending


def test_a_translator_cannot_submit_another_offices_draft(translator, editor):
    mine = OfficeFactory()
    assign(translator, mine)
    other = OfficeFactory(reviewers=[editor])
    draft = editorial.start_draft(other, by=editor)

    response = signed_in(translator).post(
        office_admin_url("submit", draft), {"message": "Please."}
    )

    assert response.status_code == 302
    assert response.url == INDEX
    assert not PublicationRequest.objects.exists()


@pytest.mark.parametrize(
    ("page", "of_draft"),
    [
        ("change", True),  # the form's "Publish" button
        ("mark_reviewed", False),
        ("unpublish", False),
        ("delete", False),
        ("send_back", True),
        ("discard_draft", True),
    ],
)
def test_a_translator_cannot_publish_review_unpublish_or_delete(
    translator, editor, page, of_draft
):
    office = OfficeFactory(reviewers=[editor])
    assign(translator, office)
    draft = editorial.start_draft(office, by=editor)
    editorial.submit_for_publication(draft, by=editor, message="Please.")

    response = signed_in(translator).post(
        office_admin_url(page, draft if of_draft else office),
        {"_publish": "1", "comment": "No.", "note": "Reviewed."},
    )

    assert response.status_code == 403
    office.refresh_from_db()
    assert office.is_published
    assert office.deleted_at is None
    assert office.last_reviewed is None
    assert PublicationRequest.objects.get(office=draft).is_pending


# Their desk


def test_a_translators_desk_lists_their_out_of_date_translations(translator):
    office = OfficeFactory(name="Iraq", name_fr="Irak", name_es="Irak")
    assign(translator, office, "fr")
    OfficeFactory(name="Syria", name_fr="Syrie")  # not theirs

    response = signed_in(translator).get(INDEX)

    assert response.status_code == 200
    text = response.text
    start = text.index('id="desk-translations"')
    panel = text[start : text.index("</section>", start)]
    assert f'href="{translate_url(office, "fr")}"' in panel
    assert "Iraq: French never checked" in panel
    # Not their language, not their office.
    assert "Spanish" not in panel
    assert "Syria" not in panel


def test_a_translators_desk_has_no_review_panel(translator):
    assign(translator, OfficeFactory(last_reviewed=None))

    text = signed_in(translator).get(INDEX).text

    assert 'id="desk"' in text
    assert 'id="desk-reviews"' not in text
    assert 'id="desk-drafts"' in text


def test_an_editor_also_sees_the_languages_they_translate_elsewhere(editor):
    mine = OfficeFactory(name="Iraq", name_fr="Irak", reviewers=[editor])
    other = OfficeFactory(name="Syria", name_fr="Syrie", name_es="Siria")
    editor.groups.add(editorial_group("Translators"))
    assign(editor, other, "es")

    items = {
        (item.office.name, item.language)
        for item in dashboard.outdated_translations(editor)
    }

    assert items == {("Iraq", "fr"), ("Syria", "es")}
    assert mine


@pytest.mark.parametrize("size", [1, 12])
def test_a_translators_desk_costs_the_same_queries_at_any_size(
    translator, size, django_assert_max_num_queries
):
    for index in range(size):
        office = OfficeFactory(name_fr=f"Bureau {index}", name_es=f"Oficina {index}")
        assign(translator, office, "fr")
        assign(translator, office, "es")
    client = signed_in(translator)

    with django_assert_max_num_queries(1):
        items = dashboard.outdated_translations(translator)
    assert len(items) == min(2 * size, dashboard.PANEL_ROWS)
    # The index's own (permissions, the app list) and one per panel: the
    # editor's desk's but the review panel's two, and their assignments.
    with django_assert_max_num_queries(SIGNED_IN_QUERIES + 10):
        response = client.get(INDEX)

    assert response.status_code == 200


def test_the_review_schedule_links_to_the_translation_view(manager):
    office = OfficeFactory(name="Iraq", name_fr="Irak", reviewers=[manager])

    response = signed_in(manager).get(reverse("admin:offices_office_review_schedule"))

    assert f'href="{translate_url(office, "fr")}"' in response.text


def test_the_office_picker_offers_live_offices(manager):
    OfficeFactory(name="Iraq")
    draft = editorial.start_draft(OfficeFactory(name="Iran"), by=manager)

    response = signed_in(manager).get(
        reverse("admin:autocomplete"),
        {
            "app_label": "offices",
            "model_name": "translationassignment",
            "field_name": "office",
            "term": "Ir",
        },
    )

    ids = {result["id"] for result in response.json()["results"]}
    assert str(draft.pk) not in ids
    assert len(ids) == 2


@pytest.mark.parametrize("size", [2, 20])
def test_a_translators_office_list_costs_the_same_queries_at_any_size(
    translator, size, django_assert_max_num_queries
):
    for office in OfficeFactory.create_batch(size):
        assign(translator, office)
    OfficeFactory.create_batch(size)  # not theirs
    client = signed_in(translator)

    with django_assert_max_num_queries(SIGNED_IN_QUERIES + 10):
        response = client.get(CHANGELIST)

    assert response.context["cl"].result_count == size


def test_a_translators_desk_lists_their_assignments(translator):
    office = OfficeFactory(name="Iraq")  # English only: nothing to check yet
    assign(translator, office, "fr")
    assign(translator, office, "ar")

    text = signed_in(translator).get(INDEX).text

    start = text.index('id="desk-assignments"')
    panel = text[start : text.index("</section>", start)]
    assert f'href="{translate_url(office, "fr")}"' in panel
    assert f'href="{translate_url(office, "ar")}"' in panel
    assert "Iraq: French" in panel


def test_a_translator_without_assignments_is_told_who_assigns_them(translator):
    text = signed_in(translator).get(INDEX).text

    assert "No office is assigned to you yet" in text


def test_an_editors_desk_has_no_assignment_panel(editor):
    assign(editor, OfficeFactory())

    assert 'id="desk-assignments"' not in signed_in(editor).get(INDEX).text

"""The translation view (offices/admin/translation_views.py): one language's
text beside the English, saved through the draft like any edit, the checks
made on a draft and what publishing does with them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from audit.models import AuditEntry
from offices import editorial, freshness
from offices.models import Office, TranslationCheck, TranslationState
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    UserFactory,
)
from tests.support import VerifiedClient, form_data, member

pytestmark = pytest.mark.django_db


def translate_url(office, language="fr"):
    return reverse("admin:offices_office_translate", args=[office.pk, language])


def check_url(office, language="fr"):
    return reverse(
        "admin:offices_office_mark_translation_checked", args=[office.pk, language]
    )


def translated_office(**fields):
    office = OfficeFactory(
        **{
            "name": "UN Human Rights in Iraq",
            "slug": "iraq",
            "name_fr": "ONU Droits de l'homme en Irak",
            "profile": "The office monitors detention.",
            "profile_fr": "Le Bureau surveille la détention.",
            **fields,
        }
    )
    FieldOfficeFactory(office=office, name="Erbil", name_fr="Erbil", position=1)
    MandateFactory(office=office, title="Resolution 2107", summary="Missing persons.")
    return office


def page_data(response):
    """The POST data of the translation view's form as rendered."""
    data = {}
    for form in response.context["forms"].forms:
        for field in form:
            if field.value() is not None:
                data[field.html_name] = field.value()
    return data


def test_the_inputs_carry_their_language_and_direction(admin_client):
    office = translated_office()

    french = admin_client.get(translate_url(office)).content.decode()
    arabic = admin_client.get(translate_url(office, "ar")).content.decode()

    assert 'name="name_fr"' in french
    assert 'lang="fr" dir="ltr"' in french
    assert "Name in French" in french
    assert 'lang="ar" dir="rtl"' in arabic
    assert 'name="field_offices-1-name_ar"' in arabic
    assert 'name="mandates-1-summary_ar"' in arabic
    # The other languages' inputs and the English's are not in the form.
    assert 'name="name_en"' not in french
    assert 'name="name_ar"' not in french


def test_an_unknown_language_is_not_found_and_english_is_the_change_form(
    admin_client,
):
    office = translated_office()

    assert admin_client.get(translate_url(office, "de")).status_code == 404
    response = admin_client.get(translate_url(office, "en"))
    assert response.status_code == 302
    assert response.url == reverse("admin:offices_office_change", args=[office.pk])


def test_changed_english_words_are_marked_since_the_check(admin_client, admin_user):
    office = translated_office()
    freshness.mark_translation_checked(office, "fr", by=admin_user)
    Office.objects.filter(pk=office.pk).update(
        profile_en="The office monitors prisons."
    )

    response = admin_client.get(translate_url(office))
    page = response.content.decode()

    assert response.context["status"].state == TranslationState.OUT_OF_DATE
    assert "<del>detention</del><ins>prisons</ins>" in page
    assert "Out of date" in page
    # An English text unchanged since the check shows plainly.
    assert "<ins>UN" not in page


def test_without_a_check_nothing_is_marked(admin_client):
    office = translated_office()

    page = admin_client.get(translate_url(office)).content.decode()

    assert "Never checked" in page
    assert "<ins>" not in page


def test_a_live_office_with_a_draft_is_translated_in_the_draft(
    admin_client, admin_user
):
    office = translated_office()
    draft = editorial.start_draft(office, by=admin_user)

    response = admin_client.get(translate_url(office))

    assert response.status_code == 302
    assert response.url == translate_url(draft)


def test_saving_a_published_office_starts_a_draft(admin_client):
    office = translated_office()
    data = page_data(admin_client.get(translate_url(office)))
    data["name_fr"] = "HCDH en Irak"
    data["field_offices-1-note_fr"] = "Bureau régional"

    response = admin_client.post(translate_url(office), data)

    draft = Office.objects.get(draft_of=office)
    assert response.status_code == 302
    assert response.url == translate_url(draft)
    assert draft.name_fr == "HCDH en Irak"
    assert draft.field_offices.get().note_fr == "Bureau régional"
    office.refresh_from_db()
    assert office.name_fr == "ONU Droits de l'homme en Irak"
    assert office.field_offices.get().note_fr is None
    # As the change form's save: a version of the draft, the admin's log,
    # an audit entry.
    [version] = Version.objects.get_for_object(draft)
    assert "Changed Name in French" in version.revision.comment
    assert AuditEntry.objects.filter(
        object_pk=str(draft.pk), changes__has_key="name_fr"
    ).exists()


def test_a_save_without_changes_starts_no_draft(admin_client):
    office = translated_office()
    data = page_data(admin_client.get(translate_url(office)))

    response = admin_client.post(translate_url(office), data)

    assert response.url == translate_url(office)
    assert not Office.objects.filter(draft_of=office).exists()


def test_a_never_published_office_is_saved_directly(admin_client):
    office = translated_office(status=Office.Status.DRAFT)
    data = page_data(admin_client.get(translate_url(office)))
    data["mandates-1-summary_fr"] = "Personnes disparues."

    response = admin_client.post(translate_url(office), data)

    assert response.url == translate_url(office)
    assert not Office.objects.filter(draft_of=office).exists()
    assert office.mandates.get().summary_fr == "Personnes disparues."


def test_other_fields_posted_are_ignored(admin_client):
    office = translated_office(status=Office.Status.DRAFT)
    data = page_data(admin_client.get(translate_url(office)))
    data.update(
        {
            "name_en": "Hijacked",
            "name": "Hijacked",
            "name_ar": "مخترق",
            "slug": "hijacked",
            "status": "published",
            "field_offices-1-name_en": "Hijacked",
            "field_offices-1-is_head_office": "on",
            "mandates-1-title_es": "Secuestrado",
            "reviewers": "1",
        }
    )
    data["name_fr"] = "HCDH en Irak"
    before = Office.objects.rewrite(False).values().get(pk=office.pk)

    response = admin_client.post(translate_url(office), data)

    assert response.status_code == 302
    after = Office.objects.rewrite(False).values().get(pk=office.pk)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"name_fr", "edit_version", "updated_at"}
    row = office.field_offices.get()
    assert (row.name_en, row.is_head_office) == ("Erbil", False)
    assert office.mandates.get().title_es is None


def signed_in(user):
    client = VerifiedClient()
    client.force_login(user)
    return client


@pytest.fixture
def editor_and_translator(admin_user):
    """An editor on the change form and a translator on the French view,
    both opened on the same draft."""
    office = translated_office()
    draft = editorial.start_draft(office, by=admin_user)
    translator = UserFactory(username="tomas", first_name="Tomás", is_superuser=True)
    return draft, signed_in(admin_user), signed_in(translator)


def test_a_translation_saved_after_an_editors_save_is_a_conflict(
    editor_and_translator,
):
    draft, editor, translator = editor_and_translator
    change = reverse("admin:offices_office_change", args=[draft.pk])
    editor_data = form_data(editor.get(change))
    translator_data = page_data(translator.get(translate_url(draft)))

    french = draft.profile_fr
    # The change form edits the English: the French is the translator's.
    editor_data["profile"] = "The editor's text."
    assert editor.post(change, editor_data).status_code == 302
    translator_data["profile_fr"] = "Le texte du traducteur."
    response = translator.post(translate_url(draft), translator_data)

    assert response.status_code == 200
    errors = response.context["forms"].office_form.non_field_errors()
    assert "saved this office after you opened this page" in errors[0]
    draft.refresh_from_db()
    assert (draft.profile_en, draft.profile_fr) == ("The editor's text.", french)


def test_an_editors_save_after_a_translation_is_a_conflict(editor_and_translator):
    draft, editor, translator = editor_and_translator
    change = reverse("admin:offices_office_change", args=[draft.pk])
    editor_data = form_data(editor.get(change))
    translator_data = page_data(translator.get(translate_url(draft)))

    english = draft.profile_en
    translator_data["profile_fr"] = "Le texte du traducteur."
    assert translator.post(translate_url(draft), translator_data).status_code == 302
    editor_data["profile"] = "The editor's text."
    response = editor.post(change, editor_data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors[0].startswith("Tomás")
    draft.refresh_from_db()
    assert (draft.profile_en, draft.profile_fr) == (english, "Le texte du traducteur.")


def test_a_draft_started_after_the_page_was_opened_is_a_conflict(
    admin_client, admin_user
):
    office = translated_office()
    data = page_data(admin_client.get(translate_url(office)))
    draft = editorial.start_draft(office, by=admin_user)
    data["name_fr"] = "HCDH en Irak"

    response = admin_client.post(translate_url(office), data)

    assert response.status_code == 200
    assert "after you opened this page" in response.content.decode()
    draft.refresh_from_db()
    assert draft.name_fr == "ONU Droits de l'homme en Irak"


def test_the_draft_page_offers_mark_checked_and_submit(admin_client, admin_user):
    office = translated_office()
    draft = editorial.start_draft(office, by=admin_user)

    page = admin_client.get(translate_url(draft)).content.decode()

    assert f'action="{check_url(draft)}"' in page
    assert 'value="Mark French checked"' in page
    assert reverse("admin:offices_office_submit", args=[draft.pk]) in page
    assert 'hreflang="es"' in page


def test_a_check_on_a_draft_is_the_drafts_own(admin_client, admin_user):
    office = translated_office()
    draft = editorial.start_draft(office, by=admin_user)

    response = admin_client.post(check_url(draft), {"next": "translate"})

    assert response.url == translate_url(draft)
    assert TranslationCheck.objects.get().office == draft
    assert freshness.translation_status(draft, "fr").state == (
        TranslationState.UP_TO_DATE
    )
    # Nothing public: the live office's translation is still never checked.
    assert freshness.translation_states(
        freshness.with_translation_checks(Office.objects.filter(pk=office.pk)).get()
    )["fr"] == (TranslationState.NOT_CHECKED)
    assert set(Office.objects.live().translation_out_of_date("fr")) == {office}
    [entry] = AuditEntry.objects.filter(additional_data__translation_checked="fr")
    assert entry.office_id == office.pk


def test_a_draft_without_a_check_of_its_own_uses_the_live_one(admin_user):
    office = translated_office()
    freshness.mark_translation_checked(office, "fr", by=admin_user)
    draft = editorial.start_draft(office, by=admin_user)
    Office.objects.filter(pk=draft.pk).update(profile_en="Changed.")
    draft.refresh_from_db()

    status = freshness.translation_status(draft, "fr")

    assert status.check.office_id == office.pk
    assert status.state == TranslationState.OUT_OF_DATE


def test_a_drafts_check_is_recorded_at_publication_when_the_english_is_unchanged(
    admin_user,
):
    office = translated_office()
    draft = editorial.start_draft(office, by=admin_user)
    Office.objects.filter(pk=draft.pk).update(profile_en="The office monitors jails.")
    draft.refresh_from_db()
    check = freshness.mark_translation_checked(draft, "fr", by=admin_user)

    editorial.publish(draft, by=admin_user)
    office.refresh_from_db()

    live_check = TranslationCheck.objects.get(office=office, language="fr")
    assert live_check.english_digest == check.english_digest
    assert live_check.checked_at == check.checked_at
    assert freshness.translation_status(office, "fr").state == (
        TranslationState.UP_TO_DATE
    )
    publication = AuditEntry.objects.get(action=AuditEntry.Action.PUBLISH)
    assert publication.additional_data["translation_checks"] == ["fr"]
    # One entry for the check, made when it was marked.
    assert (
        AuditEntry.objects.filter(additional_data__translation_checked="fr").count()
        == 1
    )


def test_a_drafts_check_made_before_a_later_edit_is_not_recorded(admin_user):
    office = translated_office()
    earlier = freshness.mark_translation_checked(office, "fr", by=admin_user)
    draft = editorial.start_draft(office, by=admin_user)
    freshness.mark_translation_checked(draft, "fr", by=admin_user)
    Office.objects.filter(pk=draft.pk).update(profile_en="Edited after the check.")
    draft.refresh_from_db()

    editorial.publish(draft, by=admin_user)
    office.refresh_from_db()

    live_check = TranslationCheck.objects.get(office=office, language="fr")
    assert live_check.english_digest == earlier.english_digest
    assert freshness.translation_status(office, "fr").state == (
        TranslationState.OUT_OF_DATE
    )


def test_discarding_a_draft_drops_its_checks(admin_user):
    office = translated_office()
    draft = editorial.start_draft(office, by=admin_user)
    freshness.mark_translation_checked(draft, "fr", by=admin_user)

    editorial.discard_draft(draft, by=admin_user)

    assert not TranslationCheck.objects.exists()


def test_others_are_refused(client, limited_editor):
    office = translated_office()
    client.force_login(limited_editor)

    assert client.get(translate_url(office)).status_code == 403
    assert client.post(check_url(office)).status_code == 403


def test_an_assigned_translator_may_translate_their_language(client, monkeypatch):
    office = translated_office(status=Office.Status.DRAFT)
    translator = member("Office editors", "tomas")
    monkeypatch.setattr(
        "offices.translators.assigned_languages",
        lambda user, live: frozenset({"fr"}) if live == office else frozenset(),
    )
    client.force_login(translator)

    assert client.get(translate_url(office)).status_code == 200
    assert client.get(translate_url(office, "es")).status_code == 403
    assert client.post(check_url(office, "es")).status_code == 403
    data = page_data(client.get(translate_url(office)))
    data["name_fr"] = "HCDH en Irak"
    assert client.post(translate_url(office), data).status_code == 302
    assert client.post(check_url(office)).status_code == 302
    office.refresh_from_db()
    assert office.name_fr == "HCDH en Irak"
    assert office.translation_checks.get().checked_by == translator


@pytest.mark.parametrize("rows", [1, 15])
def test_the_page_reads_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries, rows
):
    office = translated_office(status=Office.Status.DRAFT)
    for number in range(2, rows + 1):
        FieldOfficeFactory(office=office, name=f"City {number}", position=number)
        MandateFactory(office=office, position=number)

    with django_assert_max_num_queries(QUERIES):
        response = admin_client.get(translate_url(office))

    assert response.status_code == 200


QUERIES = 10


def test_the_number_of_queries_is_the_same_at_1_and_15_rows(admin_client):
    office = translated_office(status=Office.Status.DRAFT)
    counts = []
    for rows in (1, 15):
        for number in range(office.field_offices.count() + 1, rows + 1):
            FieldOfficeFactory(office=office, name=f"City {number}", position=number)
            MandateFactory(office=office, position=number)
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(translate_url(office))
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_an_out_of_date_translation_links_to_its_translation_view(site_url):
    office = translated_office()

    [item] = freshness.outdated_translations(Office.objects.live())

    assert item.translate_url == site_url + translate_url(office)

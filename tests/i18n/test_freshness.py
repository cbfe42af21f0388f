"""Translation freshness: checked translations go out of date when the English
changes; editors see it in the admin, readers on the page, reviewers by email."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEntry
from offices import freshness
from offices.models import Office, TranslationState
from offices.reviews import send_reminders
from tests.factories import FieldOfficeFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 6, 1)


def translated_office(**fields):
    return OfficeFactory(
        **{
            "name": "UN Human Rights in Iraq",
            "slug": "iraq",
            "name_fr": "ONU Droits de l'homme en Irak",
            "profile_fr": "Le Bureau travaille.",
            "status": Office.Status.PUBLISHED,
            **fields,
        }
    )


def state(office, language):
    statuses = {s.language: s.state for s in office.translation_statuses()}
    return statuses[language]


def out_of_date(language):
    return set(Office.objects.translation_out_of_date(language))


def test_a_translation_never_checked_needs_checking():
    office = translated_office()

    assert state(office, "fr") == TranslationState.NOT_CHECKED
    assert out_of_date("fr") == {office}


def test_a_language_without_translation_is_missing_not_out_of_date():
    office = translated_office()

    assert state(office, "es") == TranslationState.MISSING
    assert out_of_date("es") == set()


def test_life_cycle_check_edit_english_check_again():
    office = translated_office()
    editor = UserFactory()

    freshness.mark_translation_checked(office, "fr", by=editor)
    assert state(office, "fr") == TranslationState.UP_TO_DATE
    assert out_of_date("fr") == set()

    office.profile = "The Office works for all Iraqis, every day."
    office.save()
    assert state(office, "fr") == TranslationState.OUT_OF_DATE
    assert out_of_date("fr") == {office}

    freshness.mark_translation_checked(office, "fr", by=editor)
    assert state(office, "fr") == TranslationState.UP_TO_DATE
    assert out_of_date("fr") == set()


def test_editing_a_translation_leaves_the_check_as_it_is():
    office = translated_office()
    freshness.mark_translation_checked(office, "fr", by=UserFactory())

    office.profile_fr = "Le Bureau travaille chaque jour."
    office.save()

    assert state(office, "fr") == TranslationState.UP_TO_DATE


def test_a_field_office_renamed_in_english_counts_as_an_english_change():
    office = translated_office()
    erbil = FieldOfficeFactory(office=office, name="Erbil")
    freshness.mark_translation_checked(office, "fr", by=UserFactory())

    erbil.name = "Arbil"
    erbil.save()

    assert out_of_date("fr") == {office}


def test_marking_checked_is_in_the_audit_trail():
    office = translated_office()
    editor = UserFactory()

    freshness.mark_translation_checked(office, "fr", by=editor)

    entry = AuditEntry.objects.filter(office_id=office.pk).latest("timestamp")
    assert entry.actor == editor
    assert "French" in entry.changes_text or "French" in str(entry.changes)


def test_the_french_page_says_when_its_translation_is_out_of_date(client):
    office = translated_office()
    freshness.mark_translation_checked(office, "fr", by=UserFactory())
    checked = client.get("/fr/offices/iraq/").content.decode()

    office.profile_en = "The Office works every day."
    office.save()
    changed = client.get("/fr/offices/iraq/").content.decode()

    assert 'id="translation-outdated"' not in checked
    assert 'id="translation-outdated"' in changed
    assert (
        'id="translation-outdated"'
        not in client.get("/en/offices/iraq/").content.decode()
    )


def test_changelist_filter_lists_out_of_date_translations(admin_client):
    stale = translated_office()
    fresh = translated_office(slug="syria", name="UN Human Rights in Syria")
    freshness.mark_translation_checked(fresh, "fr", by=UserFactory())

    response = admin_client.get(
        reverse("admin:offices_office_changelist"), {"translation_out_of_date": "fr"}
    )

    assert list(response.context["cl"].result_list) == [stale]


def test_change_page_shows_states_and_marks_checked(admin_client, admin_user):
    office = translated_office()
    change = reverse("admin:offices_office_change", args=[office.pk])

    page = admin_client.get(change).content.decode()
    assert 'id="translation-status"' in page
    assert "Never checked" in page

    response = admin_client.post(
        reverse("admin:offices_office_mark_translation_checked", args=[office.pk, "fr"])
    )

    assert response.status_code == 302
    check = office.translation_checks.get(language="fr")
    assert check.checked_by == admin_user
    assert state(office, "fr") == TranslationState.UP_TO_DATE


def test_review_schedule_lists_out_of_date_translations(admin_client):
    translated_office()

    page = admin_client.get(
        reverse("admin:offices_office_review_schedule")
    ).content.decode()

    assert 'id="outdated-fr"' in page


def test_reminders_with_translations_group_them_by_language(reminder_settings):
    alice = UserFactory(username="alice")
    office = translated_office(reviewers=[alice], name_es="ONU DDHH en Irak")

    send_reminders(as_of=AS_OF, translations=True)

    [email] = mail.outbox
    assert office.name in email.body
    assert "Translations to check" in email.alternatives[0][0]
    french, spanish = email.body.index("\nFrench\n"), email.body.index("\nSpanish\n")
    assert french < spanish


def test_reminders_without_translations_leave_them_out(reminder_settings):
    alice = UserFactory(username="alice")
    translated_office(reviewers=[alice])

    send_reminders(as_of=AS_OF)

    [email] = mail.outbox
    assert "Translations to check" not in email.alternatives[0][0]


def test_command_translations_option_reports_them(reminder_settings):
    alice = UserFactory(username="alice")
    translated_office(reviewers=[alice])
    out = StringIO()

    call_command(
        "send_review_reminders",
        "--as-of",
        AS_OF.isoformat(),
        "--translations",
        "--dry-run",
        stdout=out,
    )

    assert "1 out-of-date translation" in out.getvalue()

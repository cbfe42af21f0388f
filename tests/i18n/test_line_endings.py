"""Prose keeps LF line breaks only: a browser's CRLF is no change, and the
database refuses a carriage return however it is written."""

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from reversion.models import Version

from hrprofile.prose import ProseFormField
from mandates.models import Mandate
from offices import freshness
from offices.editorial import revert_office
from offices.history import diff, snapshot
from offices.models import Office, TranslationState
from tests.factories import MandateFactory, OfficeFactory, UserFactory
from tests.support import form_data

pytestmark = pytest.mark.django_db

PROFILE = "First paragraph.\n\nSecond paragraph,\nwith a line break."


def crlf(text):
    return text.replace("\n", "\r\n")


def french_state(office):
    return {s.language: s.state for s in office.translation_statuses()}["fr"]


@pytest.mark.parametrize(
    ("sent", "cleaned"),
    [("a\r\nb", "a\nb"), ("a\rb", "a\nb"), ("a\r\n\r\nb\r", "a\n\nb"), ("", "")],
)
def test_the_form_field_turns_every_line_break_into_lf(sent, cleaned):
    assert ProseFormField(required=False).clean(sent) == cleaned


def test_a_save_in_the_admin_that_changes_nothing_changes_nothing(admin_client):
    office = OfficeFactory(
        status=Office.Status.DRAFT, profile=PROFILE, name_fr="ONU Irak"
    )
    freshness.mark_translation_checked(office, "fr", by=UserFactory())
    change = reverse("admin:offices_office_change", args=[office.pk])
    data = form_data(admin_client.get(change))
    # As a browser sends a textarea: CRLF.
    data["profile"] = crlf(PROFILE)

    response = admin_client.post(change, data)

    assert response.status_code == 302
    office.refresh_from_db()
    assert office.profile_en == PROFILE
    assert french_state(office) == TranslationState.UP_TO_DATE
    # The form saw no change: nothing for the History to list.
    entry = LogEntry.objects.filter(object_id=str(office.pk)).latest("action_time")
    assert entry.get_change_message() == "No fields changed."


def test_text_saved_with_crlf_is_stored_with_lf():
    office = OfficeFactory(profile=crlf(PROFILE))

    assert office.profile == PROFILE
    office.refresh_from_db()
    assert office.profile_en == PROFILE


def test_an_update_cannot_bring_a_carriage_return_back():
    office = OfficeFactory(profile=PROFILE)
    mandate = MandateFactory(office=office)

    Office.objects.filter(pk=office.pk).update(profile_en=crlf(PROFILE))
    Mandate.objects.filter(pk=mandate.pk).update(summary_fr="a\rb")

    office.refresh_from_db()
    mandate.refresh_from_db()
    assert office.profile_en == PROFILE
    assert mandate.summary_fr == "a\nb"


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("offices_office", "profile_en"),
        ("offices_office", "achievements_ar"),
        ("offices_office", "partners_and_donors_zh_hans"),
        ("mandates_mandate", "summary_en"),
    ],
)
def test_the_database_refuses_a_carriage_return(table, column):
    office = OfficeFactory()
    row = MandateFactory(office=office) if table == "mandates_mandate" else office

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as c:
        c.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", ["a\r\nb", row.pk])


def test_history_compares_text_with_line_endings_normalised():
    office = OfficeFactory(profile=PROFILE)
    before = snapshot(office)
    # A version recorded before the normalisation held CRLF.
    office.profile_en = crlf(PROFILE)

    assert diff(snapshot(office), before) == []


def test_reverting_to_a_version_with_crlf_stores_lf(admin_user):
    import reversion

    office = OfficeFactory(status=Office.Status.PUBLISHED, profile=PROFILE)
    with reversion.create_revision():
        reversion.add_to_revision(office)
    version = Version.objects.get_for_object(office).get()
    data = json.loads(version.serialized_data)
    data[0]["fields"]["profile_en"] = crlf("The old text.\nTwo lines.")
    Version.objects.filter(pk=version.pk).update(serialized_data=json.dumps(data))
    version.refresh_from_db()

    draft = revert_office(office, version, by=admin_user)

    assert draft.profile_en == "The old text.\nTwo lines."


class TestMigration:
    """Migration offices 0015 normalises the stored text and marks the checks
    it finds as needing a re-check, moving no office's updated_at."""

    BEFORE = [("offices", "0014_content_stamp"), ("mandates", "0009_translations")]
    AFTER = [
        ("offices", "0015_translation_check_text"),
        ("mandates", "0010_prose_line_endings"),
    ]
    pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.process]

    @pytest.fixture(autouse=True)
    def latest_schema_afterwards(self):
        yield
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    def migrate_to(self, targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        executor.loader.build_graph()
        return executor.loader.project_state(targets).apps

    def test_text_is_normalised_and_checks_need_a_recheck(self):
        apps = self.migrate_to(self.BEFORE)
        Office = apps.get_model("offices", "Office")
        office = Office.objects.create(
            name_en="UN Human Rights in Iraq",
            name="UN Human Rights in Iraq",
            slug="iraq",
            region="mena",
            engagement_type="country_office",
            year_established=2003,
            profile_en=crlf(PROFILE),
            profile_fr="Un.\r\nDeux.",
            achievements_en="One\rTwo",
        )
        mandate = apps.get_model("mandates", "Mandate").objects.create(
            office=office, kind="security_council", title_en="R", summary_en="a\r\nb"
        )
        apps.get_model("offices", "TranslationCheck").objects.create(
            office=office,
            language="fr",
            checked_at=office.updated_at,
            english_digest="0" * 32,
        )
        updated_at = Office.objects.get(pk=office.pk).updated_at

        apps = self.migrate_to(self.AFTER)

        office = apps.get_model("offices", "Office").objects.get(pk=office.pk)
        assert (office.profile_en, office.profile_fr, office.achievements_en) == (
            PROFILE,
            "Un.\nDeux.",
            "One\nTwo",
        )
        assert office.updated_at == updated_at
        mandate = apps.get_model("mandates", "Mandate").objects.get(pk=mandate.pk)
        assert mandate.summary_en == "a\nb"
        check = apps.get_model("offices", "TranslationCheck").objects.get()
        assert (check.english_digest, check.english_text) == ("", None)

        # Reversible: back to 0014 (the text stays normalised).
        self.migrate_to(self.BEFORE)

"""The English text a translation is checked against: the same bytes in every
process, in SQL and in Python, and kept with each check."""

import datetime
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from hrprofile.translations import translated_fields
from mandates.models import Mandate
from offices import freshness
from offices.demo import load_demo
from offices.models import (
    OFFICE_TEXT_FIELDS,
    TEXT_ROWS,
    FieldOffice,
    Office,
    TranslationState,
    english_fingerprint,
)
from offices.reviews import send_reminders
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# What one process computes: its translated fields' order and the SQL of the
# fingerprint. Run under several hash seeds, it must print the same.
PROBE = """
import django, json
django.setup()
from hrprofile.translations import translated_fields
from offices.models import FieldOffice, Office
from mandates.models import Mandate
print(json.dumps({
    "fields": [list(translated_fields(m)) for m in (Office, FieldOffice, Mandate)],
    "sql": str(Office.objects.with_english_digest().values("english_digest").query),
}))
"""


def probe(seed):
    env = {
        **os.environ,
        "PYTHONHASHSEED": str(seed),
        "DJANGO_SETTINGS_MODULE": "hrprofile.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def sql_digest(office):
    return Office.objects.with_english_digest().get(pk=office.pk).english_digest


def python_digest(office):
    office = Office.objects.prefetch_related("field_offices", "mandates").get(
        pk=office.pk
    )
    return english_fingerprint(office.english_text())


@pytest.mark.process
def test_the_fingerprint_is_the_same_in_every_process():
    # A restart (a deploy, the reminders' cron) must not turn a checked
    # translation "out of date": nothing may follow a set's hash order.
    first, *others = [probe(seed) for seed in (1, 2, 3, 4)]

    assert all(other == first for other in others)
    assert first["fields"][0] == list(OFFICE_TEXT_FIELDS)


def test_translated_fields_come_in_the_models_order():
    assert translated_fields(Office) == OFFICE_TEXT_FIELDS
    assert translated_fields(FieldOffice) == ("name", "note")
    assert translated_fields(Mandate) == ("title", "summary")


def test_the_fingerprint_covers_every_translated_field():
    assert set(OFFICE_TEXT_FIELDS) == set(translated_fields(Office))
    for rows in TEXT_ROWS:
        model = Office._meta.get_field(rows.relation).related_model
        assert set(rows.fields) == set(translated_fields(model))


def test_sql_and_python_give_the_same_bytes_for_every_demo_office():
    load_demo()
    offices = list(Office.objects.all())
    assert len(offices) >= 10

    for office in offices:
        assert sql_digest(office) == python_digest(office), office.slug


def test_sql_and_python_agree_on_ties_nulls_and_any_script():
    office = OfficeFactory(profile="Line one.\n\nLine two — «ok» 人权")
    # Same position: ordered by their English text, code point by code point
    # (not by the database's collation, which Python does not know).
    FieldOfficeFactory(office=office, name="Zakho", position=1)
    FieldOfficeFactory(office=office, name="Érbil", position=1, note="north")
    FieldOfficeFactory(office=office, name="erbil", position=1)
    FieldOfficeFactory(office=office, name="Mosul", position=5, is_head_office=True)
    MandateFactory(office=office, title="B", position=0)
    MandateFactory(office=office, title="A", position=0, summary="Some text.")

    assert sql_digest(office) == python_digest(office)
    text = dict(office.english_text())
    assert text["field_offices.1.name"] == "Mosul"
    assert [text[f"field_offices.{n}.name"] for n in (2, 3, 4)] == [
        "Zakho",
        "erbil",
        "Érbil",
    ]
    assert text["mandates.1.title"] == "A"
    assert text["year_established_note"] == ""


def test_rows_count_by_position_and_text_not_by_primary_key():
    # A draft copy's rows are new rows: the same text gives the same print.
    first = OfficeFactory(name="UN Human Rights in Iraq", slug="iraq")
    second = OfficeFactory(name="UN Human Rights in Iraq", slug="iraq-copy")
    for name in ("Baghdad", "Erbil"):
        FieldOfficeFactory(office=first, name=name, position=0)
    for name in ("Erbil", "Baghdad"):
        FieldOfficeFactory(office=second, name=name, position=0)

    assert sql_digest(first) == sql_digest(second)


def test_each_field_is_named_in_what_is_hashed():
    # The same words moved from one field to the next are a change.
    one = OfficeFactory(year_established_note="", field_offices_note="x")
    two = OfficeFactory(year_established_note="x", field_offices_note="")

    assert sql_digest(one) != sql_digest(two)


def test_a_check_keeps_the_english_text_it_was_made_against():
    office = OfficeFactory(
        name="UN Human Rights in Iraq", profile="The Office works.", name_fr="ONU"
    )
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)

    check = freshness.mark_translation_checked(office, "fr", by=UserFactory())

    check.refresh_from_db()
    assert check.english_text["name"] == "UN Human Rights in Iraq"
    assert check.english_text["profile"] == "The Office works."
    assert check.english_text["field_offices.1.name"] == "Baghdad"
    assert check.english_text == dict(office.english_text())
    assert check.english_digest == sql_digest(office)


def test_a_check_made_before_the_text_was_kept_needs_a_recheck():
    office = OfficeFactory(name_fr="ONU", status=Office.Status.PUBLISHED)
    check = freshness.mark_translation_checked(office, "fr", by=UserFactory())
    # As migration 0015 leaves the checks it found.
    type(check).objects.filter(pk=check.pk).update(english_digest="", english_text=None)

    statuses = {s.language: s for s in office.translation_statuses()}
    assert statuses["fr"].state == TranslationState.NEEDS_RECHECK
    assert statuses["fr"].needs_check
    assert set(Office.objects.translation_out_of_date("fr")) == {office}
    assert set(Office.objects.translation_needs_recheck("fr")) == {office}
    [item] = freshness.outdated_translations(Office.objects.all())
    assert item.state == TranslationState.NEEDS_RECHECK


# A check that needs a re-check, where editors and reviewers look


@pytest.fixture
def legacy_check(db):
    """An office whose French check predates the kept text (as migration 0015
    leaves it), reviewed by alice."""
    alice = UserFactory(username="alice", email="alice@example.org", is_staff=True)
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        name_fr="ONU Droits de l'homme en Irak",
        status=Office.Status.PUBLISHED,
        reviewers=[alice],
    )
    check = freshness.mark_translation_checked(office, "fr", by=alice)
    type(check).objects.filter(pk=check.pk).update(english_digest="", english_text=None)
    return office


def test_the_status_table_says_needs_a_recheck(admin_client, legacy_check):
    page = admin_client.get(
        reverse("admin:offices_office_change", args=[legacy_check.pk])
    ).content.decode()

    row = page[page.index('id="translation-fr"') :]
    row = row[: row.index("</tr>")]
    assert "<strong>Needs a re-check</strong>" in row


def test_the_list_filter_finds_checks_to_redo(admin_client, legacy_check):
    fresh = OfficeFactory(name_fr="ONU Syrie", status=Office.Status.PUBLISHED)
    freshness.mark_translation_checked(fresh, "fr", by=UserFactory())
    changelist = reverse("admin:offices_office_changelist")

    recheck = admin_client.get(changelist, {"translation_needs_recheck": "fr"})
    to_check = admin_client.get(changelist, {"translation_out_of_date": "fr"})

    assert list(recheck.context["cl"].result_list) == [legacy_check]
    assert list(to_check.context["cl"].result_list) == [legacy_check]


def test_the_dashboard_and_schedule_say_needs_a_recheck(client, legacy_check):
    alice = legacy_check.reviewers.get()
    alice.user_permissions.set(
        Permission.objects.filter(content_type__app_label="offices")
    )
    client.force_login(alice)

    desk = client.get(reverse("admin:index")).content.decode()
    schedule = client.get(
        reverse("admin:offices_office_review_schedule")
    ).content.decode()

    assert "UN Human Rights in Iraq: French needs a re-check" in desk
    assert "UN Human Rights in Iraq</a> (needs a re-check)" in schedule


def test_the_reminders_say_needs_a_recheck(reminder_settings, legacy_check):
    send_reminders(as_of=datetime.date(2026, 6, 1), translations=True)

    [email] = mail.outbox
    assert "- UN Human Rights in Iraq (needs a re-check)" in email.body
    assert "needs a re-check" in email.alternatives[0][0]

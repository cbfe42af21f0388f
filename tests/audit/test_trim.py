"""manage.py trim_failed_logins: old failed-login entries go, the rest stays."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditEntry
from tests.factories import OfficeFactory

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action


def entry(action, days_ago, obj):
    made = AuditEntry.objects.record(action, obj)
    AuditEntry.objects.filter(pk=made.pk).update(
        timestamp=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return made


@pytest.fixture
def trail():
    office = OfficeFactory()
    return {
        "old failure": entry(Action.LOGIN_FAILED, 181, office),
        "recent failure": entry(Action.LOGIN_FAILED, 179, office),
        "old publication": entry(Action.PUBLISH, 2000, office),
        "old login": entry(Action.LOGIN, 2000, office),
    }


def kept():
    return set(AuditEntry.objects.values_list("pk", flat=True))


def test_failed_logins_older_than_the_setting_are_deleted(trail, settings):
    settings.AUDIT_FAILED_LOGINS_KEPT_DAYS = 180
    out = StringIO()

    call_command("trim_failed_logins", stdout=out)

    assert trail["old failure"].pk not in kept()
    assert trail["recent failure"].pk in kept()
    assert out.getvalue().strip() == (
        "Deleted 1 failed-login entry older than 180 days."
    )


def test_every_other_entry_is_kept_however_old(trail):
    call_command("trim_failed_logins", stdout=StringIO())

    assert {trail["old publication"].pk, trail["old login"].pk} <= kept()


def test_the_period_is_a_setting(trail, settings):
    settings.AUDIT_FAILED_LOGINS_KEPT_DAYS = 30

    call_command("trim_failed_logins", stdout=StringIO())

    assert trail["recent failure"].pk not in kept()


def test_a_rerun_deletes_nothing_more(trail):
    call_command("trim_failed_logins", stdout=StringIO())
    out = StringIO()

    call_command("trim_failed_logins", stdout=out)

    assert "Deleted 0 failed-login entries" in out.getvalue()


@pytest.mark.parametrize("days", [0, -5])
def test_a_period_below_one_day_is_refused_and_deletes_nothing(trail, settings, days):
    settings.AUDIT_FAILED_LOGINS_KEPT_DAYS = days
    before = kept()

    with pytest.raises(CommandError, match="must be 1 or more"):
        call_command("trim_failed_logins", stdout=StringIO())

    assert kept() == before

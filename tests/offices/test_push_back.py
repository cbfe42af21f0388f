"""The "Push back review…" action: many deferrals at once, within each limit."""

import datetime

import pytest
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from offices.models import ReviewRecord
from tests.factories import OfficeFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:offices_office_changelist")
REASON = "Waiting for the new mandate resolution"


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def push_back(client, offices, **data):
    return client.post(
        CHANGELIST,
        {
            "action": "push_back_review",
            helpers.ACTION_CHECKBOX_NAME: [o.pk for o in offices],
            **data,
        },
    )


@pytest.fixture
def offices(db):
    return [
        OfficeFactory(name="UN Human Rights in Iraq", review_interval_months=12),
        OfficeFactory(name="UN Human Rights in Syria", review_interval_months=6),
    ]


def test_the_action_asks_for_a_date_and_a_reason(admin_client, offices):
    response = push_back(admin_client, offices)

    assert response.status_code == 200
    assert response.templates[0].name == "admin/offices/office/push_back_review.html"
    assert "UN Human Rights in Iraq" in response.text
    assert 'name="until"' in response.text
    assert 'name="reason"' in response.text
    assert not ReviewRecord.objects.exists()


def test_push_back_defers_each_office_with_a_record_and_an_audit_entry(
    admin_client, admin_user, offices
):
    until = in_days(60)

    response = push_back(
        admin_client, offices, apply="yes", until=until.isoformat(), reason=REASON
    )

    assert response.status_code == 302
    for office in offices:
        office.refresh_from_db()
        assert office.deferred_until == until
        record = office.review_records.get()
        assert (
            record.kind,
            record.deferred_until,
            record.note,
            record.reviewed_by,
        ) == (
            ReviewRecord.Kind.DEFERRED,
            until,
            REASON,
            admin_user,
        )
        assert AuditEntry.objects.filter(
            action=AuditEntry.Action.DEFER, office_id=office.pk
        ).exists()
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("2 offices are pushed back" in m for m in messages)


def test_a_date_too_far_for_one_office_defers_none(admin_client, offices):
    # Syria's interval is six months: seven months is past its limit only.
    until = in_days(7 * 31)

    response = push_back(
        admin_client, offices, apply="yes", until=until.isoformat(), reason=REASON
    )

    assert response.status_code == 200
    assert "Too far for: UN Human Rights in Syria." in response.text
    assert "UN Human Rights in Iraq." not in response.text
    assert not ReviewRecord.objects.exists()


def test_the_limit_itself_is_allowed(admin_client, offices):
    until = min(o.latest_deferral(timezone.localdate()) for o in offices)

    push_back(
        admin_client, offices, apply="yes", until=until.isoformat(), reason=REASON
    )

    assert ReviewRecord.objects.count() == 2


@pytest.mark.parametrize(
    ("until", "reason", "error"),
    [
        (0, REASON, "Choose a date after today."),
        (-3, REASON, "Choose a date after today."),
        (30, "", "This field is required."),
        (None, REASON, "This field is required."),
    ],
)
def test_bad_input_defers_nothing(admin_client, offices, until, reason, error):
    response = push_back(
        admin_client,
        offices,
        apply="yes",
        until="" if until is None else in_days(until).isoformat(),
        reason=reason,
    )

    assert response.status_code == 200
    assert error in response.text
    assert not ReviewRecord.objects.exists()


def test_editors_push_back_only_the_offices_they_review(
    client, limited_editor, offices
):
    offices[0].reviewers.add(limited_editor)
    client.force_login(limited_editor)

    push_back(
        client, offices, apply="yes", until=in_days(30).isoformat(), reason=REASON
    )

    assert [r.office for r in ReviewRecord.objects.all()] == [offices[0]]

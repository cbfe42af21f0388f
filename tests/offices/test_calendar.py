"""The reviewer's private calendar feed (iCalendar, RFC 5545)."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from offices import calendar, editorial
from offices.models import CalendarFeed
from tests.factories import OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db

SCHEDULE = reverse("admin:offices_office_review_schedule")
RESET = reverse("admin:offices_office_reset_calendar")


@pytest.fixture
def reviewer(db):
    return UserFactory(username="amina")


@pytest.fixture
def feed(reviewer):
    return calendar.reset_feed(reviewer)


def events(response):
    parsed = Calendar.from_ical(response.content)
    return {str(e["summary"]): e for e in parsed.walk("VEVENT")}


def test_the_feed_parses_and_has_one_event_per_office_reviewed(
    client, reviewer, feed, site_url
):
    iraq = OfficeFactory(
        name="Iraq office",
        last_reviewed=datetime.date(2025, 5, 1),
        reviewers=[reviewer],
    )
    OfficeFactory(name="Syria office", reviewers=[UserFactory()])

    response = client.get(calendar.feed_path(feed))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    found = events(response)
    assert list(found) == ["Review due: Iraq office"]
    event = found["Review due: Iraq office"]
    assert event.decoded("dtstart") == datetime.date(2026, 5, 1)
    admin_url = site_url + reverse("admin:offices_office_change", args=[iraq.pk])
    assert str(event["url"]) == admin_url
    assert admin_url in str(event["description"])
    assert str(event["uid"]) == f"office-{iraq.pk}-review@profiles.example.org"


def test_a_deferral_moves_the_event(client, reviewer, feed):
    until = timezone.localdate() + datetime.timedelta(days=40)
    OfficeFactory(
        name="Iraq office",
        last_reviewed=datetime.date(2020, 1, 1),
        deferred_until=until,
        reviewers=[reviewer],
    )

    event = events(client.get(calendar.feed_path(feed)))["Review due: Iraq office"]

    assert event.decoded("dtstart") == until


def test_never_reviewed_offices_are_due_since_created(client, reviewer, feed):
    office = OfficeFactory(name="New office", last_reviewed=None, reviewers=[reviewer])

    event = events(client.get(calendar.feed_path(feed)))["Review due: New office"]

    assert event.decoded("dtstart") == timezone.localdate(office.created_at)


def test_closed_drafts_copies_and_deleted_offices_are_left_out(
    client, reviewer, feed, admin_user
):
    live = OfficeFactory(name="Live", reviewers=[reviewer])
    editorial.start_draft(live, by=admin_user)
    OfficeFactory(
        name="Closed", closed_on=datetime.date(2024, 1, 1), reviewers=[reviewer]
    )
    OfficeFactory(name="Deleted", deleted_at=timezone.now(), reviewers=[reviewer])

    assert list(events(client.get(calendar.feed_path(feed)))) == ["Review due: Live"]


@pytest.mark.parametrize(
    "token",
    ["", "0" * 64, "not-a-token"],
)
def test_a_wrong_token_is_404(client, reviewer, feed, token):
    path = calendar.feed_path(feed).replace(calendar.token_for(feed), token or "x")

    assert client.get(path).status_code == 404


def test_another_users_token_is_404(client, reviewer, feed):
    other = calendar.reset_feed(UserFactory())
    path = reverse(
        "review_calendar",
        kwargs={"user_id": reviewer.pk, "token": calendar.token_for(other)},
    )

    assert client.get(path).status_code == 404


def test_no_feed_is_404(client, reviewer):
    path = reverse(
        "review_calendar", kwargs={"user_id": reviewer.pk, "token": "a" * 64}
    )

    assert client.get(path).status_code == 404


def test_a_deactivated_user_s_feed_is_404(client, reviewer, feed):
    reviewer.is_active = False
    reviewer.save()

    assert client.get(calendar.feed_path(feed)).status_code == 404


def test_the_token_is_not_stored(feed):
    token = calendar.token_for(feed)

    assert token not in feed.key
    assert not CalendarFeed.objects.filter(key__contains=token).exists()


def test_the_schedule_page_shows_the_address_and_a_reset_makes_the_old_one_404(
    client, reviewer, site_url
):
    reviewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_office", "change_office"])
    )
    client.force_login(reviewer)
    assert "Create my calendar address" in client.get(SCHEDULE).text

    client.post(RESET)
    old = CalendarFeed.objects.get(user=reviewer)
    old_url = calendar.feed_url(old)
    assert old_url.startswith(site_url)
    assert old_url in client.get(SCHEDULE).text
    assert client.get(calendar.feed_path(old)).status_code == 200

    response = client.post(RESET)

    assert response.status_code == 302
    new = CalendarFeed.objects.get(user=reviewer)
    assert client.get(calendar.feed_path(old)).status_code == 404
    assert client.get(calendar.feed_path(new)).status_code == 200
    assert calendar.feed_url(new) in client.get(SCHEDULE).text


def test_reset_needs_a_post(admin_client):
    assert admin_client.get(RESET).status_code == 405


def test_the_feed_answers_in_constant_queries(
    client, reviewer, feed, django_assert_max_num_queries
):
    for _ in range(10):
        OfficeFactory(reviewers=[reviewer])

    with django_assert_max_num_queries(2):
        client.get(calendar.feed_path(feed))

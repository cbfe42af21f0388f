"""Review due dates as a private iCalendar feed (RFC 5545), one per reviewer.

A reviewer subscribes to their feed's address in Outlook, Google Calendar or
Apple Calendar: one all-day event per office they review, on its next review
date, linking to the office's admin page. The address carries the user's id
and a token: HMAC(SECRET_KEY, user id and the feed's random key). Nothing
secret is stored (the key alone opens nothing), the token is compared in
constant time, and a reset draws a new key so the old address answers 404.
"""

import datetime
import hmac
import secrets

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from icalendar import Calendar, Event

from hrprofile.links import admin_change_url
from offices.models import CalendarFeed, Office

SALT = "hrprofile.offices.calendar"

# Calendar programs poll a subscription; they are asked to do so twice a day.
REFRESH_INTERVAL = datetime.timedelta(hours=12)


def token_for(feed):
    return salted_hmac(
        SALT, f"{feed.user_id}:{feed.key}", algorithm="sha256"
    ).hexdigest()


def reset_feed(user):
    """Give user a feed with a fresh key (creating it): the old address stops."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"key": secrets.token_hex(32)}
    )
    return feed


def feed_path(feed):
    return reverse(
        "review_calendar", kwargs={"user_id": feed.user_id, "token": token_for(feed)}
    )


def feed_url(feed):
    """The address to subscribe to: absolute, on SITE_URL."""
    return settings.SITE_URL + feed_path(feed)


def feed_for(user_id, token):
    """The feed this address opens, or None: unknown user, old or wrong token."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(user_id=user_id, user__is_active=True, user__is_staff=True)
        .first()
    )
    if feed is None:
        # Compare anyway, so a missing feed takes as long as a wrong token.
        hmac.compare_digest(token, token)
        return None
    return feed if hmac.compare_digest(token_for(feed), token) else None


def review_calendar(user, *, now=None):
    """The iCalendar of user's reviews: one event per open office they review."""
    now = now or timezone.now()
    offices = (
        Office.objects.live()
        .open()
        .with_next_review()
        .filter(reviewers=user)
        .order_by("name", "pk")
    )
    calendar = Calendar()
    calendar.add("prodid", "-//UN Human Rights//hrprofile review calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = gettext("Profile reviews")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH_INTERVAL)
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0]
    for office in offices:
        calendar.add_component(_event(office, now, host))
    return calendar


def _event(office, now, host):
    # Never reviewed: due since it was created, as for the reminders.
    due_on = office.next_review_on or timezone.localdate(office.created_at)
    admin_url = admin_change_url(office, office.pk, absolute=True)
    event = Event()
    # One UID per office: a new date moves the event instead of adding one.
    event.add("uid", f"office-{office.pk}-review@{host}")
    event.add("dtstamp", now)
    event.add("dtstart", due_on)
    event.add("dtend", due_on + datetime.timedelta(days=1))
    event.add("summary", gettext("Review due: %(office)s") % {"office": office.name})
    event.add(
        "description",
        gettext("Check the profile for accuracy and mark it as reviewed: %(url)s")
        % {"url": admin_url},
    )
    event.add("url", admin_url)
    event.add("transp", "TRANSPARENT")
    return event

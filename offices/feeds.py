import datetime
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from hrprofile.links import absolute_url
from hrprofile.translations import SOURCE_LANGUAGE
from offices.changelog import change_log
from offices.models import Office

# Control characters XML 1.0 cannot carry. Text pasted from word processors
# brings some along, and one of them would make the whole feed a server error.
XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# The date in the feed's own tag: URI id. Readers know the feed by it: never
# change it.
FEED_TAG_DATE = datetime.date(2026, 1, 1)

# The newest entries of a change log its feed carries (fewer than a page of
# the log holds, so each entry's link is on the log's first page).
CHANGE_LOG_FEED_ENTRIES = 20


def xml_text(text):
    return XML_UNSAFE.sub("", text)


def tag_uri(date, specific):
    """An RFC 4151 tag: URI, an id that no host name, proxy or slug changes."""
    authority = getattr(settings, "FEED_TAG_AUTHORITY", "profiles.ohchr.org")
    return f"tag:{authority},{date.isoformat()}:{specific}"


class PlainTextAtomFeed(Atom1Feed):
    """Atom whose summaries are plain text (type="text").

    Django writes every summary as type="html", but ours are plain text: a
    reader would take "children <18" for the start of a tag and drop it.

    Under each language's prefix the feed is in that language (xml:lang on
    the feed); an entry or summary still in English, its translation
    missing, says so with an xml:lang of its own.
    """

    def item_attributes(self, item):
        attrs = super().item_attributes(item)
        if item.get("title_language"):
            attrs["xml:lang"] = item["title_language"]
        return attrs

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            attrs = {"type": "text"}
            if item.get("summary_language"):
                attrs["xml:lang"] = item["summary_language"]
            handler.addQuickElement("summary", item["description"], attrs)


class RecentProfilesFeed(Feed):
    """Profiles most recently updated or reviewed (a review bumps updated_at)."""

    feed_type = PlainTextAtomFeed
    title = _("UN Human Rights field presences: recently updated profiles")
    subtitle = _("Profiles of UN Human Rights field presences, newest changes first.")
    author_name = _("UN Human Rights")
    # Entry ids are tag: URIs, not the entries' addresses.
    item_guid_is_permalink = False

    # Absolute links on SITE_URL: Django would prefix the Host header.
    def link(self):
        return absolute_url(reverse("offices:index"))

    def feed_url(self):
        return absolute_url(reverse("offices:feed"))

    def item_link(self, office):
        return absolute_url(office.get_absolute_url())

    def feed_guid(self):
        # One feed per language, each with its own id.
        return tag_uri(FEED_TAG_DATE, f"feed:recent:{get_language()}")

    def items(self):
        return Office.objects.published().order_by("-updated_at", "name")[:20]

    def item_title(self, office):
        return xml_text(office.name)

    def item_description(self, office):
        return xml_text(office.summary)

    def item_guid(self, office):
        # The date in UTC, so a change of TIME_ZONE changes no id.
        created_on = office.created_at.astimezone(datetime.UTC).date()
        return tag_uri(created_on, f"office:{office.pk}")

    def item_extra_kwargs(self, office):
        # English shown in place of a missing translation (see Office.is_fallback).
        return {
            "title_language": SOURCE_LANGUAGE if office.is_fallback("name") else "",
            "summary_language": (
                SOURCE_LANGUAGE if office.is_fallback("profile") else ""
            ),
        }

    def item_pubdate(self, office):
        return office.created_at

    def item_updateddate(self, office):
        return office.updated_at


class ChangeLogFeed(Feed):
    """One profile's public change log (offices/changelog.py), newest first.

    Called with the published office (offices/changelog_views.py). Entries
    say what changed by section, never the text itself.
    """

    feed_type = PlainTextAtomFeed
    author_name = _("UN Human Rights")
    item_guid_is_permalink = False

    def get_object(self, request, office):
        return office

    def title(self, office):
        return xml_text(gettext("Changes to %(name)s") % {"name": office.name})

    def subtitle(self, office):
        return gettext("What changed in the public profile, newest first.")

    def link(self, office):
        return absolute_url(reverse("offices:changes", args=[office.slug]))

    def feed_url(self, office):
        return absolute_url(reverse("offices:changes_feed", args=[office.slug]))

    def feed_guid(self, office):
        return tag_uri(FEED_TAG_DATE, f"feed:changes:{office.pk}:{get_language()}")

    def items(self, office):
        # Each entry with its office: one Feed serves every request.
        return [
            (office, entry) for entry in change_log(office)[:CHANGE_LOG_FEED_ENTRIES]
        ]

    def item_title(self, item):
        return str(item[1].title)

    def item_description(self, item):
        return xml_text(item[1].summary) or str(item[1].title)

    def item_link(self, item):
        office, entry = item
        page = reverse("offices:changes", args=[office.slug])
        return absolute_url(f"{page}#{entry.key}")

    def item_guid(self, item):
        office, entry = item
        return tag_uri(FEED_TAG_DATE, f"office:{office.pk}:change:{entry.key}")

    def item_pubdate(self, item):
        return item[1].at

    def item_updateddate(self, item):
        return item[1].at

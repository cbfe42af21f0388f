import re

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from offices.models import Office

# Control characters XML 1.0 cannot carry. Text pasted from word processors
# brings some along, and one of them would make the whole feed a server error.
XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_text(text):
    return XML_UNSAFE.sub("", text)


class RecentProfilesFeed(Feed):
    """Profiles most recently updated or reviewed (a review bumps updated_at)."""

    feed_type = Atom1Feed
    title = _("UN Human Rights field presences: recently updated profiles")
    subtitle = _("Profiles of UN Human Rights field presences, newest changes first.")
    link = reverse_lazy("offices:index")
    author_name = _("UN Human Rights")

    def items(self):
        return Office.objects.published().order_by("-updated_at", "name")[:20]

    def item_title(self, office):
        return xml_text(office.name)

    def item_description(self, office):
        return xml_text(office.summary)

    def item_pubdate(self, office):
        return office.created_at

    def item_updateddate(self, office):
        return office.updated_at

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from hrprofile.i18n import X_DEFAULT_LANGUAGE
from mandates.models import Shift, SpotlightPopulation, ThematicPillar
from offices.models import Office


class SiteSitemap(Sitemap):
    """Locations on SITE_URL: Django's default is the request's Host header.

    Every page in every language (LANGUAGES), each naming the others and the
    English x-default as xhtml:link alternates, as its page head does.
    """

    i18n = True
    alternates = True
    x_default = True

    def get_protocol(self, protocol=None):
        return settings.SITE_URL.split("://", 1)[0]

    def get_domain(self, site=None):
        # Host and any path prefix: get_urls() writes protocol://domain/path.
        return settings.SITE_URL.split("://", 1)[1]

    def get_urls(self, page=1, site=None, protocol=None):
        # Django's x-default is the unprefixed address (a redirect by
        # Accept-Language); the pages' heads name the English page, and the
        # sitemap must say the same.
        urls = super().get_urls(page, site, protocol)
        for url in urls:
            by_language = {a["lang_code"]: a for a in url["alternates"]}
            if "x-default" in by_language:
                default = by_language[X_DEFAULT_LANGUAGE]["location"]
                by_language["x-default"]["location"] = default
        return urls


class IndexSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 1.0

    def items(self):
        return ["offices:index"]

    def location(self, item):
        return reverse(item)


class OfficeSitemap(SiteSitemap):
    """Each published profile, and its change log (offices/changelog_views.py)
    after it: one query for both."""

    changefreq = "monthly"
    # The change log's: below the profile's (0.8).
    PRIORITIES = {"offices:detail": 0.8, "offices:changes": 0.3}

    def items(self):
        # What an entry shows: its address and date (an office has 150 columns).
        offices = Office.objects.published().only("slug", "updated_at")
        return [
            (office, name)
            for office in offices.order_by("slug")
            for name in self.PRIORITIES
        ]

    def location(self, item):
        office, name = item
        return reverse(name, args=[office.slug])

    def priority(self, item):
        return self.PRIORITIES[item[1]]

    def lastmod(self, item):
        return item[0].updated_at


class TermSitemap(SiteSitemap):
    changefreq = "monthly"
    priority = 0.5

    def __init__(self, model):
        self.model = model

    def items(self):
        return self.model.objects.order_by("slug")


sitemaps = {
    "index": IndexSitemap,
    "offices": OfficeSitemap,
    "pillars": TermSitemap(ThematicPillar),
    "shifts": TermSitemap(Shift),
    "populations": TermSitemap(SpotlightPopulation),
}

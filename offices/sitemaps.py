from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from mandates.models import Shift, SpotlightPopulation, ThematicPillar
from offices.models import Office


class SiteSitemap(Sitemap):
    """Locations on SITE_URL: Django's default is the request's Host header."""

    def get_protocol(self, protocol=None):
        return settings.SITE_URL.split("://", 1)[0]

    def get_domain(self, site=None):
        # Host and any path prefix: get_urls() writes protocol://domain/path.
        return settings.SITE_URL.split("://", 1)[1]


class IndexSitemap(SiteSitemap):
    i18n = True
    changefreq = "weekly"
    priority = 1.0

    def items(self):
        return ["offices:index"]

    def location(self, item):
        return reverse(item)


class OfficeSitemap(SiteSitemap):
    i18n = True
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Office.objects.published().order_by("slug")

    def lastmod(self, office):
        return office.updated_at


class TermSitemap(SiteSitemap):
    i18n = True
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

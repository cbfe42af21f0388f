from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from mandates.models import Shift, SpotlightPopulation, ThematicPillar
from offices.models import Office


class IndexSitemap(Sitemap):
    i18n = True
    changefreq = "weekly"
    priority = 1.0

    def items(self):
        return ["offices:index"]

    def location(self, item):
        return reverse(item)


class OfficeSitemap(Sitemap):
    i18n = True
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Office.objects.published().order_by("slug")

    def lastmod(self, office):
        return office.updated_at


class TermSitemap(Sitemap):
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

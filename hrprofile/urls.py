from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.generic import TemplateView

from offices.sitemaps import sitemaps
from offices.views import PUBLIC_MAX_AGE

# Cached like the public pages they describe.
public = cache_control(public=True, max_age=PUBLIC_MAX_AGE)

admin.site.site_header = _("UN Human Rights profiles")
admin.site.site_title = _("UN Human Rights profiles")
admin.site.index_title = _("Profiles administration")

# "/" needs no view: LocaleMiddleware redirects it (like any unprefixed path)
# to the visitor's language, "/en/" for now. 404.html and 500.html are the
# branded error pages, rendered by Django's default handlers.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", public(sitemap), {"sitemaps": sitemaps}, name="sitemap"),
    path(
        "robots.txt",
        public(
            TemplateView.as_view(template_name="robots.txt", content_type="text/plain")
        ),
        name="robots",
    ),
]

urlpatterns += i18n_patterns(
    path("", include("mandates.urls")),
    path("", include("offices.urls")),
)

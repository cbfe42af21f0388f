from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

# The admin's User and Group pages (and failed logins) are set up in
# hrprofile/admin.py. Autodiscovery imports only the admin modules of
# INSTALLED_APPS, and hrprofile is configuration, not an app; the admin is
# reachable only through this URLconf, so importing it here runs it first.
import hrprofile.admin  # noqa: F401
from hrprofile.views import public_page, robots_txt
from offices.sitemaps import sitemaps
from offices.views import review_calendar

# "/" needs no view: LocaleMiddleware redirects it (like any unprefixed path)
# to the visitor's language, "/en/" for now. 404.html and 500.html are the
# branded error pages, rendered by Django's default handlers.
# An unreachable database answers 503 (branded, Retry-After), not 500. Under
# /api/ the same errors (a bad Host header included) are the API's JSON.
handler400 = "hrprofile.api.bad_request"
handler500 = "hrprofile.api.server_error"

urlpatterns = [
    # ADMIN_URL ("admin/" unless set): nothing else hard-codes the address.
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/", include("hrprofile.api_urls")),
    path(
        "sitemap.xml",
        # Its only parameter: the page of a long sitemap.
        public_page(sitemap, stored_by=["p"]),
        {"sitemaps": sitemaps},
        name="sitemap",
    ),
    path("robots.txt", robots_txt, name="robots"),
    # A reviewer's private feed: no language prefix, the token is the login.
    path(
        "calendar/<int:user_id>/<str:token>/reviews.ics",
        review_calendar,
        name="review_calendar",
    ),
]

urlpatterns += i18n_patterns(
    path("", include("mandates.urls")),
    path("", include("offices.urls")),
)

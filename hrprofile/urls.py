from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from hrprofile.pagecache import public_page
from hrprofile.views import robots_txt
from offices.models import LIST_SCOPE
from offices.sitemaps import sitemaps
from offices.views import review_calendar

# "/" needs no view: LocaleMiddleware redirects it (like any unprefixed path)
# to the visitor's language, "/en/" for now. 404.html and 500.html are the
# branded error pages, rendered by Django's default handlers.
# An unreachable database answers 503 (branded, Retry-After), not 500. Under
# /api/ the same errors (a bad Host header included) are the API's JSON.
handler400 = "hrprofile.api.errors.bad_request"
handler500 = "hrprofile.api.errors.server_error"

urlpatterns = [
    # ADMIN_URL ("admin/" unless set): nothing else hard-codes the address.
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/", include("hrprofile.api_urls")),
    path(
        "sitemap.xml",
        # Its only parameter: the page of a long sitemap.
        public_page(sitemap, stored_by=["p"], scope=LIST_SCOPE),
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

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("UN Human Rights profiles")
admin.site.site_title = _("UN Human Rights profiles")
admin.site.index_title = _("Profiles administration")

urlpatterns = [
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", include("mandates.urls")),
    path("", include("offices.urls")),
)

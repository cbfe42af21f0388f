from django.urls import path

from hrprofile.views import public_cache
from offices import views
from offices.feeds import RecentProfilesFeed

app_name = "offices"

urlpatterns = [
    # The home page is the index itself; its canonical link names offices/.
    path("", views.OfficeListView.as_view(), name="home"),
    path("offices/", views.OfficeListView.as_view(), name="index"),
    path("offices/<slug:slug>/", views.OfficeDetailView.as_view(), name="detail"),
    path(
        "feed/",
        public_cache(RecentProfilesFeed()),
        name="feed",
    ),
]

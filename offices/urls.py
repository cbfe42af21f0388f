from django.urls import path

from hrprofile.pagecache import public_page
from offices import changelog_views, views
from offices.feeds import RecentProfilesFeed
from offices.models import LIST_SCOPE

app_name = "offices"

urlpatterns = [
    # The home page is the index itself; its canonical link names offices/.
    path("", views.OfficeListView.as_view(), name="home"),
    path("offices/", views.OfficeListView.as_view(), name="index"),
    path("offices.csv", views.OfficeCsvView.as_view(), name="csv"),
    path("offices/<slug:slug>/", views.OfficeDetailView.as_view(), name="detail"),
    path("offices/<slug:slug>/draft/", views.OfficeDraftView.as_view(), name="draft"),
    path(
        "offices/<slug:slug>/changes/",
        changelog_views.OfficeChangesView.as_view(),
        name="changes",
    ),
    path(
        "offices/<slug:slug>/changes/feed/",
        changelog_views.OfficeChangesFeedView.as_view(),
        name="changes_feed",
    ),
    path(
        "feed/",
        # It reads no query parameter.
        public_page(RecentProfilesFeed(), stored_by=[], scope=LIST_SCOPE),
        name="feed",
    ),
]

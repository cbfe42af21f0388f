"""/api/: the read-only open-data API, version 1 (see hrprofile/api/).

Outside i18n_patterns: an API address does not change with the language.
Anything else under /api/ is the API's JSON 404, never the HTML page.
"""

from django.urls import path, re_path

from hrprofile.api import ApiRootView, DocsView, NotFoundView, SchemaView
from mandates.api import PillarListView, PopulationListView, ShiftListView, TagListView
from offices.api import OfficeDetailView, OfficeListView

app_name = "api"

urlpatterns = [
    path("v1/", ApiRootView.as_view(), name="root"),
    path("v1/offices/", OfficeListView.as_view(), name="office-list"),
    path("v1/offices/<slug:slug>/", OfficeDetailView.as_view(), name="office-detail"),
    path("v1/pillars/", PillarListView.as_view(), name="pillar-list"),
    path("v1/shifts/", ShiftListView.as_view(), name="shift-list"),
    path("v1/populations/", PopulationListView.as_view(), name="population-list"),
    path("v1/tags/", TagListView.as_view(), name="tag-list"),
    path("v1/schema/", SchemaView.as_view(), name="schema"),
    path("v1/docs/", DocsView.as_view(), name="docs"),
    re_path(r"", NotFoundView.as_view(), name="not-found"),
]

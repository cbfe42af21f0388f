from django.urls import path

from mandates import views

app_name = "mandates"

urlpatterns = [
    path("pillars/<slug:slug>/", views.PillarDetailView.as_view(), name="pillar"),
    path("shifts/<slug:slug>/", views.ShiftDetailView.as_view(), name="shift"),
    path(
        "populations/<slug:slug>/",
        views.PopulationDetailView.as_view(),
        name="population",
    ),
]

from django.urls import path

from offices import views

app_name = "offices"

urlpatterns = [
    path("offices/", views.OfficeListView.as_view(), name="index"),
    path("offices/<slug:slug>/", views.OfficeDetailView.as_view(), name="detail"),
]

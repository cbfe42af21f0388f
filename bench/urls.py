"""hrprofile's URLs plus /bench/ok, the bare view (bench/settings.py)."""

from django.http import HttpResponse
from django.urls import path

from hrprofile import urls

handler500 = urls.handler500


def ok(request):
    return HttpResponse("ok")


urlpatterns = [*urls.urlpatterns, path("bench/ok", ok)]

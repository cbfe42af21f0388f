"""hrprofile's URLs plus /bench/ok, the bare view (bench/settings.py).

And one hook for bench/pages.py's "cold" loads: a request with X-Bench-Cold
renders the index's search, filters and results instead of reading them from
the cache (offices.views.stored_fragment), as the first reader after an edit
does. Everything else is hrprofile's own.
"""

from django.http import HttpResponse
from django.urls import path

from hrprofile import urls
from offices import views

handler500 = urls.handler500


def ok(request):
    return HttpResponse("ok")


def stored_fragment(request, version, render, *variants, _stored=views.stored_fragment):
    if "X-Bench-Cold" in request.headers:
        return render()
    return _stored(request, version, render, *variants)


views.stored_fragment = stored_fragment

urlpatterns = [*urls.urlpatterns, path("bench/ok", ok)]

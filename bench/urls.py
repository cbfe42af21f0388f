"""hrprofile's URLs plus /bench/ok, the bare view (bench/settings.py).

And one hook for bench/pages.py's "cold" loads: a request with X-Bench-Cold
renders what is otherwise stored apart from the page (hrprofile.pagecache.
stored_value: the index's search and results, a term page's offices, the
sitemap, the feed) instead of reading it from the cache, as the first reader
after an edit does. Everything else is hrprofile's own.
"""

from django.http import HttpResponse
from django.urls import path

from hrprofile import pagecache, urls

handler500 = urls.handler500


def ok(request):
    return HttpResponse("ok")


def stored_value(request, version, make, *variants, _stored=pagecache.stored_value):
    if "X-Bench-Cold" in request.headers:
        return make()
    return _stored(request, version, make, *variants)


pagecache.stored_value = stored_value

urlpatterns = [*urls.urlpatterns, path("bench/ok", ok)]

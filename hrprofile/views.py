"""The project's own page: robots.txt (every other page is an app's)."""

from django.shortcuts import render
from django.urls import reverse

from hrprofile.links import absolute_url
from hrprofile.pagecache import public_cache


@public_cache
def robots_txt(request):
    return render(
        request,
        "robots.txt",
        {"sitemap_url": absolute_url(reverse("sitemap"))},
        content_type="text/plain",
    )

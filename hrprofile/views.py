"""What every public page shares: its cache policy, in one place."""

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.cache import cache_control

PUBLIC_MAX_AGE = 300  # seconds; an edit shows publicly within five minutes

# For the function views and feeds (sitemap, robots.txt, the Atom feed).
public_cache = cache_control(public=True, max_age=PUBLIC_MAX_AGE)


def too_many_requests(request, retry_after):
    """The branded 429: when to come back, never stored by any cache."""
    response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response


class PublicPageMixin:
    """Public pages are cached by browsers and proxies.

    A response that depends on who is asking (a staff preview) is never cached.
    """

    is_preview = False

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if self.is_preview or response.status_code not in (200, 304):
            add_never_cache_headers(response)
        else:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        return response

    def get_canonical_path(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            canonical_url=self.request.build_absolute_uri(self.get_canonical_path()),
            **kwargs,
        )

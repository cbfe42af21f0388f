"""Project-wide middleware."""

from django.conf import settings
from django.middleware.csp import get_nonce
from django.utils.cache import add_never_cache_headers


def _is_public(response):
    directives = response.get("Cache-Control", "").split(",")
    return any(d.strip().lower() == "public" for d in directives)


class StaffSessionIdleMiddleware:
    """Keep a signed-in user's session alive while they work, and only then.

    Each request of a signed-in user saves the session, which pushes its
    expiry SESSION_COOKIE_AGE ahead: the session ends after that much idle
    time. Not SESSION_SAVE_EVERY_REQUEST, which would also touch the sessions
    of anonymous visitors. Responses that proxies may store for everyone
    (Cache-Control: public) never carry the session cookie: a shared cache
    would hand it to the next visitor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No session cookie, no session: anonymous pages stay free of a
        # session lookup (and of "Vary: Cookie").
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and request.user.is_authenticated
            and not _is_public(response)
        ):
            request.session.modified = True
        return response


class NoncePagesNeverCachedMiddleware:
    """A page whose CSP nonce was used is never stored by any cache.

    A nonce works only while it is unguessable: a cached page would replay the
    same one to everyone. Put after (inside) ContentSecurityPolicyMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # LazyNonce is truthy only once something has rendered it.
        if get_nonce(request):
            add_never_cache_headers(response)
        return response

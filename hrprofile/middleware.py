"""Project-wide middleware."""

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.middleware.csp import ContentSecurityPolicyMiddleware, get_nonce
from django.utils.cache import add_never_cache_headers
from django.utils.csp import CSP, build_policy
from django.utils.functional import SimpleLazyObject, empty

from hrprofile.pagecache import is_public
from hrprofile.people import may_be_signed_in


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
            may_be_signed_in(request)
            and request.user.is_authenticated
            and not is_public(response)
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


class PolicyMiddleware(ContentSecurityPolicyMiddleware):
    """Django's Content-Security-Policy middleware, which writes a policy
    without nonce once per process: Django's builds it again for every
    answer. An answer whose nonce was used gets its own, as before.

    A policy is kept by its configuration's identity (settings.SECURE_CSP,
    or a view's own from csp_override): override_settings and every view's
    policy are other objects.
    """

    KEPT = 32  # policies kept, more than the site's views set

    def __init__(self, get_response):
        super().__init__(get_response)
        self._built = {}  # id(config): (config, its policy without nonce)

    def process_response(self, request, response):
        nonce = get_nonce(request)
        for header, config in [
            (CSP.HEADER_ENFORCE, getattr(response, "_csp_config", _UNSET)),
            (CSP.HEADER_REPORT_ONLY, getattr(response, "_csp_ro_config", _UNSET)),
        ]:
            if config is _UNSET:
                config = getattr(settings, _SETTINGS[header])
            # As Django's: a view's own header stays, an empty policy adds none.
            if config and header not in response:
                response.headers[str(header)] = self._policy(config, nonce)
        return response

    def _policy(self, config, nonce):
        if nonce:
            return build_policy(config, nonce)
        kept = self._built.get(id(config))
        if kept is None or kept[0] is not config:
            if len(self._built) >= self.KEPT:
                self._built.clear()
            kept = self._built[id(config)] = (config, build_policy(config))
        return kept[1]


_UNSET = object()
_SETTINGS = {
    CSP.HEADER_ENFORCE: "SECURE_CSP",
    CSP.HEADER_REPORT_ONLY: "SECURE_CSP_REPORT_ONLY",
}


class LazyMessageMiddleware(MessageMiddleware):
    """Django's messages middleware, whose storage is made when a message is
    read or added: making it (a cookie signer, the session's storage too) was
    a tenth of an anonymous reader's stored page, which does neither."""

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response  # nothing read, nothing added: nothing to store
        return super().process_response(request, response)

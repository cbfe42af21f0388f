"""The page cache: public pages and their costly parts, stored for anonymous readers.

Every stored page and part is keyed by the content version (one small query:
settings.PAGE_VERSION names the function that reads it, in the app that owns
the content), the release of the code, the language and the address, so an
edit makes new keys and nothing is ever deleted. Browsers and proxies get the
same version as an ETag, and Cache-Control for a short while.
"""

import dataclasses
import functools
import hashlib
import logging
import threading
from pathlib import Path

import django
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
)
from django.utils.http import http_date
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control

from hrprofile.cache import CacheUnavailable
from hrprofile.i18n import alternate_paths, open_graph_locales
from hrprofile.links import absolute_url
from hrprofile.people import may_be_signed_in
from hrprofile.queries import PLACEHOLDERS, compile_with_placeholder, with_value

logger = logging.getLogger(__name__)

# Browsers may keep a public page this long (seconds); within it they
# revalidate for free (a 304 costs one small query).
PUBLIC_MAX_AGE = 300
# A shared cache (the edge cache of deploy/nginx/, a CDN) keeps it a second,
# then asks again with its ETag: a publish, an unpublish or a delete shows
# within two. While it asks, it serves what it has (stale-while-revalidate);
# when the app fails, it serves that for a day (stale-if-error).
PUBLIC_CACHE_CONTROL = {
    "public": True,
    "max_age": PUBLIC_MAX_AGE,
    "s_maxage": 1,
    "stale_while_revalidate": 60,
    "stale_if_error": 24 * 60 * 60,
}

# For a page with no database content (robots.txt).
public_cache = cache_control(**PUBLIC_CACHE_CONTROL)


def absolute_static(path):
    """The absolute URL of a static file (an Open Graph image)."""
    url = static(path)
    return url if "://" in url else absolute_url(url)


@functools.cache
def _version_reader():
    return import_string(settings.PAGE_VERSION)


@receiver(setting_changed)
def _forget_version_reader(setting, **kwargs):
    if setting == "PAGE_VERSION":
        _version_reader.cache_clear()


def content_version(page=None, scope=None):
    """The version of what the public pages show, from the function that
    settings.PAGE_VERSION names (a ContentVersion: its etag(), last_modified
    and page_exists).

    page: (sql, params) of a query for the primary key of the row a page is
    about (PageLookup.sql_with_params); whether it exists is asked in the
    same query.
    scope: what the page shows, as that function names it (None: all the
    public content), so that an edit elsewhere leaves the page stored.
    """
    return _version_reader()(page, scope)


# How long the server's cache keeps a page. Its key names the content version,
# which holds today's date, so a stored page is never read after midnight.
PAGE_CACHE_TIMEOUT = 24 * 60 * 60


def _release():
    """A fingerprint of what renders the pages: the code, templates,
    translations and hashed static file names.

    It is part of every page's cache key and ETag: the cache (Redis) outlives a
    deploy, and a page the old code rendered must not be served or confirmed
    as current by the new one.
    """
    digest = hashlib.blake2b(django.__version__.encode(), digest_size=8)
    for folder in ["hrprofile", "offices", "mandates", "templates", "locale"]:
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".txt", ".xml", ".mo"}:
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()


RELEASE = _release()
# No page is older than the process serving it, so If-Modified-Since alone
# never confirms a copy that older code rendered.
STARTED_AT = timezone.now()


def is_anonymous_read(request):
    """A GET or HEAD that is the same for everyone: served by the page cache.

    Without a session cookie nobody is signed in (so no staff preview), and
    knowing it costs no query; without a messages cookie there is no message
    to show.
    """
    return request.method in {"GET", "HEAD"} and not (
        may_be_signed_in(request) or CookieStorage.cookie_name in request.COOKIES
    )


def _personal(request):
    """Whether what was rendered for this request so far is this reader's own:
    it rendered a CSRF token or a CSP nonce, or wrote the session."""
    session = getattr(request, "session", None)
    return bool(
        request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or get_nonce(request)
        or (session is not None and session.modified)
    )


def _storable(request, response):
    """Whether this answer may be handed to the next anonymous reader."""
    return not (response.streaming or response.cookies or _personal(request))


def _cache_call(method, *args):
    """A page cache operation; a cache that is down only costs the rendering.

    The cache backend logs an outage once (hrprofile/cache.py); anything
    else that fails (a value that cannot be stored) is logged here.
    """
    try:
        return method(*args)
    except CacheUnavailable:
        return None
    except Exception:
        logger.warning("The page cache is unavailable", exc_info=True)
        return None


def _validators(version, language, full_path):
    """(ETag, Last-Modified) of an anonymous read of full_path.

    The ETag names the content version, the release, the language and the
    whole address (query string included). The page's links follow SITE_URL,
    not the Host header: one stored page answers every host name the site is
    reached by. Each process dates its answers no earlier than its own start
    (see STARTED_AT).
    """
    etag = version.etag(RELEASE, language, absolute_url(full_path))
    return etag, max(version.last_modified, STARTED_AT)


def _page_key(etag):
    return "public-page:" + etag.strip('"')


def _set_validators(response, etag, last_modified):
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(last_modified.timestamp())
    return response


@dataclasses.dataclass
class _Answered:
    """What versioned_page() did, for StoredPageMiddleware."""

    route: tuple | None  # (page, scope): how to ask for the version again
    language: str
    key: str
    rendered: bool  # rendered now (else read from the cache)


def versioned_page(request, respond, version, route=None):
    """An anonymous read: a 304, the stored page, or respond() stored.

    The cache key is the ETag (_validators): any edit makes a new key, and
    the old pages are simply never asked for again.

    route: (page, scope) the version was asked for, if StoredPageMiddleware
    may answer this address itself next time. Under that middleware a
    rendered page is stored by it, with the headers the whole stack added.
    """
    language = get_language()
    etag, last_modified = _validators(version, language, request.get_full_path())
    response = get_conditional_response(
        request, etag=etag, last_modified=int(last_modified.timestamp())
    )
    if response is None:
        key = _page_key(etag)
        stored = _cache_call(cache.get, key)
        if stored is not None:
            headers, content = stored
            response = HttpResponse(content, headers=headers)
            _remember_here(request, key)
        else:
            response = respond()
            if response.status_code != 200:
                return response  # a redirect: no validators, never stored
            if hasattr(response, "render"):
                response.render()
            if getattr(request, FRONT_DOOR, False):
                pass  # stored by StoredPageMiddleware, as the stack ends it
            elif _storable(request, response):
                stored = dict(response.items()), response.content
                _store_page(request, key, stored)
        request.page_answered = _Answered(route, language, key, stored is None)
    return _set_validators(response, etag, last_modified)


def known_version(request, page, scope):
    """The content version StoredPageMiddleware already asked for this
    request, if it is for the same page and scope; else one query."""
    known = getattr(request, "known_version", None)
    if known is not None and known[:2] == (page, scope):
        return known[2]
    return content_version(page, scope)


# Stored pages for a database outage. Each address (path and language) keeps
# the keys of its last stored answers, by query string, in the shared cache
# (where a withdrawal deletes them) and in this process (which saves a round
# trip): the fallback needs no query, and no content version.
LATEST_PREFIX = "public-latest:"
# Query strings kept per address (the index's selections), and addresses per
# process: both bounded, the oldest forgotten first.
LATEST_VARIANTS = 100
LATEST_IN_PROCESS = 5000
FALLBACK_HEADER = "X-Hrprofile-Fallback"
DATABASE_ERRORS = (OperationalError, InterfaceError)

_latest = {}  # pointer: {query string: key}, this process's copy
_latest_lock = threading.Lock()


def _pointer(path, language=None):
    """The shared cache key of an address's last stored answers."""
    name = f"{language or get_language()} {path}"
    return LATEST_PREFIX + hashlib.blake2b(name.encode(), digest_size=16).hexdigest()


def _bounded(mapping, limit):
    while len(mapping) > limit:
        mapping.pop(next(iter(mapping)), None)
    return mapping


def _remember_here(request, key):
    """This process's copy: the answer read or stored for this address."""
    pointer = _pointer(request.path)
    with _latest_lock:  # a threaded worker's requests share it
        variants = _latest.pop(pointer, {})
        variants[request.META.get("QUERY_STRING", "")] = key
        _latest[pointer] = _bounded(variants, LATEST_VARIANTS)
        _bounded(_latest, LATEST_IN_PROCESS)


def _store_page(request, key, stored):
    """Store a page, and name it as its address's last stored answer."""
    pointer = _pointer(request.path)
    variants = _cache_call(cache.get, pointer) or {}
    variants[request.META.get("QUERY_STRING", "")] = key
    entries = {key: stored, pointer: _bounded(variants, LATEST_VARIANTS)}
    _cache_call(cache.set_many, entries, PAGE_CACHE_TIMEOUT)
    _remember_here(request, key)


def _last_stored(request):
    """The last answer stored for this address, or None: the shared cache's
    entry decides (a withdrawn page has none); this process's copy of it
    lets one round trip read the entry and the page."""
    pointer = _pointer(request.path)
    variant = request.META.get("QUERY_STRING", "")
    with _latest_lock:
        here = _latest.get(pointer, {}).get(variant)
    try:
        found = cache.get_many([pointer, here] if here else [pointer])
        key = (found.get(pointer) or {}).get(variant)
        if key is None:
            return None
        return found[key] if key in found else cache.get(key)
    except Exception:  # the cache is out too, or the entry is unreadable
        return None


def stored_or_raise(request, error):
    """An anonymous read while the database is out: the page as last stored,
    marked for operators (FALLBACK_HEADER, a log line) and kept by nobody;
    else the database's error goes on to the branded 503 (errors.py).

    error: the database's error, raised again when there is no stored page.
    """
    stored = _last_stored(request) if is_anonymous_read(request) else None
    if stored is None:
        raise error
    headers, content = stored
    response = HttpResponse(content, headers=headers)
    response[FALLBACK_HEADER] = "stored"
    add_never_cache_headers(response)
    logger.warning(
        "The database is unavailable: %s answered from the stored page",
        request.get_full_path(),
    )
    return response


def forget_stored_pages(addresses):
    """A page was withdrawn (unpublished, deleted, moved): none of its stored
    answers may be served again in an outage. addresses: (language, path)
    of each of its addresses, in every language."""
    pointers = [_pointer(path, language) for language, path in addresses]
    with _latest_lock:
        for pointer in pointers:
            _latest.pop(pointer, None)
    _cache_call(cache.delete_many, pointers)


def stored_value(request, version, make, *variants):
    """Something rendered for anonymous readers, kept in the page cache as a
    whole page is: by the content version, the release, the language and
    whatever else it varies by (variants).

    For what is the same under many addresses (the index's search and results
    under any query string that asks the same) and costs the most to render.
    make() makes it when it isn't stored; it isn't stored if it turned out
    personal, or is None.
    """
    etag = version.etag(RELEASE, get_language(), *variants)
    key = "public-fragment:" + etag.strip('"')
    stored = _cache_call(cache.get, key)
    if stored is not None:
        return stored
    value = make()
    if value is not None and not _personal(request):
        _cache_call(cache.set, key, value, PAGE_CACHE_TIMEOUT)
    return value


def stored_fragment(request, version, render, *variants):
    """Part of a page (stored_value): render() gives its HTML."""
    return mark_safe(stored_value(request, version, lambda: str(render()), *variants))


def _stored_answer(request, version, respond, parameters):
    """A whole answer stored by its path and the query parameters it reads
    (stored_value): another query string renders nothing again. Only a 200
    is stored; anything else (a redirect, an error) is answered as it is."""
    answered = []

    def make():
        response = respond()
        answered.append(response)
        if hasattr(response, "render"):
            response.render()
        if response.status_code != 200 or not _storable(request, response):
            return None
        return dict(response.items()), response.content

    selection = [(name, request.GET.get(name, "")) for name in parameters]
    stored = stored_value(request, version, make, "answer", request.path, selection)
    if answered:
        return answered[0]
    headers, content = stored
    return HttpResponse(content, headers=headers)


def public_page(view, stored_by=None, scope=None):
    """A function view or feed with no preview (the sitemap, the Atom feed):
    publicly cacheable, served from the page cache, answering 304s.

    stored_by: the query parameters the answer depends on, if it ignores the
    rest. The answer is then also stored by those alone, so that an address
    with any other parameter (which the page cache's key holds) costs no
    rendering: the sitemap lists every page in every language.
    scope: what the answer shows (content_version()).
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        respond = functools.partial(view, request, *args, **kwargs)
        if is_anonymous_read(request):
            try:
                version = known_version(request, None, scope)
            except DATABASE_ERRORS as error:
                return stored_or_raise(request, error)
            if stored_by is not None:
                respond = functools.partial(
                    _stored_answer, request, version, respond, stored_by
                )
            response = versioned_page(request, respond, version, (None, scope))
        else:
            response = respond()
        patch_cache_control(response, **PUBLIC_CACHE_CONTROL)
        return response

    return wrapper


class PageLookup:
    """The query for the row a page is about, by the value in its address,
    compiled once.

    rows() is the queryset the row is looked up in (the published offices, a
    vocabulary's terms). The ORM builds and compiles the lookup the first
    time, with a placeholder for the value; each page view then only puts its
    own value in: building and compiling a queryset would cost more than the
    rest of a cached page.
    """

    def __init__(self, rows, field="slug"):
        self.rows = rows
        self.field = field

    @functools.cached_property
    def compiled(self):
        placeholder = PLACEHOLDERS[str]
        queryset = self.rows().filter(**{self.field: placeholder})
        _, sql, params, positions = compile_with_placeholder(
            queryset.order_by().values("pk")[:1], placeholder
        )
        return sql, params, positions

    def sql_with_params(self, value):
        sql, params, positions = self.compiled
        return sql, with_value(params, positions, value)


class PublicPageMixin:
    """Public pages are cached by browsers, proxies and the server.

    An anonymous read goes through versioned_page(): a 304 or the stored page
    for one query. A response that depends on who is asking (a staff preview)
    is never cached anywhere.
    """

    is_preview = False
    # False for pages only staff ever see (a draft's preview).
    page_cache = True
    # The content version an anonymous read is answered for (else None).
    content_version = None
    # What the page shows, as settings.PAGE_VERSION's function names it
    # (content_version()): None for all the public content.
    version_scope = None

    # The row a detail page is about (a profile, a term), by the slug in its
    # address: a PageLookup. Whether it exists is asked in the content
    # version's query: a missing page (a 404, or a 301 from a former address)
    # bypasses the cache and costs nothing more than before.
    page_lookup = None

    def dispatch(self, request, *args, **kwargs):
        respond = functools.partial(super().dispatch, request, *args, **kwargs)
        if self.page_cache and is_anonymous_read(request):
            page = self.page_lookup and self.page_lookup.sql_with_params(
                self.kwargs["slug"]
            )
            route = (page, self.version_scope)
            try:
                self.content_version = known_version(request, *route)
            except DATABASE_ERRORS as error:
                return stored_or_raise(request, error)
            if self.content_version.page_exists is False:
                response = respond()
            else:
                response = versioned_page(
                    request,
                    respond,
                    self.content_version,
                    route if self.answered_early() else None,
                )
        else:
            response = respond()
        if self.is_preview or response.status_code not in (200, 304):
            add_never_cache_headers(response)
        else:
            patch_cache_control(response, **PUBLIC_CACHE_CONTROL)
        return response

    def answered_early(self):
        """Whether StoredPageMiddleware may answer this address next time,
        before the view runs (False: a view that must see every request)."""
        return True

    def stored_part(self, render, *variants):
        """Part of the page, from render(): for an anonymous read, stored by
        the content version and variants (stored_fragment), so that another
        address of the page renders only what is around it."""
        if self.content_version is None:
            return render()
        return stored_fragment(self.request, self.content_version, render, *variants)

    def get_canonical_path(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        # The page's own language: each language's page is its own canonical,
        # and names the others as alternates (hreflang), as Open Graph names
        # their locales (includes/open_graph.html).
        path = self.get_canonical_path()
        og_locale, og_locale_alternates = open_graph_locales()
        return super().get_context_data(
            canonical_url=absolute_url(path),
            alternates=[
                (language, absolute_url(alternate))
                for language, alternate in alternate_paths(path)
            ],
            og_locale=og_locale,
            og_locale_alternates=og_locale_alternates,
            og_image=absolute_static("img/og-card.png"),
            **kwargs,
        )


# Set on a request that StoredPageMiddleware passes on: versioned_page()
# leaves the storing to it.
FRONT_DOOR = "_stored_page_middleware"
# Headers of a stored answer that its 304 does not repeat.
ENTITY_HEADERS = {"content-type", "content-length"}


@dataclasses.dataclass(frozen=True)
class _Route:
    """How to answer an address again: the version's page and scope, its
    language, and the headers the whole stack gave its answer."""

    page: tuple | None
    scope: str | None
    language: str
    headers: dict


class StoredPageMiddleware:
    """A stored public page, answered before the rest of the stack runs.

    An anonymous read of an address this process has answered before (a
    profile, the unfiltered index, a term page) costs the content version's
    query and a cache read, as in the view, but none of the middleware
    inside this one (sessions, the language, CSRF, the user, messages,
    lockouts, the policy headers) nor the URL resolver and the view: those
    ran when the page was stored, and the stored page has the headers they
    added. Anything else (a new address, an edited page, a 404, a database
    outage, a search, which the rate limit must count, a cross-origin
    request) goes through the whole stack as before, and learns the address.

    Put it right after SecurityMiddleware (its HTTPS redirect still comes
    first) and before everything else that shapes an answer.
    """

    ROUTES = 5000  # addresses remembered per process, the oldest forgotten

    def __init__(self, get_response):
        self.get_response = get_response
        self.routes = {}  # full path: _Route
        self.lock = threading.Lock()

    def __call__(self, request):
        if not is_anonymous_read(request) or "Origin" in request.headers:
            return self.get_response(request)
        full_path = request.get_full_path()
        route = self.routes.get(full_path)
        if route is not None and _host_allowed(request):
            response = self._answer(request, route, full_path)
            if response is not None:
                return response
        setattr(request, FRONT_DOOR, True)
        response = self.get_response(request)
        self._learn(request, response, full_path)
        return response

    def _answer(self, request, route, full_path):
        """A 304 or the stored page, or None: the stack answers."""
        try:
            version = content_version(route.page, route.scope)
        except DATABASE_ERRORS as error:
            # Answered here as the view would (the stored page, else the
            # branded 503 in the page's language): the stack would only
            # wait for the database once more.
            translation.activate(route.language)
            return stored_or_raise(request, error)
        # The stack needs not ask again.
        request.known_version = (route.page, route.scope, version)
        if version.page_exists is False:
            with self.lock:
                self.routes.pop(full_path, None)
            return None  # a 404, or a 301 from a former address
        etag, last_modified = _validators(version, route.language, full_path)
        response = get_conditional_response(
            request, etag=etag, last_modified=int(last_modified.timestamp())
        )
        if response is not None:
            if response.status_code != 304:
                return None  # a failed precondition: the stack answers it
            for name, value in route.headers.items():
                if name.lower() not in ENTITY_HEADERS:
                    response.headers[name] = value
            response.headers["Content-Length"] = "0"  # as CommonMiddleware's
            return _set_validators(response, etag, last_modified)
        key = _page_key(etag)
        stored = _cache_call(cache.get, key)
        if stored is None:
            return None
        headers, content = stored
        _remember_here(request, key)
        response = HttpResponse(content, headers=headers)
        return _set_validators(response, etag, last_modified)

    def _learn(self, request, response, full_path):
        """Store what the stack rendered, with its final headers, and
        remember the address, if the answer is the same for every reader."""
        answered = getattr(request, "page_answered", None)
        if (
            answered is None
            or response.status_code != 200
            or not _storable(request, response)
        ):
            return
        headers = {
            name: value
            for name, value in response.items()
            if name.lower() not in {"etag", "last-modified", "x-request-id"}
        }
        if answered.rendered:
            _store_page(request, answered.key, (headers, response.content))
        if (
            answered.route is None
            or request.method != "GET"
            or not is_public(response)
            or _varies_by_reader(response)
        ):
            return
        route = _Route(*answered.route, answered.language, headers)
        with self.lock:
            self.routes.pop(full_path, None)
            self.routes[full_path] = route
            _bounded(self.routes, self.ROUTES)


def _host_allowed(request):
    """Whether the site serves the request's Host (else the stack answers
    its 400, with the policy headers)."""
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


def is_public(response):
    """Whether the answer's Cache-Control lets a shared cache keep it."""
    directives = response.get("Cache-Control", "").lower().split(",")
    return "public" in (directive.strip() for directive in directives)


def _varies_by_reader(response):
    """An answer that may differ by something else than its address: the
    language a browser asks for, the origin of a cross-origin request."""
    vary = response.get("Vary", "").lower()
    return (
        "accept-language" in vary
        or "origin" in vary
        or any(name.lower().startswith("access-control-") for name in response.headers)
    )

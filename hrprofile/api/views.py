"""The API's views: what every answer shares (the rate limit, the language,
Cache-Control, JSON errors), the published data's ETag from the content
version, and the API's own endpoints (the root, the schema, the docs, the
JSON 404)."""

from django.conf import settings
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    set_response_etag,
)
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csp import csp_override
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import exceptions, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from hrprofile.api.documentation import LANGUAGE_PARAMETER, documented, language_codes
from hrprofile.api.errors import InvalidQuery
from hrprofile.links import absolute_url
from hrprofile.pagecache import PUBLIC_CACHE_CONTROL, RELEASE, content_version
from hrprofile.throttle import client_ip, seconds_to_wait
from hrprofile.translations import SOURCE_LANGUAGE


class ApiThrottle(SimpleRateThrottle):
    """API_RATE_LIMIT requests per client, counted in the shared cache.

    The client is the address behind our own proxies (TRUSTED_PROXY_COUNT),
    as for login lockouts and search limits: X-Forwarded-For alone is
    whatever the client wrote. The count is one atomic increment per request
    (hrprofile.throttle): DRF's own throttles read a history and write it
    back, so concurrent requests each saw room and all passed.
    """

    scope = "api"

    def get_rate(self):
        return settings.API_RATE_LIMIT

    def allow_request(self, request, view):
        self.retry_after = seconds_to_wait(
            self.scope,
            client_ip(request),
            limit=self.num_requests,
            window=self.duration,
        )
        return not self.retry_after

    def wait(self):
        return self.retry_after


def answer_language(request):
    """The language of an API answer: ?lang= if it names one of the site's
    languages, else English, as documented. Never the Accept-Language header
    or the language cookie that LocaleMiddleware reads for the pages: a URL
    means one answer."""
    language = request.GET.get(LANGUAGE_PARAMETER)
    return language if language in language_codes() else SOURCE_LANGUAGE


class PublicApiView(APIView):
    """An API answer: rate-limited per client, cacheable by anyone when it
    succeeds, never otherwise; in the language answer_language() picks, said
    in Content-Language; an error always JSON."""

    throttle_classes = [ApiThrottle]

    def dispatch(self, request, *args, **kwargs):
        with translation.override(answer_language(request)):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render"):
                # Lazy text (a schema's descriptions) in the same language.
                response.render()
            response["Content-Language"] = get_language()
        return response

    def options(self, request, *args, **kwargs):
        """The methods in Allow, nothing else: no body, whatever the view
        renders for GET (a CORS preflight never gets here: corsheaders
        answers it)."""
        response = HttpResponse()
        del response["Content-Type"]
        return response

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # JSON, whatever the view renders otherwise (the schema's YAML, the
        # docs' HTML) or the Accept header asked for (a 406 included).
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code in (200, 304):
            patch_cache_control(response, **PUBLIC_CACHE_CONTROL)
        else:
            add_never_cache_headers(response)
        return response


class BodyEtagMixin:
    """An ETag from the answer's bytes, for answers made without the database."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code != 200 or request.method not in ("GET", "HEAD"):
            return response
        if hasattr(response, "render"):
            response.render()
        set_response_etag(response)
        return get_conditional_response(
            request, etag=response["ETag"], response=response
        )


class PublicDataView(PublicApiView):
    """Published content, with query strings checked and validated by version.

    The ETag names the public content version (settings.PAGE_VERSION's
    function: one small query), the release of the code, the language and the address,
    so a client's If-None-Match is answered with a 304 before anything else
    is read. A detail view's row is asked for in the same query: a missing
    one is a 404 at once.
    """

    # A Serializer for the query string: its fields are the accepted filters.
    query_serializer_class = None
    query = {}

    # A detail view's row, by the slug in its address (a PageLookup).
    page_lookup = None

    def get(self, request, *args, **kwargs):
        # In the language of the answer already (PublicApiView.dispatch).
        self.query = self.check_query(request)
        page = self.page_lookup and self.page_lookup.sql_with_params(kwargs["slug"])
        version = content_version(page)
        if version.page_exists is False:
            raise exceptions.NotFound(_("Nothing is published at this address."))
        etag = version.etag(
            RELEASE, get_language(), settings.SITE_URL, request.get_full_path()
        )
        response = get_conditional_response(request, etag=etag)
        if response is None:
            response = super().get(request, *args, **kwargs)
        response["ETag"] = etag
        return response

    def check_query(self, request):
        """The validated filters; InvalidQuery names every bad parameter."""
        params = request.query_params
        fields = (
            self.query_serializer_class().fields if self.query_serializer_class else {}
        )
        paginator = self.paginator
        allowed = {*fields, LANGUAGE_PARAMETER}
        if paginator is not None:
            allowed |= {paginator.page_query_param, paginator.page_size_query_param}
        errors = {
            name: [
                _("Unknown query parameter. Accepted here: %(names)s.")
                % {"names": ", ".join(sorted(allowed)) or _("none")}
            ]
            for name in params
            if name not in allowed
        }
        # An empty value is refused like any other value not in the schema
        # (?region= is no region): leave the parameter out to filter nothing.
        errors |= {
            name: [_("Empty. Give a value, or leave the parameter out.")]
            for name in allowed
            if params.get(name) == ""
        }
        if paginator is not None:
            errors |= paginator.check_query(params)
        codes = language_codes()
        if params.get(LANGUAGE_PARAMETER) and params[LANGUAGE_PARAMETER] not in codes:
            errors[LANGUAGE_PARAMETER] = [
                _("Unknown language. Use one of: %(codes)s.")
                % {"codes": ", ".join(codes)}
            ]
        query = {}
        if fields:
            serializer = self.query_serializer_class(
                data={name: params[name] for name in fields if params.get(name)}
            )
            if serializer.is_valid():
                query = serializer.validated_data
            else:
                errors |= serializer.errors
        if errors:
            raise InvalidQuery(errors)
        return query


class ApiRootView(BodyEtagMixin, PublicApiView):
    """The API's entry point: where everything is."""

    ENDPOINTS = {
        "offices": "api:office-list",
        "pillars": "api:pillar-list",
        "shifts": "api:shift-list",
        "populations": "api:population-list",
        "tags": "api:tag-list",
        "schema": "api:schema",
        "docs": "api:docs",
    }

    @documented(
        inline_serializer(
            "ApiRoot",
            {
                name: serializers.URLField(
                    help_text=_("Absolute URL of %(name)s.") % {"name": name}
                )
                for name in ENDPOINTS
            },
        ),
        summary=_("The API's endpoints"),
        description=_("Absolute URLs of the lists, the schema and the docs."),
        operation_id="api_root",
        tags=["api"],
    )
    def get(self, request):
        if request.query_params:
            raise InvalidQuery(
                {name: [_("This address takes no parameters.")] for name in request.GET}
            )
        return Response(
            {name: absolute_url(reverse(url)) for name, url in self.ENDPOINTS.items()}
        )


class SchemaView(BodyEtagMixin, PublicApiView, SpectacularAPIView):
    """The OpenAPI 3.1 document: JSON, or YAML for Accept: application/yaml."""

    renderer_classes = [
        OpenApiJsonRenderer,
        OpenApiJsonRenderer2,
        OpenApiYamlRenderer,
        OpenApiYamlRenderer2,
    ]


# Swagger UI's stylesheet draws its icons as data: images; nothing else is
# relaxed, and the page has no inline script or style (templates/api/docs.html).
DOCS_CSP = {
    **settings.SECURE_CSP,
    "img-src": [*settings.SECURE_CSP["img-src"], "data:"],
}


class DocsView(BodyEtagMixin, PublicApiView, SpectacularSwaggerView):
    """Swagger UI, from our own static files (drf-spectacular-sidecar).

    Not rate-limited: the page is static (the schema it loads is limited
    like the rest of the API).
    """

    template_name = "api/docs.html"
    url_name = "api:schema"
    throttle_classes = []

    @classmethod
    def as_view(cls, **initkwargs):
        return csp_override(DOCS_CSP)(super().as_view(**initkwargs))

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # drf-spectacular relaxes it for OAuth pop-ups; the API has none.
        del response["Cross-Origin-Opener-Policy"]
        return response


class NotFoundView(PublicApiView):
    """Anything else under /api/: a JSON 404 (a missing final slash: a 301)."""

    schema = None
    throttle_classes = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound(
            _("No such address in the API. Its documentation: %(url)s")
            % {"url": absolute_url(reverse("api:docs"))}
        )

    def dispatch(self, request, *args, **kwargs):
        path = request.path_info
        if request.method in ("GET", "HEAD") and not path.endswith("/"):
            try:
                match = resolve(path + "/")
            except Resolver404:
                match = None
            if match and getattr(match.func, "view_class", None) is not NotFoundView:
                query = request.META.get("QUERY_STRING", "")
                return HttpResponsePermanentRedirect(
                    f"{request.path}/" + (f"?{query}" if query else "")
                )
        return super().dispatch(request, *args, **kwargs)

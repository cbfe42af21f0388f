"""The open-data API's shared HTTP behaviour (Django REST framework).

What every /api/v1/ answer has in common: anonymous and read-only, errors as
JSON, a per-client rate limit, Cache-Control, and an ETag that a 304 answers
for one small query. The data and its serializers live with the apps that own
it (offices/api.py, mandates/api.py); hrprofile/api_urls.py routes them.
"""

import sys

from django.conf import settings
from django.core import signals
from django.db import InterfaceError, OperationalError
from django.http import (
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    set_response_etag,
)
from django.utils.log import log_response
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.csp import csp_override
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from hrprofile.throttle import client_ip, seconds_to_wait
from hrprofile.translations import SOURCE_LANGUAGE
from hrprofile.views import (
    PUBLIC_MAX_AGE,
    RELEASE,
    UNAVAILABLE_RETRY_AFTER,
    absolute_url,
)
from hrprofile.views import server_error as page_server_error
from offices.models import content_version


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


class InvalidQuery(exceptions.ValidationError):
    """A query string with unknown or invalid parameters, each named."""

    default_code = "invalid_query"

    def __init__(self, errors):
        super().__init__(errors)
        self.summary = _("Invalid query parameters: %(names)s.") % {
            "names": ", ".join(sorted(errors))
        }


def is_api_request(request):
    """Whether the request is for an address under /api/ (the api namespace)."""
    try:
        return resolve(request.path_info).app_name == "api"
    except Resolver404:
        return False


def error_body(status, code, detail, errors=None):
    body = {"status": status, "code": code, "detail": str(detail)}
    if errors is not None:
        body["errors"] = errors
    return body


def error_response(status, code, detail, errors=None, headers=None):
    return Response(
        error_body(status, code, detail, errors), status=status, headers=headers
    )


def failure_body(exc):
    """(status, body, headers) for an unexpected exception: a 500, or a 503
    while the database is unreachable."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        detail = _("The service is briefly unavailable. Please try again shortly.")
        return (
            503,
            error_body(503, "service_unavailable", detail),
            {"Retry-After": str(UNAVAILABLE_RETRY_AFTER)},
        )
    detail = _("Something went wrong on our side.")
    return 500, error_body(500, "server_error", detail), {}


def unexpected_error(exc, request):
    """A 500 (503 while the database is unreachable) as JSON.

    Reported as Django reports any uncaught exception (the log, ADMINS, the
    got_request_exception signal), only not answered with an HTML page.
    """
    signals.got_request_exception.send(sender=None, request=request)
    status, body, headers = failure_body(exc)
    response = Response(body, status=status, headers=headers)
    log_response(
        "%s: %s",
        response.reason_phrase,
        request.path,
        response=response,
        request=request,
        exception=exc,
    )
    return response


def json_error(status, body, headers=None):
    """An error answered outside the API's views (by Django's handlers)."""
    response = JsonResponse(body, status=status, headers=headers)
    add_never_cache_headers(response)
    return response


def bad_request(request, exception):
    """handler400 (a Host header not in ALLOWED_HOSTS, a malformed request):
    JSON under /api/, the site's page elsewhere."""
    if not is_api_request(request):
        return defaults.bad_request(request, exception)
    detail = _("The request could not be understood (for example its Host header).")
    return json_error(400, error_body(400, "bad_request", detail))


def server_error(request):
    """handler500: JSON under /api/ (for what fails outside the API's views:
    a middleware, the rendering), the site's page elsewhere. Django has
    logged and reported the exception already."""
    if not is_api_request(request):
        return page_server_error(request)
    status, body, headers = failure_body(sys.exception())
    return json_error(status, body, headers)


def exception_handler(exc, context):
    """Every API error as {"status", "code", "detail"} (and "errors" for a 400).

    Unexpected exceptions too, except in local DEBUG mode, where Django's
    technical page helps more.
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Nothing at this address."))
    response = drf_exception_handler(exc, context)
    if response is None:
        if settings.DEBUG:
            return None
        return unexpected_error(exc, context["request"]._request)
    if isinstance(exc, exceptions.ValidationError):
        detail = getattr(exc, "summary", _("Invalid request."))
        errors = response.data if isinstance(response.data, dict) else None
    else:
        detail, errors = exc.detail, None
    code = getattr(exc, "default_code", "error")
    # DRF's handler adds Retry-After to a 429.
    headers = {
        name: response[name]
        for name in ("Retry-After", "WWW-Authenticate")
        if response.has_header(name)
    }
    return error_response(response.status_code, code, detail, errors, headers)


class CodeLabelSerializer(serializers.Serializer):
    """A choice as its stable code and its label in the reader's language.

    A subclass sets choices (the TextChoices) and declares code as a
    ChoiceField of them, so the schema lists the codes.
    """

    choices = None
    code = serializers.CharField(help_text=_("Stable: use it in programs."))
    label = serializers.CharField(
        help_text=_("For people, in the language of the answer.")
    )

    def to_representation(self, value):
        return {"code": value, "label": str(self.choices(value).label)}


# The help text of every CodeLabelSerializer's code.
CODE_HELP = _("Stable: use it in programs and in filters.")


class ChoiceFilter(serializers.ChoiceField):
    """A filter with fixed values (a region): a wrong one is refused, and the
    message lists the right ones."""

    default_error_messages = {
        "invalid_choice": _('"{input}" is not one of its values: {values}.')
    }

    def to_internal_value(self, data):
        try:
            return self.choice_strings_to_values[str(data)]
        except KeyError:
            values = ", ".join(self.choice_strings_to_values)
            self.fail("invalid_choice", input=data, values=values)


class SlugFilter(serializers.SlugField):
    """A filter by the slug of a row of queryset (a term): an unknown one is
    refused like a wrong ChoiceFilter value, for one query of the slugs."""

    default_error_messages = ChoiceFilter.default_error_messages

    def __init__(self, *, queryset, **kwargs):
        self.queryset = queryset
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        slug = super().to_internal_value(data)
        slugs = list(self.queryset.values_list("slug", flat=True))
        if slug not in slugs:
            self.fail("invalid_choice", input=slug, values=", ".join(slugs))
        return slug


class ErrorSerializer(serializers.Serializer):
    """Documents the body of every error answer."""

    status = serializers.IntegerField(help_text=_("The HTTP status code, again."))
    code = serializers.CharField(
        help_text=_(
            "A stable, machine-readable code: invalid_query, bad_request, "
            "not_found, gone, method_not_allowed, not_acceptable, throttled, "
            "server_error, service_unavailable."
        )
    )
    detail = serializers.CharField(
        help_text=_("What went wrong, in a sentence for people.")
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_(
            "For invalid_query: each offending query parameter with its messages."
        ),
    )

    class Meta:
        ref_name = "Error"


ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 304],
    description=_(
        "Send it back in If-None-Match: while nothing changed the answer is "
        "an empty 304."
    ),
)
CACHE_CONTROL_HEADER = OpenApiParameter(
    "Cache-Control",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=True,
    description=_("public, max-age=300 for data; errors are never stored (no-store)."),
)
RETRY_AFTER_HEADER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description=_("Seconds to wait before the next request."),
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=_("An ETag from an earlier answer: 304 while it is still current."),
)


# ?lang= on every data endpoint: the translated text in that language, with
# English wherever a translation is missing (as on the pages).
LANGUAGE_PARAMETER = "lang"


def language_codes():
    return [code for code, _name in settings.LANGUAGES]


def language_parameter():
    return OpenApiParameter(
        LANGUAGE_PARAMETER,
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        enum=language_codes(),
        description=_(
            "The language of the translated text (names, profile, notes, "
            "mandates, terms): one of the site's language codes. Text not yet "
            "translated into it is given in English. Default: en."
        ),
    )


def documented(
    ok,
    *,
    summary,
    description,
    errors=(),
    parameters=(),
    translated=False,
    **kwargs,
):
    """extend_schema for an API operation: its answer, the errors every
    operation can give (400 for unknown parameters, 429) and the caching
    headers. errors: its own other answers, (status, description) pairs; a
    3xx among them is documented without a body."""
    responses = {
        200: OpenApiResponse(ok, description=summary),
        304: OpenApiResponse(
            description=_("Not modified: the copy whose ETag was sent is current.")
        ),
        400: OpenApiResponse(
            ErrorSerializer,
            description=_(
                "Unknown, empty or invalid query parameters, each named with "
                "the accepted values."
            ),
        ),
        429: OpenApiResponse(
            ErrorSerializer,
            description=_("Too many requests from this client: see Retry-After."),
        ),
    }
    for status, text in errors:
        # A redirect (a 301 to a new address) has no body.
        body = ErrorSerializer if status >= 400 else None
        responses[status] = OpenApiResponse(body, description=text)
    responses["default"] = OpenApiResponse(
        ErrorSerializer,
        description=_(
            "Any other error, in the same form: 406 for an Accept header "
            "without JSON, 500, or 503 (with Retry-After) while the database "
            "cannot be reached."
        ),
    )
    return extend_schema(
        summary=summary,
        description=description,
        responses=responses,
        parameters=[
            *parameters,
            *([language_parameter()] if translated else []),
            IF_NONE_MATCH,
            ETAG_HEADER,
            CACHE_CONTROL_HEADER,
            RETRY_AFTER_HEADER,
        ],
        **kwargs,
    )


class ApiPagination(PageNumberPagination):
    """Pages of 50 (page_size up to 100), linked through SITE_URL."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    page_query_description = _("The page number, from 1.")
    page_size_query_description = _("Results per page: 1 to 100 (default 50).")

    def limits(self):
        """{parameter: (minimum, maximum or None)}: declared in the schema,
        checked by check_query."""
        return {
            self.page_query_param: (1, None),
            self.page_size_query_param: (1, self.max_page_size),
        }

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        limits = self.limits()
        for parameter in parameters:
            minimum, maximum = limits[parameter["name"]]
            parameter["schema"]["minimum"] = minimum
            if maximum is not None:
                parameter["schema"]["maximum"] = maximum
        return parameters

    def _url(self):
        return absolute_url(self.request.get_full_path())

    def get_next_link(self):
        if not self.page.has_next():
            return None
        return replace_query_param(
            self._url(), self.page_query_param, self.page.next_page_number()
        )

    def get_previous_link(self):
        if not self.page.has_previous():
            return None
        number = self.page.previous_page_number()
        if number == 1:
            return remove_query_param(self._url(), self.page_query_param)
        return replace_query_param(self._url(), self.page_query_param, number)

    def get_paginated_response_schema(self, schema):
        link = {"type": ["string", "null"], "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": _("How many results there are on all pages."),
                },
                "next": {**link, "description": _("The next page, or null.")},
                "previous": {**link, "description": _("The previous page, or null.")},
                "results": schema,
            },
        }

    def check_query(self, query):
        """Errors for invalid page and page_size values (name: [messages]);
        DRF would take a page_size past the maximum as the maximum."""
        errors = {}
        for name, (minimum, maximum) in self.limits().items():
            value = query.get(name)
            if not value:
                continue
            number = int(value) if value.isascii() and value.isdigit() else None
            if maximum is None and (number is None or number < minimum):
                message = _("A whole number from %(minimum)d.")
            elif maximum is not None and number not in range(minimum, maximum + 1):
                message = _("A whole number from %(minimum)d to %(maximum)d.")
            else:
                continue
            errors[name] = [message % {"minimum": minimum, "maximum": maximum}]
        return errors


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
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
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

    The ETag names the public content version (offices.models.content_version:
    one small query), the release of the code, the language and the address,
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

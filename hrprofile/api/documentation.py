"""What the OpenAPI schema says of every operation: the error body, the
caching and rate-limit headers, the ?lang= parameter, and documented(), the
extend_schema that puts them together."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers


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

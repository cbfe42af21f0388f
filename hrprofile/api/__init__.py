"""The open-data API's shared HTTP behaviour (Django REST framework).

What every /api/v1/ answer has in common: anonymous and read-only, errors as
JSON, a per-client rate limit, Cache-Control, and an ETag that a 304 answers
for one small query. The data and its serializers live with the apps that own
it (offices/api.py, mandates/api.py); hrprofile/api_urls.py routes them.

One module per job: errors, documentation (the schema's shared parts),
fields (shared serializer fields and filters), pagination, views. The names
the apps, the URLconf and settings use are re-exported here.
"""

from hrprofile.api.documentation import (
    LANGUAGE_PARAMETER,
    ErrorSerializer,
    documented,
    language_codes,
    language_parameter,
)
from hrprofile.api.errors import (
    InvalidQuery,
    bad_request,
    exception_handler,
    is_api_request,
    server_error,
)
from hrprofile.api.fields import (
    CODE_HELP,
    ChoiceFilter,
    CodeLabelSerializer,
    SlugFilter,
)
from hrprofile.api.pagination import ApiPagination
from hrprofile.api.views import (
    ApiRootView,
    ApiThrottle,
    BodyEtagMixin,
    DocsView,
    NotFoundView,
    PublicApiView,
    PublicDataView,
    SchemaView,
    answer_language,
)

__all__ = [
    "CODE_HELP",
    "LANGUAGE_PARAMETER",
    "ApiPagination",
    "ApiRootView",
    "ApiThrottle",
    "BodyEtagMixin",
    "ChoiceFilter",
    "CodeLabelSerializer",
    "DocsView",
    "ErrorSerializer",
    "InvalidQuery",
    "NotFoundView",
    "PublicApiView",
    "PublicDataView",
    "SchemaView",
    "SlugFilter",
    "answer_language",
    "bad_request",
    "documented",
    "exception_handler",
    "is_api_request",
    "language_codes",
    "language_parameter",
    "server_error",
]

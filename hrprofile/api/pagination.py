"""The API's pages of results, linked through SITE_URL, their limits declared
in the schema and checked with the rest of the query string."""

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from hrprofile.links import absolute_url


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

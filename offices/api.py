"""Offices in the open-data API: the published profiles as JSON.

The HTTP side (errors, ETags, limits, caching) is hrprofile/api/'s; the
filters are the index page's own (OfficeQuerySet.filtered).
"""

from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from hrprofile.api import (
    CODE_HELP,
    ApiPagination,
    ChoiceFilter,
    CodeLabelSerializer,
    PublicDataView,
    SlugFilter,
    documented,
)
from hrprofile.links import absolute_url
from hrprofile.pagecache import PageLookup
from mandates.api import MandateSerializer, TagSerializer, TermSerializer
from mandates.models import Shift, SpotlightPopulation, ThematicPillar
from offices.models import EngagementType, Office, OfficeRemoval, Region


class RegionSerializer(CodeLabelSerializer):
    """The region, as OHCHR groups its presences."""

    choices = Region
    code = serializers.ChoiceField(Region.choices, help_text=CODE_HELP)


class EngagementTypeSerializer(CodeLabelSerializer):
    """The kind of presence."""

    choices = EngagementType
    code = serializers.ChoiceField(EngagementType.choices, help_text=CODE_HELP)


@extend_schema_field(
    {
        "anyOf": [
            {"type": "string", "format": "date-time"},
            {"type": "string", "format": "date"},
        ]
    }
)
class DateTimeOrDateField(serializers.DateTimeField):
    """An ISO 8601 date-time, or a date meaning its midnight.

    Both parse already (datetime.fromisoformat reads a date alone); only the
    schema needs telling.
    """


class OfficeQuerySerializer(serializers.Serializer):
    """The list's filters: those of the public index, and updated_since.

    A parameter given is a filter asked for: an empty or unknown value is
    refused (400, naming the values), as is any other parameter.
    """

    region = ChoiceFilter(
        Region.choices, required=False, help_text=_("Only offices in this region.")
    )
    engagement_type = ChoiceFilter(
        EngagementType.choices,
        required=False,
        help_text=_("Only presences of this type."),
    )
    pillar = SlugFilter(
        queryset=ThematicPillar.objects.all(),
        required=False,
        max_length=100,
        help_text=_("Only offices working on this thematic pillar (its slug)."),
    )
    shift = SlugFilter(
        queryset=Shift.objects.all(),
        required=False,
        max_length=100,
        help_text=_("Only offices working on this shift (its slug)."),
    )
    population = SlugFilter(
        queryset=SpotlightPopulation.objects.all(),
        required=False,
        max_length=100,
        help_text=_("Only offices with this spotlight population (its slug)."),
    )
    q = serializers.CharField(
        required=False,
        max_length=200,
        help_text=_(
            "Search the name, country, field offices, mandates and profile "
            "text; the best matches come first."
        ),
    )
    updated_since = DateTimeOrDateField(
        required=False,
        help_text=_(
            "Only offices changed at or after this time: an ISO 8601 date-time "
            "(2026-05-01T09:00:00Z) or date (2026-05-01: from midnight). "
            "Without an offset, the site's time zone. The answer then also "
            "lists in removed the offices withdrawn since. To sync, send the "
            "time of your previous request less a minute, and match offices "
            "by id."
        ),
    )


class OfficeSummarySerializer(serializers.Serializer):
    """An office as the list gives it; its url has everything else."""

    id = serializers.IntegerField(
        help_text=_(
            "Identifies the office for good: it never changes, even when the "
            "slug does. Removals name it too."
        )
    )
    slug = serializers.SlugField(
        help_text=_(
            "Identifies the office here and in its page's address. Editors "
            "may change it."
        )
    )
    name = serializers.CharField(help_text=_('For example "UN Human Rights in Iraq".'))
    country = serializers.CharField(
        help_text=_("The host country; empty for a regional presence.")
    )
    country_code = serializers.CharField(
        help_text=_("ISO 3166-1 alpha-2 code of the country, e.g. IQ; may be empty.")
    )
    region = RegionSerializer(help_text=_("The region."))
    engagement_type = EngagementTypeSerializer(help_text=_("The type of engagement."))
    year_established = serializers.IntegerField(
        help_text=_("The year the presence was established.")
    )
    closed_on = serializers.DateField(
        allow_null=True,
        help_text=_(
            "When the presence closed or will close (ISO 8601 date); null while open."
        ),
    )
    last_reviewed = serializers.DateField(
        allow_null=True,
        help_text=_(
            "When the profile was last checked for accuracy (ISO 8601 date), or null."
        ),
    )
    updated_at = serializers.DateTimeField(
        help_text=_(
            "When anything this API shows of the office last changed (ISO 8601 "
            "date-time): its own fields, field offices, mandates, terms and "
            "tags, a term's wording included, and its publication."
        )
    )
    field_office_count = serializers.IntegerField(
        help_text=_("How many field offices it has.")
    )
    summary = serializers.CharField(
        help_text=_("The profile's first sentence; may be empty.")
    )
    url = serializers.SerializerMethodField(
        help_text=_("This office in the API: the whole profile.")
    )
    page_url = serializers.SerializerMethodField(
        help_text=_("The office's public page.")
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, office):
        return absolute_url(reverse("api:office-detail", args=[office.slug]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, office):
        return absolute_url(office.get_absolute_url())


class FieldOfficeSerializer(serializers.Serializer):
    """A city where the presence has staff."""

    name = serializers.CharField(help_text=_('The city, for example "Erbil".'))
    note = serializers.CharField(help_text=_("A note on it; may be empty."))
    is_head_office = serializers.BooleanField(
        help_text=_("The head office (at most one, listed first).")
    )


class OfficeSerializer(OfficeSummarySerializer):
    """Everything the office's public profile shows."""

    host_mission = serializers.CharField(
        help_text=_('The UN mission the office sits in, e.g. "UNAMI"; may be empty.')
    )
    year_established_note = serializers.CharField(
        help_text=_("A note on the year established; may be empty.")
    )
    profile = serializers.ListField(
        source="paragraphs",
        child=serializers.CharField(),
        help_text=_("The profile text, paragraph by paragraph."),
    )
    field_offices = FieldOfficeSerializer(
        many=True, help_text=_("Where it has staff, the head office first.")
    )
    field_offices_note = serializers.CharField(
        help_text=_("A note on the field offices; may be empty.")
    )
    coverage_note = serializers.CharField(
        help_text=_("For a regional presence: the countries it covers; may be empty.")
    )
    mandates = MandateSerializer(
        many=True, help_text=_("Its legal bases, in the profile's order.")
    )
    pillars = TermSerializer(many=True, help_text=_("Its thematic pillars."))
    shifts = TermSerializer(many=True, help_text=_("Its shifts."))
    spotlight_populations = TermSerializer(
        many=True, help_text=_("Its spotlight populations.")
    )
    tags = TagSerializer(many=True, help_text=_("Its tags."))
    staff_count = serializers.IntegerField(
        allow_null=True, help_text=_("Number of staff, or null when unknown.")
    )
    budget_needs_usd = serializers.IntegerField(
        allow_null=True,
        help_text=_("Annual budget needs in whole US dollars, or null when unknown."),
    )
    achievements = serializers.ListField(
        source="achievement_list",
        child=serializers.CharField(),
        help_text=_("Its achievements, one per item."),
    )
    partners_and_donors = serializers.CharField(
        help_text=_(
            "Partners and donors as written, paragraphs separated by a blank "
            "line; may be empty."
        )
    )
    closed_note = serializers.CharField(
        help_text=_("A note on the closure; may be empty.")
    )
    more_info_url = serializers.CharField(
        source="more_info_link",
        help_text=_("A page with more on its work (http or https); may be empty."),
    )
    more_info_label = serializers.CharField(
        help_text=_("The text of that link; may be empty.")
    )


class RemovalSerializer(serializers.Serializer):
    """An office withdrawn from the public site (OfficeRemoval)."""

    id = serializers.IntegerField(source="office_id")
    slug = serializers.SlugField()
    removed_at = serializers.DateTimeField()


# RemovalSerializer's schema, for the page around the list's results.
REMOVED_SCHEMA = {
    "type": "array",
    "description": _(
        "Only with updated_since, on every page: the offices withdrawn from "
        "the public site (unpublished or deleted) since then, whatever the "
        "other filters, the oldest first. Kept for a year: a client away "
        "longer should fetch the whole list again."
    ),
    "items": {
        "type": "object",
        "required": ["id", "slug", "removed_at"],
        "properties": {
            "id": {"type": "integer", "description": _("The office's id.")},
            "slug": {
                "type": "string",
                "description": _("Its slug when it was last public."),
            },
            "removed_at": {
                "type": "string",
                "format": "date-time",
                "description": _("When it was withdrawn (ISO 8601 date-time)."),
            },
        },
    },
}


class OfficePagination(ApiPagination):
    """The list's pages; with updated_since, each also lists the removals."""

    def get_paginated_response_schema(self, schema):
        page = super().get_paginated_response_schema(schema)
        page["properties"]["removed"] = REMOVED_SCHEMA
        return page


class Gone(exceptions.APIException):
    status_code = 410
    default_code = "gone"
    default_detail = _("The office at this address was withdrawn from the public site.")


@extend_schema_view(
    get=documented(
        OfficeSummarySerializer,
        translated=True,
        summary=_("Published offices"),
        description=_(
            "The published offices, by name (by relevance with q), in pages. "
            "The filters are the public index's, plus updated_since; they "
            "combine. With updated_since, removed lists the offices withdrawn "
            "since then."
        ),
        errors=[(404, _("No such page of results."))],
        parameters=[OfficeQuerySerializer],
        operation_id="offices_list",
        tags=["offices"],
    )
)
class OfficeListView(PublicDataView, ListAPIView):
    serializer_class = OfficeSummarySerializer
    query_serializer_class = OfficeQuerySerializer
    pagination_class = OfficePagination

    def get_queryset(self):
        filters = dict(self.query)
        updated_since = filters.pop("updated_since", None)
        offices = Office.objects.published().filtered(**filters)
        if updated_since:
            offices = offices.filter(updated_at__gte=updated_since)
        # By relevance first when searching; then by the name the reader sees.
        first = ["-rank"] if filters.get("q") else []
        return offices.with_field_office_count().in_reader_order(*first)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        if "updated_since" in self.query:
            removals = OfficeRemoval.objects.since(self.query["updated_since"])
            response.data["removed"] = RemovalSerializer(removals, many=True).data
        return response


@extend_schema_view(
    get=documented(
        OfficeSerializer,
        translated=True,
        summary=_("One published office"),
        description=_("Everything its public profile shows."),
        errors=[
            (301, _("A former address of the office: see Location.")),
            (404, _("No published office at this address.")),
            (
                410,
                _("The office at this address was withdrawn (unpublished or deleted)."),
            ),
        ],
        parameters=[
            OpenApiParameter(
                "slug",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description=_("The office's slug, as in the list."),
            ),
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[301],
                description=_(
                    "The office's current address, with the same query string."
                ),
            ),
        ],
        operation_id="offices_retrieve",
        tags=["offices"],
    )
)
class OfficeDetailView(PublicDataView, RetrieveAPIView):
    serializer_class = OfficeSerializer
    lookup_field = "slug"
    page_lookup = PageLookup(Office.objects.published)

    def get_queryset(self):
        return (
            Office.objects.published().with_field_office_count().with_page_relations()
        )

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except exceptions.NotFound:
            response = self.not_published(request, kwargs["slug"])
            if response is None:
                raise
            return response

    def not_published(self, request, slug):
        """No published office at slug: a 301 if it is a former address of
        one (a current slug has won already, as on the pages), Gone (410) if
        an office was withdrawn from it, else None."""
        moved_to = (
            Office.objects.published()
            .with_old_slug(slug)
            .values_list("slug", flat=True)
            .first()
        )
        if moved_to is not None:
            url = reverse("api:office-detail", args=[moved_to])
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(url + (f"?{query}" if query else ""))
        if OfficeRemoval.objects.filter(slug=slug).exists():
            raise Gone
        return None

"""The vocabulary and mandates in the open-data API (see hrprofile/api/)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from hrprofile.api import (
    CODE_HELP,
    CodeLabelSerializer,
    PublicDataView,
    documented,
)
from hrprofile.links import absolute_url
from mandates.models import (
    MandateKind,
    Shift,
    SpotlightPopulation,
    Tag,
    ThematicPillar,
)


class MandateKindSerializer(CodeLabelSerializer):
    """The kind of legal basis: its code and label."""

    choices = MandateKind
    code = serializers.ChoiceField(MandateKind.choices, help_text=CODE_HELP)


class TermSerializer(serializers.Serializer):
    """A thematic pillar, shift or spotlight population."""

    slug = serializers.SlugField(
        help_text=_(
            "Identifies the term in the offices' filters (pillar, shift, "
            "population) and in its page's address."
        )
    )
    name = serializers.CharField(help_text=_("The term as the profiles show it."))
    description = serializers.CharField(
        help_text=_("One line on what it covers; may be empty.")
    )
    page_url = serializers.SerializerMethodField(
        help_text=_("The term's public page, which lists the offices working on it.")
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, term):
        return absolute_url(term.get_absolute_url())


class TagSerializer(serializers.Serializer):
    """A free label editors put on profiles."""

    slug = serializers.SlugField(help_text=_("Identifies the tag."))
    name = serializers.CharField(help_text=_("The tag as the profiles show it."))


class MandateSerializer(serializers.Serializer):
    """The legal basis of an office's work."""

    kind = MandateKindSerializer(help_text=_("What kind of legal basis it is."))
    title = serializers.CharField(
        help_text=_('For example "Security Council resolution 2522 (2020)".')
    )
    symbol = serializers.CharField(
        help_text=_('The UN document symbol, e.g. "S/RES/2522 (2020)"; may be empty.')
    )
    adopted_on = serializers.DateField(
        allow_null=True,
        help_text=_("When it was adopted or signed (ISO 8601 date), or null."),
    )
    integrated_in = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "For a thematic mandate: the year it was integrated into the "
            "office's work, or null."
        ),
    )
    summary = serializers.CharField(
        help_text=_("What it asks of the office; may be empty.")
    )
    url = serializers.CharField(
        source="link",
        help_text=_(
            "The text of the resolution or agreement (an http or https URL); "
            "may be empty."
        ),
    )


class VocabularyView(PublicDataView, ListAPIView):
    """One vocabulary, all of it, in the order profiles list it.

    Not paginated: editors keep it short.
    """

    model = None
    serializer_class = TermSerializer
    pagination_class = None

    def get_queryset(self):
        return self.model.objects.all()


def documented_vocabulary(summary, description, operation_id, serializer):
    return extend_schema_view(
        get=documented(
            serializer(many=True),
            translated=True,
            summary=summary,
            description=description,
            operation_id=operation_id,
            tags=["vocabulary"],
        )
    )


@documented_vocabulary(
    _("Thematic pillars"),
    _("Every thematic pillar; filter the offices with pillar=<slug>."),
    "pillars_list",
    TermSerializer,
)
class PillarListView(VocabularyView):
    model = ThematicPillar


@documented_vocabulary(
    _("Shifts"),
    _("Every shift; filter the offices with shift=<slug>."),
    "shifts_list",
    TermSerializer,
)
class ShiftListView(VocabularyView):
    model = Shift


@documented_vocabulary(
    _("Spotlight populations"),
    _("Every spotlight population; filter the offices with population=<slug>."),
    "populations_list",
    TermSerializer,
)
class PopulationListView(VocabularyView):
    model = SpotlightPopulation


@documented_vocabulary(
    _("Tags"),
    _("Every tag editors put on profiles."),
    "tags_list",
    TagSerializer,
)
class TagListView(VocabularyView):
    model = Tag
    serializer_class = TagSerializer

"""The index page's search and filters: a plain GET form, so any view is a URL."""

from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Exists, OuterRef, Q, StringAgg, Subquery, Value
from django.utils.translation import gettext_lazy as _

from mandates.models import Mandate, Shift, SpotlightPopulation, ThematicPillar
from offices.models import EngagementType, FieldOffice, Region

# Both sides of the match must use the same text-search configuration.
SEARCH_CONFIG = "english"


class SearchField(forms.CharField):
    """Free text; NUL characters are dropped (PostgreSQL cannot store them)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\x00", "")
        return super().to_python(value)


def _aggregated_names(model, field):
    """A subquery joining the names of an office's related rows into one text."""
    return Subquery(
        model.objects.filter(office=OuterRef("pk"))
        .order_by()
        .values("office")
        .annotate(names=StringAgg(field, delimiter=Value(" ")))
        .values("names")
    )


def search(offices, text):
    """Offices matching text, best first.

    Full-text search over name and country (weight A), field offices and
    mandate titles (B) and the profile prose (C). The related names come in
    through subqueries, so an office is never repeated. A plain substring match
    on the name, country or a field office also counts, so that a partial word
    ("Erb" for Erbil) still finds something; such matches rank last.
    """
    vector = (
        SearchVector("name", "country", weight="A", config=SEARCH_CONFIG)
        + SearchVector(
            _aggregated_names(FieldOffice, "name"),
            _aggregated_names(Mandate, "title"),
            weight="B",
            config=SEARCH_CONFIG,
        )
        + SearchVector("profile", weight="C", config=SEARCH_CONFIG)
    )
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    substring = (
        Q(name__icontains=text)
        | Q(country__icontains=text)
        | Exists(
            FieldOffice.objects.filter(office=OuterRef("pk"), name__icontains=text)
        )
    )
    return (
        offices.alias(document=vector)
        .annotate(rank=SearchRank(vector, query))
        .filter(Q(document=query) | substring)
        .order_by("-rank", "name")
    )


def _term_choices(model):
    return [("", _("All")), *model.objects.values_list("slug", "name")]


class OfficeFilterForm(forms.Form):
    q = SearchField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput,
        help_text=_("Name, country, city, mandate or words from the profile."),
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("All")), *Region.choices]
    )
    engagement = forms.ChoiceField(
        label=_("Type of engagement"),
        required=False,
        choices=[("", _("All")), *EngagementType.choices],
    )
    pillar = forms.ChoiceField(label=_("Thematic pillar"), required=False)
    shift = forms.ChoiceField(label=_("Shift"), required=False)
    population = forms.ChoiceField(label=_("Spotlight population"), required=False)

    # Form field -> the Office lookup it filters on.
    lookups = {
        "region": "region",
        "engagement": "engagement_type",
        "pillar": "pillars__slug",
        "shift": "shifts__slug",
        "population": "spotlight_populations__slug",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        # One query per vocabulary; validating a value then costs none.
        self.fields["pillar"].choices = _term_choices(ThematicPillar)
        self.fields["shift"].choices = _term_choices(Shift)
        self.fields["population"].choices = _term_choices(SpotlightPopulation)

    def is_filtered(self):
        return any(self.data.get(name) for name in self.fields)

    def filter(self, offices):
        """Apply every valid field; an invalid one is ignored (its error is shown).

        Each slug is unique, so a many-to-many lookup joins at most one row per
        office and the results hold no duplicates.
        """
        self.is_valid()
        data = self.cleaned_data
        offices = offices.filter(
            **{
                lookup: data[name]
                for name, lookup in self.lookups.items()
                if data.get(name)
            }
        ).with_field_office_count()
        if data.get("q"):
            return search(offices, data["q"])
        # Region values sort in their declared order, which regroup relies on.
        return offices.order_by("region", "name")

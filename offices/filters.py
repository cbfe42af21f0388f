"""The index page's search and filters: a plain GET form, so any view is a URL."""

import html

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from offices.compiled import vocabulary_choices
from offices.models import EngagementType, Region


class SearchField(forms.CharField):
    """Free text; NUL characters are dropped (PostgreSQL cannot store them)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\x00", "")
        return super().to_python(value)


class PlainSelect(forms.Select):
    """A single-choice <select> whose options are written here, not each
    rendered from a template: Django's widget renders a template per option,
    which was a third of an uncached index page (34 options). Same markup,
    attributes (id, aria-describedby, required…) as the widget's."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        # conditional_escape() of each value and label, without its lazy
        # wrapper's cost (a dozen µs an option): the same text.
        options = "".join(
            f'<option value="{_escape(key)}"'
            f"{' selected' if str(key) in selected else ''}>{_escape(label)}</option>"
            for key, label in self.choices
        )
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html(
            "<select{}>{}</select>", flatatt(final_attrs), mark_safe(options)
        )


def _escape(value):
    """django.utils.html.conditional_escape(value), as a str."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _term_choices(terms):
    return [("", _("All")), *terms]


class OfficeFilterForm(forms.Form):
    q = SearchField(
        label=_("Search"),
        required=False,
        max_length=200,
        # A query runs the way it is typed (Arabic on an English page too).
        widget=forms.SearchInput(attrs={"dir": "auto"}),
        help_text=_("Name, country, city, mandate or words from the profile."),
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        choices=[("", _("All")), *Region.choices],
        widget=PlainSelect,
    )
    engagement = forms.ChoiceField(
        label=_("Type of engagement"),
        required=False,
        choices=[("", _("All")), *EngagementType.choices],
        widget=PlainSelect,
    )
    pillar = forms.ChoiceField(
        label=_("Thematic pillar"), required=False, widget=PlainSelect
    )
    shift = forms.ChoiceField(label=_("Shift"), required=False, widget=PlainSelect)
    population = forms.ChoiceField(
        label=_("Spotlight population"), required=False, widget=PlainSelect
    )

    # Form field -> its keyword in OfficeQuerySet.filtered(), which is also
    # the API's name for the parameter; the others have the same name.
    filter_keywords = {"engagement": "engagement_type"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        # One query per vocabulary, compiled once and asked in one round
        # trip (vocabulary_choices); validating a value then costs none.
        pillars, shifts, populations = vocabulary_choices()
        self.fields["pillar"].choices = _term_choices(pillars)
        self.fields["shift"].choices = _term_choices(shifts)
        self.fields["population"].choices = _term_choices(populations)

    def is_filtered(self):
        return self.is_filtering(self.data)

    @classmethod
    def is_filtering(cls, data):
        """Whether a query string asks for a search or a filter."""
        return any(data.get(name) for name in cls.base_fields)

    @classmethod
    def selection(cls, data):
        """What the form is asked, as a hashable list: the value of each of its
        fields (the last one, as the form reads it), and nothing else."""
        return [(name, data.get(name, "")) for name in cls.base_fields]

    def filters(self):
        """The valid values asked for, as OfficeQuerySet.filtered()'s keywords
        (the API's parameters). An empty value is "All" and an invalid one is
        left out: the index ignores it and shows its error."""
        self.is_valid()
        return {
            self.filter_keywords.get(name, name): value
            for name, value in self.cleaned_data.items()
            if value
        }

    def filter(self, offices):
        """offices.filtered() by the valid values, with field_office_count; in
        the order of search() when searching, else by region (in declared
        order, which the index's regroup relies on) and name."""
        filters = self.filters()
        offices = offices.filtered(**filters).with_field_office_count()
        return offices if "q" in filters else offices.in_reader_order("region")

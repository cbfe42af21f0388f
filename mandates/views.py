from django.http import Http404, HttpResponsePermanentRedirect
from django.template.loader import render_to_string
from django.views.generic import DetailView

from hrprofile.views import PageLookup, PublicPageMixin
from mandates.models import Shift, SpotlightPopulation, ThematicPillar

OFFICES_TEMPLATE = "mandates/includes/_term_offices.html"


class TermDetailView(PublicPageMixin, DetailView):
    """A term's page: its description and the published offices working on it."""

    template_name = "mandates/term_detail.html"
    context_object_name = "term"

    def get(self, request, *args, **kwargs):
        # For an anonymous read the content version's query has said whether
        # a term is at this address.
        version = self.content_version
        if version is None or version.page_exists:
            try:
                return super().get(request, *args, **kwargs)
            except Http404:
                pass
        # A current slug always wins; only then is it a former address.
        term = self.model.objects.with_old_slug(kwargs["slug"]).first()
        if term is None:
            raise Http404(f"No {self.model._meta.verbose_name} at this address.")
        return HttpResponsePermanentRedirect(term.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The reverse manager carries the offices' own QuerySet methods.
        context["offices"] = (
            self.object.offices.published().with_field_office_count().in_reader_order()
        )
        context["filter_name"] = self.filter_name
        context["kind"] = self.model._meta.verbose_name

        def render():
            return render_to_string(OFFICES_TEMPLATE, context, self.request)

        # The list is what grows with the site: an anonymous read's is
        # stored by content version and term (stored_part).
        context["offices_section"] = self.stored_part(
            render, "term-offices", self.model._meta.label, self.object.pk
        )
        return context


class PillarDetailView(TermDetailView):
    model = ThematicPillar
    page_lookup = PageLookup(ThematicPillar.objects.all)
    filter_name = "pillar"


class ShiftDetailView(TermDetailView):
    model = Shift
    page_lookup = PageLookup(Shift.objects.all)
    filter_name = "shift"


class PopulationDetailView(TermDetailView):
    model = SpotlightPopulation
    page_lookup = PageLookup(SpotlightPopulation.objects.all)
    filter_name = "population"

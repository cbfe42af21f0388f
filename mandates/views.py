from django.http import Http404, HttpResponsePermanentRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.views.generic import DetailView

from hrprofile.links import absolute_url
from hrprofile.pagecache import PageLookup, PublicPageMixin
from hrprofile.structured_data import json_ld_script
from hrprofile.translations import SOURCE_LANGUAGE, active_language
from mandates.models import Shift, SpotlightPopulation, ThematicPillar

OFFICES_TEMPLATE = "mandates/includes/_term_offices.html"


class TermDetailView(PublicPageMixin, DetailView):
    """A term's page: its description and the published offices working on it."""

    template_name = "mandates/term_detail.html"
    context_object_name = "term"

    @property
    def version_scope(self):
        """Stored until its vocabulary, or an office it lists, changes
        (settings.PAGE_VERSION's scope for a vocabulary: its table)."""
        return self.model._meta.db_table

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
        term = self.object
        context["description"] = term.description or gettext(
            "UN Human Rights field presences working on %(name)s."
        ) % {"name": term.name}
        # The vocabulary is published whole by the API: its list names the set.
        vocabulary = absolute_url(reverse(f"api:{self.filter_name}-list"))
        context["json_ld"] = json_ld_script(
            defined_term_ld(
                term, context["canonical_url"], context["description"], vocabulary
            )
        )

        def render():
            return render_to_string(OFFICES_TEMPLATE, context, self.request)

        # The list is what grows with the site: an anonymous read's is
        # stored by content version and term (stored_part).
        context["offices_section"] = self.stored_part(
            render, "term-offices", self.model._meta.label, self.object.pk
        )
        return context


def defined_term_ld(term, url, description, vocabulary):
    """The term as a schema.org DefinedTerm of its vocabulary, a DefinedTermSet
    identified by vocabulary (an address), in the language it is written in:
    the reader's, or English while the term has no translation into it."""
    language = active_language()
    return {
        "@context": "https://schema.org",
        "@type": "DefinedTerm",
        "@id": f"{url}#term",
        "name": term.name,
        "description": description,
        "url": url,
        "inLanguage": language if term.has_translation(language) else SOURCE_LANGUAGE,
        "inDefinedTermSet": {
            "@type": "DefinedTermSet",
            "@id": vocabulary,
            "name": capfirst(term._meta.verbose_name_plural),
            "inLanguage": language,
        },
    }


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

from django.views.generic import DetailView

from mandates.models import Shift, SpotlightPopulation, ThematicPillar


class PillarDetailView(DetailView):
    model = ThematicPillar


class ShiftDetailView(DetailView):
    model = Shift


class PopulationDetailView(DetailView):
    model = SpotlightPopulation

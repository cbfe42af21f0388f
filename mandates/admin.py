from django.contrib import admin

from mandates.models import Mandate, Shift, SpotlightPopulation, ThematicPillar

admin.site.register([Mandate, Shift, SpotlightPopulation, ThematicPillar])

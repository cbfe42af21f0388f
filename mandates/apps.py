from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MandatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mandates"
    verbose_name = _("Mandates and focus areas")

    def ready(self):
        # The audit trail's automatic entries (django-auditlog), set up here
        # as offices/apps.py does and for the same reasons.
        from auditlog.registry import auditlog

        from mandates.models import (
            Mandate,
            Shift,
            SpotlightPopulation,
            Tag,
            ThematicPillar,
        )

        auditlog.register(Mandate, exclude_fields=["copied_from"])
        for term in (ThematicPillar, Shift, SpotlightPopulation, Tag):
            auditlog.register(term)

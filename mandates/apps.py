from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MandatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mandates"
    verbose_name = _("Mandates and focus areas")

    def ready(self):
        # The audit trail's automatic entries (django-auditlog), set up here
        # as offices/apps.py does and for the same reasons.
        import reversion
        from auditlog.registry import auditlog

        from hrprofile.translations import translated_fields
        from mandates.models import (
            Mandate,
            Shift,
            SpotlightPopulation,
            Tag,
            ThematicPillar,
        )

        # Versions (django-reversion) are registered here, not under each
        # class: reversion lists a model's fields when it is registered, and
        # the translation fields (mandates/translation.py) exist only once
        # modeltranslation, listed before this app, has loaded.
        for model in (Mandate, ThematicPillar, Shift, SpotlightPopulation, Tag):
            reversion.register(model)

        # Translated fields are recorded per language (name_en, name_fr…): the
        # original column only mirrors the English.
        auditlog.register(
            Mandate, exclude_fields=["copied_from", *translated_fields(Mandate)]
        )
        for term in (ThematicPillar, Shift, SpotlightPopulation, Tag):
            auditlog.register(term, exclude_fields=list(translated_fields(term)))

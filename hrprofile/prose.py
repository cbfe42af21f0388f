"""Prose: multi-line text shown to the public, with its line breaks as LF only.

Browsers send a textarea's line breaks as CRLF; text that came from the demo,
an import, the API or the shell has LF. Stored as sent, the same words would
differ by their line endings: a phantom change in every diff, a new version,
and every checked translation out of date (its fingerprint covers the
English text's bytes). So the form field turns CRLF and lone CR into LF, and
the model field normalises whatever the ORM writes (a save, an update(), a
revert to an old version), and the database refuses a CR in those columns
(prose_constraint), so that raw SQL and other clients cannot bring one back.
"""

from django import forms
from django.db import models
from django.db.models import Q
from django.utils.text import normalize_newlines
from django.utils.translation import gettext_lazy as _

from hrprofile.translations import translation_column_names


class ProseFormField(forms.CharField):
    """A CharField whose line breaks come out as LF, however they were sent."""

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_newlines(value) if value else value


class ProseField(models.TextField):
    """A TextField whose line breaks are LF only: edited through
    ProseFormField, and normalised on the way to the database too (a save
    from the shell, an update(), a revert to a version recorded before).
    django-modeltranslation's per-language fields subclass it."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ProseFormField, **kwargs})

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if isinstance(value, str) and "\r" in value:
            value = normalize_newlines(value)
            setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return normalize_newlines(value) if isinstance(value, str) else value


def prose_constraint(name, fields):
    """The database's own guard: no carriage return in these prose fields,
    in any language (each translated field's columns, the original too)."""
    condition = Q()
    for field in fields:
        for column in translation_column_names(field):
            condition &= ~Q(**{f"{column}__contains": "\r"})
    return models.CheckConstraint(
        condition=condition,
        name=name,
        violation_error_message=_(
            "Line breaks are stored as LF only: remove the carriage returns."
        ),
    )

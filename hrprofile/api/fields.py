"""Serializer fields the apps' APIs share: a choice as its code and label, and
query filters by a fixed value or by a slug that name the accepted values."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class CodeLabelSerializer(serializers.Serializer):
    """A choice as its stable code and its label in the reader's language.

    A subclass sets choices (the TextChoices) and declares code as a
    ChoiceField of them, so the schema lists the codes.
    """

    choices = None
    code = serializers.CharField(help_text=_("Stable: use it in programs."))
    label = serializers.CharField(
        help_text=_("For people, in the language of the answer.")
    )

    def to_representation(self, value):
        return {"code": value, "label": str(self.choices(value).label)}


# The help text of every CodeLabelSerializer's code.
CODE_HELP = _("Stable: use it in programs and in filters.")


class ChoiceFilter(serializers.ChoiceField):
    """A filter with fixed values (a region): a wrong one is refused, and the
    message lists the right ones."""

    default_error_messages = {
        "invalid_choice": _('"{input}" is not one of its values: {values}.')
    }

    def to_internal_value(self, data):
        try:
            return self.choice_strings_to_values[str(data)]
        except KeyError:
            values = ", ".join(self.choice_strings_to_values)
            self.fail("invalid_choice", input=data, values=values)


class SlugFilter(serializers.SlugField):
    """A filter by the slug of a row of queryset (a term): an unknown one is
    refused like a wrong ChoiceFilter value, for one query of the slugs."""

    default_error_messages = ChoiceFilter.default_error_messages

    def __init__(self, *, queryset, **kwargs):
        self.queryset = queryset
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        slug = super().to_internal_value(data)
        slugs = list(self.queryset.values_list("slug", flat=True))
        if slug not in slugs:
            self.fail("invalid_choice", input=slug, values=", ".join(slugs))
        return slug

"""Admin forms for the office profile and its review cycle."""

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from offices.models import FieldOffice


class FieldOfficeForm(forms.ModelForm):
    class Meta:
        model = FieldOffice
        fields = ["name", "note", "is_head_office", "position"]

    def validate_constraints(self):
        # "One head office" is checked by the formset across the whole
        # submission: per row, the database still holds the old head office, so
        # moving the flag from Baghdad to Erbil would wrongly fail here.
        exclude = self._get_validation_exclusions() | {"is_head_office"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


class FieldOfficeFormSet(forms.BaseInlineFormSet):
    """All of an office's field offices, checked together."""

    def head_office_forms(self):
        return [
            form
            for form in self.forms
            if not self._should_delete_form(form)
            and form.cleaned_data.get("is_head_office")
        ]

    def clean(self):
        super().clean()
        if len(self.head_office_forms()) > 1:
            raise ValidationError(
                _("Tick “head office” for one field office only."),
                code="one_head_office",
            )

    def save(self, commit=True):
        # Rows are saved one by one, and the head office may have moved since
        # the page was loaded (another editor, another tab): clear the flag on
        # every other row first, so the submitted head office wins like the
        # rest of the page instead of breaking the one-head constraint.
        heads = self.head_office_forms()
        if commit and heads:
            self.instance.field_offices.filter(is_head_office=True).exclude(
                pk=heads[0].instance.pk
            ).update(is_head_office=False)
        return super().save(commit)


class MarkReviewedForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Optional: what was checked or changed."),
    )


class DeferReviewForm(forms.Form):
    until = forms.DateField(
        label=_("Defer until"),
        widget=AdminDateWidget,
        help_text=_("The review will not be due before this date."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_('For example "waiting for the new mandate resolution".'),
    )

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.office = office

    def clean_until(self):
        until = self.cleaned_data["until"]
        today = timezone.localdate()
        if until <= today:
            raise ValidationError(_("Choose a date after today."), code="not_in_future")
        latest = self.office.latest_deferral(today)
        if until > latest:
            raise ValidationError(
                _(
                    "A review can be deferred by at most one review interval "
                    "(and never more than two years): choose %(date)s or earlier."
                ),
                code="too_far",
                params={"date": date_format(latest)},
            )
        return until

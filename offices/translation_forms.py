"""The translation view's forms: one language's text of an office, of its
field offices and of its mandates, and nothing else.

Each form has only that language's columns: whatever else is posted (the
English, another language, the status, the address) is not a field of any
of them and is never read. The office's form is an OfficeEditForm, so the
page carries the edit counter and a save that came after the page was
opened is refused with what it changed, as on the change form.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from hrprofile.translations import SOURCE_LANGUAGE, column
from offices.forms import OfficeEditForm
from offices.freshness import language_name
from offices.models import OFFICE_TEXT_FIELDS, TEXT_ROWS, Office


def _label(model, name, language):
    return _("%(field)s in %(language)s") % {
        "field": capfirst(model._meta.get_field(name).verbose_name),
        "language": language_name(language),
    }


def _text_form(model, names, language, base=forms.ModelForm):
    """A form of model's columns of names in language, each labelled
    "<Field> in <Language>" and marked with the language's lang and dir."""
    attrs = {
        "lang": language,
        "dir": "rtl" if get_language_info(language)["bidi"] else "ltr",
    }
    columns = [column(name, language) for name in names]
    widgets = {}
    for attname in columns:
        field = model._meta.get_field(attname)
        widget = (
            forms.Textarea(attrs={**attrs, "rows": 4})
            if field.get_internal_type() == "TextField"
            else forms.TextInput(attrs=attrs)
        )
        widgets[attname] = widget
    form_class = modelform_factory(
        model,
        form=base,
        fields=columns,
        widgets=widgets,
        labels={
            attname: _label(model, name, language)
            for name, attname in zip(names, columns, strict=True)
        },
        # The English help text is for writing the English.
        help_texts=dict.fromkeys(columns, ""),
    )
    form_class.text_names = dict(zip(columns, names, strict=True))
    return form_class


class RowForm(forms.ModelForm):
    """One field office's or mandate's text in the language.

    A field office's name is unique per office in every language: two rows
    given the same name are refused here, before the database would.
    """

    siblings = ()

    def clean(self):
        cleaned_data = super().clean()
        for attname in self._meta.fields:
            if not attname.startswith("name_") or not cleaned_data.get(attname):
                continue
            value = cleaned_data[attname]
            if any(
                other.cleaned_data.get(attname) == value
                for other in self.siblings
                if other is not self and hasattr(other, "cleaned_data")
            ):
                self.add_error(
                    attname,
                    ValidationError(
                        _("Another field office has this name."), code="unique"
                    ),
                )
        return cleaned_data


class TranslationForms:
    """The office's form and one form per field office and mandate, in the
    order of the English text (OFFICE_TEXT_FIELDS, TEXT_ROWS).

    A row's form is named by the row's number in that order
    ("field_offices-2-name_fr"): a draft copy's rows are other rows with the
    same numbers, so a page opened on a published office saves into the
    draft the save starts.
    """

    def __init__(self, office, language, data=None, *, edit_conflict=False):
        self.office, self.language, self.data = office, language, data
        office_class = _text_form(Office, OFFICE_TEXT_FIELDS, language, OfficeEditForm)
        if edit_conflict:
            office_class.edit_conflict = True
        self.office_form = office_class(data, instance=office, label_suffix="")
        self.rows = []
        for rows in TEXT_ROWS:
            model = Office._meta.get_field(rows.relation).related_model
            row_class = _text_form(model, rows.fields, language, RowForm)
            found = [
                (
                    number,
                    row_class(
                        data,
                        instance=row,
                        prefix=f"{rows.relation}-{number}",
                        label_suffix="",
                    ),
                )
                for number, row in rows.ordered(getattr(office, rows.relation).all())
            ]
            for _number, form in found:
                form.siblings = [other for _n, other in found]
            self.rows.append((rows, found))

    @property
    def row_forms(self):
        return [form for _rows, found in self.rows for _number, form in found]

    @property
    def forms(self):
        return [self.office_form, *self.row_forms]

    def is_valid(self):
        # Every form validated, so that every error shows at once.
        valid = [form.is_valid() for form in self.forms]
        return all(valid)

    def bound_to(self, office):
        """The same data bound to office (the draft a save started), at its
        edit counter: what was checked against the published office."""
        data = self.data.copy()
        data["edit_version"] = office.edit_version
        return TranslationForms(office, self.language, data)

    def has_changed(self):
        return any(form.has_changed() for form in self.forms)

    def english(self, form, attname):
        """The English text of the field a form's column translates."""
        return getattr(form.instance, column(form.text_names[attname], SOURCE_LANGUAGE))

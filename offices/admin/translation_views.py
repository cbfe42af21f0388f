"""The translation view: one office's text in one language, beside the English.

…/office/<pk>/translate/<language>/ shows, field by field in the order of
the public page, the English (read-only) with what changed in it since the
language was last checked marked word by word, and that language's inputs.
Saving is an edit like any other: a published office's translation is saved
in its draft copy (the save starts one if there is none), with the change
form's revision, audit entries, edit counter and scheduling rule
(OfficeAdmin.save_model, save_related, log_change).

Editors who may work on the office translate every language; a translator
the languages they are assigned (offices/translators.py).
"""

from types import SimpleNamespace

import reversion
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from hrprofile.translations import SOURCE_LANGUAGE
from offices import editorial, freshness, textdiff, translators
from offices.admin.layout import is_live_published
from offices.admin.views import OfficeAdminView
from offices.models import Office
from offices.translation_forms import TranslationForms


def translate_page(office, language):
    return redirect("admin:offices_office_translate", office.pk, language)


class TranslationAccessMixin:
    """An office page about one of its translations (the view, "Mark checked").

    The language comes first: English is the change form's, any other code a
    404. Then the office: a live one or a draft copy, which the user may work
    on (editors) or is assigned to translate into the language (translators);
    a PermissionDenied otherwise.
    """

    def dispatch(self, request, *args, **kwargs):
        language = kwargs["language"]
        if language == SOURCE_LANGUAGE:
            return redirect("admin:offices_office_change", kwargs["object_id"])
        if language not in dict(freshness.translation_languages()):
            raise Http404
        self.language = language
        return super().dispatch(request, *args, **kwargs)

    def get_office(self, object_id):
        # Not OfficeAdmin.get_object, which is limited to the offices the
        # user edits: a translator edits none, only their languages.
        offices = Office.objects.filter(
            Q(draft_of__isnull=True, deleted_at__isnull=True)
            | Q(draft_of__isnull=False, draft_of__deleted_at__isnull=True)
        ).select_related("draft", "draft_of")
        try:
            office = offices.get(pk=Office._meta.pk.to_python(unquote(object_id)))
        except (Office.DoesNotExist, ValidationError, ValueError):
            return None
        if not self.may_translate(office, self.language):
            raise PermissionDenied
        # The forms and the English text read the same rows.
        prefetch_related_objects([office], *freshness.TEXT_RELATIONS)
        return office

    def may_translate(self, office, language):
        return language in self.translatable_languages(office)

    def translatable_languages(self, office):
        """The languages the user may translate office into, asked once."""
        if not hasattr(self, "_translatable"):
            languages = frozenset(dict(freshness.translation_languages()))
            self._translatable = (
                languages
                if self.model_admin.may_work_on(self.request, office)
                else languages
                & translators.assigned_languages(
                    self.request.user, office.draft_of or office
                )
            )
        return self._translatable


class TranslationView(TranslationAccessMixin, OfficeAdminView):
    """The English and one language's text of an office, side by side."""

    def get(self, request, object_id, language):
        office = self.office
        draft = pending_draft(office)
        if draft is not None:
            # The published office's text changes in its draft.
            return translate_page(draft, language)
        return self.page(TranslationForms(office, language))

    def post(self, request, object_id, language):
        # office.py imports this module for its URLs.
        from offices.admin.office import EditConflict

        office = self.office
        draft = pending_draft(office)
        # A draft started after this page was opened on the published
        # office: its text is not what the page showed.
        target = draft or office
        forms = TranslationForms(
            target, language, request.POST, edit_conflict=draft is not None
        )
        if not forms.is_valid():
            return self.page(forms)
        if not forms.has_changed():
            # Nothing to save, and no draft to start for it.
            self.message(_("Nothing was changed."), messages.INFO)
            return translate_page(target, language)
        try:
            with transaction.atomic():
                if is_live_published(target):
                    target = editorial.start_draft(office, by=request.user)
                    forms = forms.bound_to(target)
                    if not forms.is_valid():
                        # The copy is not what the page was checked
                        # against: a save came between.
                        raise EditConflict
                self.save(forms)
        except editorial.EditorialError as error:
            self.message(str(error), messages.ERROR)
            return translate_page(office, language)
        except EditConflict:
            # Everything was rolled back: the page again, refused, with what
            # the other save changed.
            return self.page(
                TranslationForms(
                    pending_draft(office) or office,
                    language,
                    request.POST,
                    edit_conflict=True,
                )
            )
        self.message(saved_message(target, language), messages.SUCCESS)
        return translate_page(target, language)

    def save(self, forms):
        """Save as the change form does: its hooks, in a revision of the
        office with its rows, and the admin's log entry as its comment."""
        model_admin, request = self.model_admin, self.request
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(request.user)
            office = forms.office_form.save(commit=False)
            model_admin.save_model(request, office, forms.office_form, change=True)
            # Each changed row as the change message reads an inline's.
            rows = []
            for form in forms.row_forms:
                if form.has_changed():
                    form.save()
                    rows.append(
                        SimpleNamespace(
                            forms=[form],
                            new_objects=[],
                            changed_objects=[(form.instance, form.changed_data)],
                            deleted_objects=[],
                        )
                    )
            model_admin.save_related(request, forms.office_form, [], change=True)
            model_admin.log_change(
                request,
                office,
                model_admin.construct_change_message(
                    request, forms.office_form, rows, False
                ),
            )

    def page(self, forms):
        office, language = forms.office, forms.language
        live = office.draft_of or office
        english = office.english_text()
        status = freshness.translation_status(office, language, english)
        checked_text = status.check.english_text if status.check else None
        info = get_language_info(language)
        return self.render(
            "admin/offices/office/translate.html",
            _("Translate “%(office)s” into %(language)s")
            % {"office": live, "language": freshness.language_name(language)},
            original=office,
            live_office=live,
            is_draft_copy=bool(office.draft_of_id),
            language=language,
            language_name=freshness.language_name(language),
            language_dir="rtl" if info["bidi"] else "ltr",
            status=status,
            forms=forms,
            errors=[form for form in forms.forms if form.errors],
            sections=sections(forms, dict(english), checked_text),
            other_languages=[
                (code, name)
                for code, name in freshness.translation_languages()
                if code != language and self.may_translate(office, code)
            ],
            can_submit=editorial.is_draft(office),
            submit_url=reverse("admin:offices_office_submit", args=[office.pk]),
            media=self.model_admin.media,
        )


def pending_draft(office):
    """The draft copy of a live office that has one, else None."""
    if office.draft_of_id:
        return None
    try:
        return office.draft
    except Office.DoesNotExist:
        return None


def saved_message(office, language):
    values = {"language": freshness.language_name(language), "office": office}
    if office.draft_of_id:
        return (
            _(
                "The %(language)s translation is saved in the draft of "
                "“%(office)s”. The public page shows the published version until "
                "the draft is published."
            )
            % values
        )
    return _("The %(language)s translation of “%(office)s” is saved.") % values


def sections(forms, english, checked_text):
    """The page's sections: the office's text, its field offices, its
    mandates; each a list of groups (the office, or one row) of fields, with
    the English and, where it changed since the check, its changes marked."""

    def entry(form, attname, key):
        now = english.get(key, "")
        field = form[attname]
        if not now and not field.value() and not field.errors:
            return None  # Nothing to translate, nothing translated.
        before = None if checked_text is None else checked_text.get(key, "")
        # The input is described by the English it translates.
        form.fields[attname].widget.attrs["aria-describedby"] = (
            f"{field.auto_id}-english-label {field.auto_id}-english"
        )
        name = form.text_names[attname]
        return {
            "field": field,
            "english_label": _("%(field)s in English")
            % {"field": capfirst(form._meta.model._meta.get_field(name).verbose_name)},
            "english": now,
            "changes": (
                textdiff.highlight(before, now)
                if before is not None and before != now
                else None
            ),
        }

    office_form = forms.office_form
    office_entries = [
        entry(office_form, attname, name)
        for attname, name in office_form.text_names.items()
    ]
    result = [
        {
            "id": "profile",
            "title": _("Profile"),
            "groups": [
                {"heading": None, "entries": list(filter(None, office_entries))}
            ],
        }
    ]
    titles = {"field_offices": _("Field offices"), "mandates": _("Mandates")}
    for rows, found in forms.rows:
        groups = []
        for number, form in found:
            entries = [
                entry(form, attname, f"{rows.relation}.{number}.{name}")
                for attname, name in form.text_names.items()
            ]
            groups.append(
                {
                    "heading": english.get(f"{rows.relation}.{number}.{rows.fields[0]}")
                    or "—",
                    "errors": form.non_field_errors(),
                    "entries": list(filter(None, entries)),
                }
            )
        if groups:
            result.append(
                {
                    "id": rows.relation.replace("_", "-"),
                    "title": titles[rows.relation],
                    "groups": groups,
                }
            )
    return result

"""The office form's inlines: its field offices, mandates and review history.

Each is bounded: at most max_num rows, and never more forms built.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline, TranslationTabularInline

from hrprofile.admin import TranslatedFieldsAdminMixin
from hrprofile.translations import SOURCE_LANGUAGE
from mandates.models import Mandate
from offices.admin.layout import is_live_published
from offices.forms import FieldOfficeForm, FieldOfficeFormSet
from offices.models import FieldOffice, ReviewRecord


class BoundedInlineMixin:
    """At most max_num rows, and never more forms built, whatever the posted
    TOTAL_FORMS claims: past it, a form error (Django's default bound builds
    up to 2,000 forms, seconds of CPU per request)."""

    def get_formset(self, request, obj=None, **kwargs):
        # The class's max_num: the admin sets an instance's to 0 when rows
        # may not be added, and the rows already there are still posted.
        kwargs.setdefault("absolute_max", type(self).max_num)
        return super().get_formset(request, obj, **kwargs)


class ProfileInlineMixin(BoundedInlineMixin):
    """Field offices and mandates are content: a published office shows
    them, its draft copy edits them."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class PrefetchedRowsFormSet(formset):
            """An unbound formset shows the office's rows as they were
            prefetched with it (OfficeAdmin.get_object, for a draft's page),
            rather than reading them again."""

            def get_queryset(self):
                relation = self.fk.remote_field.cache_name
                prefetched = getattr(self.instance, "_prefetched_objects_cache", {})
                if not self.is_bound and relation in prefetched:
                    return prefetched[relation]
                return super().get_queryset()

        PrefetchedRowsFormSet.__name__ = formset.__name__
        return PrefetchedRowsFormSet

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and not is_live_published(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not is_live_published(
            obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not is_live_published(
            obj
        )


class FieldOfficeInline(
    ProfileInlineMixin, TranslatedFieldsAdminMixin, TranslationTabularInline
):
    # Compact rows of the English name and note (the other languages are
    # edited in the translation view); the template gives every input a
    # (visually hidden) label, which Django's tabular rows lack, for
    # screen-reader users.
    model = FieldOffice
    edited_languages = (SOURCE_LANGUAGE,)
    form = FieldOfficeForm
    formset = FieldOfficeFormSet
    fields = ["name", "note", "is_head_office", "position"]
    template = "admin/offices/office/edit_inline/tabular.html"
    extra = 0
    max_num = 50  # the largest presences have about 20


class MandateInline(
    ProfileInlineMixin, TranslatedFieldsAdminMixin, TranslationStackedInline
):
    # Compact cards of the English text and the facts (office_form.css).
    model = Mandate
    edited_languages = (SOURCE_LANGUAGE,)
    template = "admin/offices/office/edit_inline/stacked.html"
    fields = [
        ("kind", "position"),
        "title",
        ("symbol", "adopted_on", "integrated_in"),
        "summary",
        "url",
    ]
    extra = 0
    max_num = 30


class ReviewRecordInline(BoundedInlineMixin, admin.TabularInline):
    """The office's review history, read-only: it is written by reviews.py."""

    model = ReviewRecord
    verbose_name_plural = _("review history")
    template = "admin/offices/office/edit_inline/tabular.html"
    fields = ["reviewed_on", "kind", "reviewed_by", "note", "deferred_until"]
    readonly_fields = fields
    extra = 0
    max_num = 600  # fifty years of monthly reviews
    can_delete = False

    def get_queryset(self, request):
        # Each row shows the record's __str__, which names its office.
        return super().get_queryset(request).select_related("office", "reviewed_by")

    def has_add_permission(self, request, obj):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Part of the office's page, whose own permission is already checked.
        return True

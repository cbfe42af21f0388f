"""The office list's filters, and its next-review column as lists show it.

The review schedule (review_views.py) shows the same column.
"""

from django.contrib import admin
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from offices import freshness
from offices.models import DUE_SOON_DAYS, Office

# Never-reviewed offices (NULL next_review_on) are due now, so they sort first.
NEXT_REVIEW_ORDER = F("next_review_on").asc(nulls_first=True)


def next_review_html(office, today):
    """The next review date as lists show it: what needs attention stands out.

    `office` must come from Office.objects.with_next_review().
    """
    if office.is_closing:
        return _("Closing – not due")
    if office.is_closed:
        return _("Closed – not due")
    if office.next_review_on is None:
        return format_html("<strong>{}</strong>", _("Never reviewed"))
    due = date_format(office.next_review_on)
    if office.next_review_on < today:
        return format_html(
            "<strong>{}</strong>", _("Overdue since %(date)s") % {"date": due}
        )
    return due


class ReviewStateFilter(admin.SimpleListFilter):
    title = _("review state")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            (
                "due_soon",
                _("Due within %(days)d days") % {"days": DUE_SOON_DAYS},
            ),
            ("up_to_date", _("Up to date")),
            ("never", _("Never reviewed")),
            ("closed", _("Closed (never due)")),
        ]

    def queryset(self, request, queryset):
        # "Overdue" includes open offices never reviewed (they are due now, as
        # for the reminders); "Never reviewed" lists them on their own, as the
        # "next review due" column names them. Closed offices are never due,
        # so they appear only under "Closed".
        today = timezone.localdate()
        match self.value():
            case "overdue":
                return queryset.overdue(today)
            case "due_soon":
                return queryset.due_for_review(today, DUE_SOON_DAYS).exclude(
                    pk__in=Office.objects.overdue(today).values("pk")
                )
            case "up_to_date":
                return queryset.open().exclude(
                    pk__in=Office.objects.due_for_review(today, DUE_SOON_DAYS).values(
                        "pk"
                    )
                )
            case "never":
                return (
                    queryset.open()
                    .with_next_review()
                    .filter(next_review_on__isnull=True)
                )
            case "closed":
                return queryset.filter(closed_on__isnull=False)
        return queryset


class TranslationOutOfDateFilter(admin.SimpleListFilter):
    """Offices whose translation into a language needs checking against the
    English text: changed since it was last checked, or never checked."""

    title = _("translation to check")
    parameter_name = "translation_out_of_date"

    def lookups(self, request, model_admin):
        return freshness.translation_languages()

    def queryset(self, request, queryset):
        if self.value() in dict(freshness.translation_languages()):
            return queryset.filter(
                pk__in=Office.objects.translation_out_of_date(self.value()).values("pk")
            )
        return queryset


class TranslationRecheckFilter(admin.SimpleListFilter):
    """Offices whose translation into a language was checked before checks
    kept the English text: they need a re-check (TranslationState)."""

    title = _("translation needs a re-check")
    parameter_name = "translation_needs_recheck"

    def lookups(self, request, model_admin):
        return freshness.translation_languages()

    def queryset(self, request, queryset):
        if self.value() in dict(freshness.translation_languages()):
            return queryset.filter(
                pk__in=Office.objects.translation_needs_recheck(self.value()).values(
                    "pk"
                )
            )
        return queryset

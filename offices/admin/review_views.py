"""The office admin's review pages and buttons: mark reviewed, defer a
review, mark a translation checked, the review schedule and its calendar
feed. Each calls offices/reviews.py, freshness.py or calendar.py.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from offices import calendar, freshness, reviews
from offices.admin.filters import NEXT_REVIEW_ORDER, next_review_html
from offices.admin.translation_views import TranslationAccessMixin, translate_page
from offices.admin.views import OfficeAdminView, change_page
from offices.forms import DeferReviewForm, MarkReviewedForm
from offices.models import CalendarFeed


class MarkReviewedView(OfficeAdminView):
    """The change page's "Mark as reviewed" button, with its note."""

    http_method_names = ["post"]

    def post(self, request, object_id):
        # A draft copy's review is its office's.
        office = self.office.draft_of or self.office
        form = MarkReviewedForm(request.POST)
        if not form.is_valid():
            self.message(
                _("Not marked as reviewed: %(errors)s")
                % {"errors": " ".join(form.errors["note"])},
                messages.ERROR,
            )
            return change_page(office)
        reviews.mark_reviewed([office], by=request.user, note=form.cleaned_data["note"])
        self.message(
            _("“%(office)s” is marked as reviewed today.") % {"office": office},
            messages.SUCCESS,
        )
        return change_page(office)


class MarkTranslationCheckedView(TranslationAccessMixin, OfficeAdminView):
    """A translation marked as checked against the office's English text.

    On a draft copy (its translation view), the check is the draft's: it is
    recorded on the live office when the draft is published, if the English
    it was made against is the English then published (editorial.publish).
    Translators mark their languages, as in their translation view.
    """

    http_method_names = ["post"]

    def post(self, request, object_id, language):
        office = self.office
        freshness.mark_translation_checked(office, language, by=request.user)
        self.message(
            (
                _(
                    "The %(language)s translation of the draft of “%(office)s” is "
                    "marked as checked against its English text. The check counts "
                    "for the public page once the draft is published."
                )
                if office.draft_of_id
                else _(
                    "The %(language)s translation of “%(office)s” is marked as "
                    "checked against the English text."
                )
            )
            % {
                "language": freshness.language_name(language),
                "office": office.draft_of or office,
            },
            messages.SUCCESS,
        )
        if request.POST.get("next") == "translate":
            return translate_page(office, language)
        return change_page(office.draft_of or office)


class DeferReviewView(OfficeAdminView):
    """An office's next review put off to a date, with the reason."""

    def post(self, request, object_id):
        office = self.office
        if office.draft_of_id:
            return redirect("admin:offices_office_defer_review", office.draft_of_id)
        form = DeferReviewForm(request.POST or None, office=office)
        if form.is_valid():
            until = form.cleaned_data["until"]
            reviews.defer_review(
                office, until=until, by=request.user, reason=form.cleaned_data["reason"]
            )
            self.message(
                _("The review of “%(office)s” is deferred until %(date)s.")
                % {"office": office, "date": date_format(until)},
                messages.SUCCESS,
            )
            return change_page(office)
        return self.form_page(
            office,
            form,
            title=_("Defer the review of “%(office)s”") % {"office": office},
            button=_("Defer review"),
        )

    get = post


class ReviewScheduleView(OfficeAdminView):
    """The open offices the user may see, next review first, with the
    translations to check and the address of their calendar feed."""

    def get(self, request):
        if not self.model_admin.has_view_or_change_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        feed = CalendarFeed.objects.filter(user=request.user).first()
        # The translation checks come with the rows (no query of their own).
        offices = freshness.with_translation_checks(
            self.model_admin.get_queryset(request)
            .open()
            .order_by(NEXT_REVIEW_ORDER, "name")
            .prefetch_related("reviewers")
        )
        return self.render(
            "admin/offices/office/review_schedule.html",
            _("Review schedule"),
            rows=[(office, next_review_html(office, today)) for office in offices],
            calendar_url=feed and calendar.feed_url(feed),
            outdated_translations=freshness.group_by_language(
                freshness.outdated_items(offices)
            ),
        )

    # Nothing is posted here: a POST shows the page as a GET does.
    post = get


class ResetCalendarView(OfficeAdminView):
    """A new address for the user's calendar feed; the old one stops working."""

    http_method_names = ["post"]

    def post(self, request):
        if not self.model_admin.has_view_or_change_permission(request):
            raise PermissionDenied
        existed = CalendarFeed.objects.filter(user=request.user).exists()
        calendar.reset_feed(request.user)
        self.message(
            _(
                "Your calendar has a new address: subscribe to it again. The old "
                "address no longer works."
            )
            if existed
            else _("Your calendar's address is ready: subscribe to it."),
            messages.SUCCESS,
        )
        return redirect("admin:offices_office_review_schedule")

"""The review cycle's records: reviews and deferrals, the reminders sent
(claimed then sent, offices/reviews.py), and the reviewers' calendar feeds."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from offices.models.choices import ReminderKind, ReviewKind
from offices.models.profiles import Office


class ReviewRecord(models.Model):
    """One entry in an office's review history: a review or a deferral."""

    Kind = ReviewKind

    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        related_name="review_records",
        verbose_name=_("office"),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind, default=Kind.REVIEWED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reviewed_on = models.DateField(_("date"))
    deferred_until = models.DateField(_("deferred until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review record")
        verbose_name_plural = _("review records")
        ordering = ["-reviewed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReviewKind.values),
                name="reviewrecord_kind_valid",
                violation_error_message=_("Choose a valid kind of record."),
            ),
            models.CheckConstraint(
                condition=Q(kind=ReviewKind.REVIEWED) | Q(deferred_until__isnull=False),
                name="reviewrecord_deferral_has_date",
                violation_error_message=_("A deferral needs a date."),
            ),
        ]

    def __str__(self):
        return _("%(office)s: %(kind)s on %(date)s") % {
            "office": self.office,
            "kind": self.get_kind_display().lower(),
            "date": date_format(self.reviewed_on),
        }


class ReviewReminder(models.Model):
    """One review reminder to one address about one office, claimed then sent.

    The unique constraint is what makes reruns and overlapping runs harmless:
    a run claims a row before sending and only the run that inserted (or took
    over) the row sends it. A row the mail server refused for good keeps its
    claim, so that address is not reminded again about that office in that
    cycle. offices/reviews.py explains the cycle.
    """

    Kind = ReminderKind

    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        related_name="review_reminders",
        verbose_name=_("office"),
    )
    email = models.EmailField(_("sent to"))
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind, default=Kind.REMINDER
    )
    cycle_on = models.DateField(
        _("review cycle"),
        help_text=_(
            "The due date reminded about (for a profile never reviewed, the "
            "date it was created): a review or deferral starts a new cycle."
        ),
    )
    sequence = models.PositiveSmallIntegerField(
        _("sequence"), default=0, help_text=_("0 for the first reminder of a cycle.")
    )
    reminded_on = models.DateField(
        _("reminded on"), help_text=_("The date the run was reminding as of.")
    )
    claimed_by = models.UUIDField(_("claimed by run"))
    claimed_at = models.DateTimeField(_("claimed at"))
    sent_at = models.DateTimeField(
        _("sent at"),
        null=True,
        blank=True,
        help_text=_("Empty while the email is being sent, or if it failed."),
    )
    failed_at = models.DateTimeField(
        _("failed at"),
        null=True,
        blank=True,
        help_text=_(
            "When the mail server refused this reminder for good (a 5xx reply). "
            "It is not sent again to this address."
        ),
    )
    failure = models.TextField(
        _("failure"),
        blank=True,
        help_text=_("The mail server's reply: its code and message."),
    )
    failure_reported_at = models.DateTimeField(
        _("failure reported at"),
        null=True,
        blank=True,
        help_text=_(
            "When the failure was reported to REVIEW_FALLBACK_EMAIL; empty until then."
        ),
    )

    class Meta:
        verbose_name = _("review reminder")
        verbose_name_plural = _("review reminders")
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "email", "kind", "cycle_on", "sequence"],
                name="reviewreminder_once_per_cycle",
                violation_error_message=_(
                    "This reminder has already been sent for this review cycle."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values),
                name="reviewreminder_kind_valid",
                violation_error_message=_("Choose a valid kind of reminder."),
            ),
            models.CheckConstraint(
                condition=Q(
                    failed_at__isnull=True,
                    failure="",
                    failure_reported_at__isnull=True,
                )
                | (Q(failed_at__isnull=False, sent_at__isnull=True) & ~Q(failure="")),
                name="reviewreminder_failure_consistent",
                violation_error_message=_(
                    "A failed reminder was not sent and has the server's reply; "
                    "only a failure can be reported."
                ),
            ),
        ]
        indexes = [
            # Each run looks up the failures not yet reported.
            models.Index(
                fields=["failed_at"],
                condition=Q(failed_at__isnull=False, failure_reported_at__isnull=True),
                name="reviewreminder_unreported",
            ),
        ]

    def __str__(self):
        # No office name: __str__ must not cost a query per row.
        return _("%(kind)s to %(email)s (office #%(office)s, cycle %(cycle)s)") % {
            "kind": self.get_kind_display(),
            "email": self.email,
            "office": self.office_id,
            "cycle": date_format(self.cycle_on),
        }


class CalendarFeed(models.Model):
    """A reviewer's private calendar feed of review due dates (offices/calendar.py).

    The feed's address carries a token derived from `key` and the site's
    SECRET_KEY (an HMAC): the token itself is never stored, so the table alone
    opens no feed, yet the review schedule page can show the address again.
    Resetting draws a new key, and the old address answers 404.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    key = models.CharField(_("key"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reset_at = models.DateTimeField(
        _("last reset at"),
        auto_now=True,
        help_text=_("When the feed's address last changed."),
    )

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["user"]

    def __str__(self):
        return _("Calendar feed of user #%(user)s") % {"user": self.user_id}

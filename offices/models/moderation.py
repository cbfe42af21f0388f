"""PublicationRequest: an editor's request to publish a draft, and a
publisher's answer (offices/editorial/moderation.py has the steps)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from offices.models.choices import RequestStatus
from offices.models.profiles import Office


class PublicationRequest(models.Model):
    """An editor's request to publish a draft, and a publisher's answer.

    One per draft (a draft copy, or a new office never published): submitting
    again replaces it. Publishing removes it (with a draft copy, by deleting
    the copy); a publisher may instead send it back with a comment.
    offices/editorial/moderation.py has the steps; the audit trail keeps every one.
    """

    Status = RequestStatus

    office = models.OneToOneField(
        Office,
        on_delete=models.CASCADE,
        related_name="publication_request",
        verbose_name=_("draft"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.PENDING
    )
    message = models.TextField(
        _("message"),
        max_length=2000,
        help_text=_("What changed and why, for whoever publishes it."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"))
    comment = models.TextField(
        _("comment"),
        blank=True,
        max_length=2000,
        help_text=_("Why the draft was sent back."),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent back by"),
    )
    answered_at = models.DateTimeField(_("sent back at"), null=True, blank=True)

    class Meta:
        verbose_name = _("publication request")
        verbose_name_plural = _("publication requests")
        ordering = ["requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values),
                name="publicationrequest_status_valid",
                violation_error_message=_("Choose a valid status."),
            ),
        ]

    def __str__(self):
        return _("Publication request for office #%(office)s") % {
            "office": self.office_id
        }

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

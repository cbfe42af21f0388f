import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from audit.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Delete the audit trail's failed-login entries older than "
        "AUDIT_FAILED_LOGINS_KEPT_DAYS days; every other entry is kept. Run it "
        "daily; a rerun deletes nothing more."
    )

    def handle(self, *, verbosity, **options):
        days = settings.AUDIT_FAILED_LOGINS_KEPT_DAYS
        if days < 1:
            raise CommandError(
                gettext(
                    "AUDIT_FAILED_LOGINS_KEPT_DAYS must be 1 or more, not %(days)d."
                )
                % {"days": days}
            )
        cutoff = timezone.now() - datetime.timedelta(days=days)
        count, _ = AuditEntry.objects.failed_logins_before(cutoff).delete()
        if verbosity >= 1:
            self.stdout.write(
                ngettext(
                    "Deleted %(count)d failed-login entry older than %(days)d days.",
                    "Deleted %(count)d failed-login entries older than %(days)d days.",
                    count,
                )
                % {"count": count, "days": days}
            )

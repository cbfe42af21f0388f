import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from offices import editorial


def iso_datetime(value):
    """An ISO 8601 date-time; without an offset, in TIME_ZONE."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            gettext("%(value)r is not a valid date-time: use YYYY-MM-DDTHH:MM.")
            % {"value": value}
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = (
        "Publish the drafts and unpublish the profiles whose scheduled time has "
        "come; a draft changed since it was scheduled is not published (its "
        "schedule is cancelled). Run it every few minutes; overlapping runs act "
        "once: see docs/editorial-workflow.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            type=iso_datetime,
            metavar="YYYY-MM-DDTHH:MM",
            help="Act as of this time (default: now; without an offset, TIME_ZONE).",
        )

    def handle(self, *, now, verbosity, **options):
        run = editorial.publish_scheduled(now=now)
        if verbosity >= 2:
            for office in run.published:
                self.stdout.write(gettext("Published %(office)s") % {"office": office})
            for office in run.unpublished:
                self.stdout.write(
                    gettext("Unpublished %(office)s") % {"office": office}
                )
        if verbosity >= 1:
            for office in run.cancelled:
                self.stdout.write(
                    gettext(
                        "Cancelled for %(office)s: the draft changed after it "
                        "was scheduled."
                    )
                    % {"office": office}
                )
        for office, reason in run.failed:
            self.stderr.write(
                gettext("Not done for %(office)s: %(reason)s")
                % {"office": office, "reason": reason}
            )
        if verbosity >= 1:
            count = (
                len(run.published)
                + len(run.unpublished)
                + len(run.failed)
                + len(run.cancelled)
            )
            self.stdout.write(
                ngettext(
                    "%(published)d published, %(unpublished)d unpublished, "
                    "%(failed)d refused, %(cancelled)d cancelled "
                    "(%(count)d office).",
                    "%(published)d published, %(unpublished)d unpublished, "
                    "%(failed)d refused, %(cancelled)d cancelled "
                    "(%(count)d offices).",
                    count,
                )
                % {
                    "published": len(run.published),
                    "unpublished": len(run.unpublished),
                    "failed": len(run.failed),
                    "cancelled": len(run.cancelled),
                    "count": count,
                }
            )
        if run.failed:
            raise CommandError(
                ngettext(
                    "%(count)d scheduled step was refused.",
                    "%(count)d scheduled steps were refused.",
                    len(run.failed),
                )
                % {"count": len(run.failed)}
            )

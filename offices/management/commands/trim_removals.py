import argparse

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from offices.models import REMOVALS_KEPT_DAYS, OfficeRemoval


def positive_days(value):
    if not (value.isascii() and value.isdigit() and int(value) > 0):
        raise argparse.ArgumentTypeError(
            gettext("%(value)r is not a number of days from 1.") % {"value": value}
        )
    return int(value)


class Command(BaseCommand):
    help = (
        "Forget the offices removed from the public site longer ago than --age "
        "days: the API's syncing clients see them in `removed` until then. "
        "Run it daily; a rerun deletes nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--age",
            type=positive_days,
            default=REMOVALS_KEPT_DAYS,
            metavar="DAYS",
            help=f"Keep this many days of removals (default: {REMOVALS_KEPT_DAYS}).",
        )

    def handle(self, *, age, verbosity, **options):
        count, _ = OfficeRemoval.objects.expired(timezone.now(), days=age).delete()
        if verbosity >= 1:
            self.stdout.write(
                ngettext(
                    "Deleted %(count)d removal older than %(age)d days.",
                    "Deleted %(count)d removals older than %(age)d days.",
                    count,
                )
                % {"count": count, "age": age}
            )

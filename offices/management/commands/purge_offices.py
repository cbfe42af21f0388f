from django.core.management.base import BaseCommand, CommandError

from offices import editorial
from offices.models import Office


class Command(BaseCommand):
    help = (
        "Remove deleted offices for good: their rows, draft copies, review "
        "history and versions. Asks for confirmation; audit entries stay."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="+", help="Slugs of deleted offices.")
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, slugs, interactive, verbosity, **options):
        offices = {
            office.slug: office
            for office in Office.objects.deleted().filter(slug__in=slugs)
        }
        missing = [slug for slug in slugs if slug not in offices]
        if missing:
            raise CommandError(
                "Not deleted (delete them in the admin first) or unknown: "
                + ", ".join(missing)
            )
        if interactive:
            self.stdout.write(
                "This removes for good, with their review history and versions:\n"
                + "".join(
                    f"  {office.slug}: {office.name}\n" for office in offices.values()
                )
            )
            answer = input("Type the slugs again (separated by spaces) to confirm: ")
            if sorted(answer.split()) != sorted(slugs):
                raise CommandError("Nothing purged: the confirmation did not match.")
        for office in offices.values():
            editorial.purge(office)
        if verbosity:
            self.stdout.write(f"Purged {len(offices)} office(s).")

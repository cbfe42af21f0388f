from django.core.management.base import BaseCommand

from offices.demo import OFFICES, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo vocabulary and presences (DOMAIN.md). Safe to rerun: "
        "it changes nothing when the demo content is already there."
    )

    def handle(self, *args, **options):
        changes = load_demo()
        if options["verbosity"] < 1:
            return
        if changes:
            summary = ", ".join(f"{n} {what}" for what, n in sorted(changes.items()))
            self.stdout.write(self.style.SUCCESS(f"Demo content loaded: {summary}."))
        else:
            self.stdout.write(
                f"Demo content already up to date ({len(OFFICES)} offices)."
            )

from django.core.management.base import BaseCommand

from offices.demo import OFFICES, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo content (offices/demo.py): the focus-area vocabulary and "
        "field presences. Safe to rerun: it changes nothing when the demo "
        "content is already there."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only-missing",
            action="store_true",
            help=(
                "Create absent demo terms and offices but leave existing ones as "
                "they are (used by make run, so local edits survive)."
            ),
        )

    def handle(self, *args, **options):
        changes = load_demo(only_missing=options["only_missing"])
        if options["verbosity"] < 1:
            return
        if changes:
            summary = ", ".join(f"{n} {what}" for what, n in sorted(changes.items()))
            self.stdout.write(self.style.SUCCESS(f"Demo content loaded: {summary}."))
        else:
            self.stdout.write(
                f"Demo content already up to date ({len(OFFICES)} offices)."
            )

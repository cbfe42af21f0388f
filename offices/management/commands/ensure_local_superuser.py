import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Local use only: create the superuser 'admin' with a random password, "
        "printed once, unless a superuser already exists."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "ensure_local_superuser is for local use (DEBUG is off); "
                "use createsuperuser on a server."
            )
        users = get_user_model().objects
        if users.filter(is_superuser=True).exists():
            if options["verbosity"] >= 1:
                self.stdout.write("A superuser already exists; nothing to do.")
            return
        if users.filter(username=USERNAME).exists():
            raise CommandError(
                f"A user named {USERNAME!r} exists but is not a superuser; "
                "run createsuperuser with another name or promote that user."
            )
        password = secrets.token_urlsafe(16)
        users.create_superuser(username=USERNAME, email="", password=password)
        port = os.environ.get("PORT") or "8000"
        # Printed whatever the verbosity: the password is shown only this once.
        self.stdout.write(
            self.style.SUCCESS("Created a local superuser (shown only this once):")
        )
        self.stdout.write(f"  username: {USERNAME}")
        self.stdout.write(f"  password: {password}")
        self.stdout.write(
            f"  admin:    http://127.0.0.1:{port}{reverse('admin:index')}"
        )

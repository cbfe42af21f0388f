from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin with our site: two-step verification (hrprofile/auth.py).

    Also the project's own hook at start-up: it registers hrprofile's checks.
    """

    default_site = "hrprofile.auth.SecureAdminSite"

    def ready(self):
        super().ready()
        from hrprofile import checks  # noqa: F401

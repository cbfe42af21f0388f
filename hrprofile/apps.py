from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class HrprofileConfig(AppConfig):
    """The project's own app: the page cache, the admin site, two-step
    verification, lockouts, the API's shared behaviour, the template tags
    ({% load hrprofile %}), the User and Group admins (admin.py) and the
    deployment checks (checks.py)."""

    name = "hrprofile"

    def ready(self):
        from hrprofile import checks  # noqa: F401


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin with our site: two-step verification
    (hrprofile/sites.py)."""

    default_site = "hrprofile.sites.SecureAdminSite"

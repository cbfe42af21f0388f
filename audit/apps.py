from django.apps import AppConfig
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.utils.translation import gettext_lazy as _

from hrprofile.signals import two_step_changed


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from audit import receivers

        user_logged_in.connect(receivers.record_login, dispatch_uid="audit_login")
        user_logged_out.connect(receivers.record_logout, dispatch_uid="audit_logout")
        user_login_failed.connect(
            receivers.record_login_failure, dispatch_uid="audit_login_failed"
        )
        two_step_changed.connect(
            receivers.record_two_step_change, dispatch_uid="audit_two_step_changed"
        )

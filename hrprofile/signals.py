"""Signals hrprofile sends about what happened, for the apps that keep records.

hrprofile imports no app: an app connects a receiver instead (the audit
trail records two_step_changed, audit/apps.py).
"""

from django.dispatch import Signal

# A staff member's second step changed (hrprofile/twostep.py), in a request.
# Arguments: request; user, whose second step it is; event ("enrolled",
# "replaced" or "backup_codes"); description, the change in words for the
# record (lazy text).
two_step_changed = Signal()

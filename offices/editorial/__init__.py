"""The editorial workflow, one module per job, every public name re-exported
here (`from offices import editorial; editorial.publish(...)`):

- workflow: drafts of live profiles, publishing, unpublishing, reverting,
  deleting and restoring, the edit counter;
- moderation: asking for publication, the submission limits, the
  publishers' answer, and the emails;
- scheduling: publishing and unpublishing at a set time, and the run that
  does what has come due.

docs/editorial-workflow.md describes the workflow.
"""

from offices.editorial.moderation import (
    SUBMISSIONS_PER_DRAFT,
    SUBMISSIONS_PER_EDITOR,
    Notified,
    TooManySubmissions,
    is_draft,
    publishers_of,
    send_back,
    submit_for_publication,
)
from offices.editorial.scheduling import (
    ScheduledRun,
    cancel_changed_schedule,
    due_for_publication,
    due_for_unpublication,
    fingerprint,
    publish_scheduled,
    schedule,
)
from offices.editorial.workflow import (
    KEPT_ON_REVERT,
    EditorialError,
    claim_edit,
    discard_draft,
    publish,
    purge,
    restore,
    revert_office,
    soft_delete,
    start_draft,
    unpublish,
)

__all__ = [
    "KEPT_ON_REVERT",
    "SUBMISSIONS_PER_DRAFT",
    "SUBMISSIONS_PER_EDITOR",
    "EditorialError",
    "Notified",
    "ScheduledRun",
    "TooManySubmissions",
    "cancel_changed_schedule",
    "claim_edit",
    "discard_draft",
    "due_for_publication",
    "due_for_unpublication",
    "fingerprint",
    "is_draft",
    "publish",
    "publish_scheduled",
    "publishers_of",
    "purge",
    "restore",
    "revert_office",
    "schedule",
    "send_back",
    "soft_delete",
    "start_draft",
    "submit_for_publication",
    "unpublish",
]

"""The office admin: profiles, their drafts, history and review cycle.

A published office is never edited in place (offices/editorial/): its page
shows the content read-only with an "Edit" button that opens its draft copy,
a second Office row edited with the usual form and published, discarded or
previewed from there. A new office is a live row in status draft, edited
directly until it is first published. Every save of an office or of a draft
copy is a reversion revision, and a form opened before someone else's save
is refused instead of overwriting it.

Django's autodiscovery imports this package: importing office.py and
records.py registers their admins. The modules:

- office.py: OfficeAdmin, its configuration and hooks, and its URLs;
- views.py: the base of its own pages and buttons, which are in
  editorial_views.py (drafts, publication, history) and review_views.py
  (reviews, translation checks, the review schedule);
- actions.py: the office list's actions; filters.py: its filters;
- layout.py: the change form's fields and sections, and the page around it;
- inlines.py: field offices, mandates and the review history in the form;
- records.py: the read-only admins of deleted offices and review records;
- assignments.py: the translators' assignments, kept by content managers.
- search_views.py: the admin's search, whose box is in every admin page's
  header.
"""

from offices.admin.assignments import TranslationAssignmentAdmin
from offices.admin.filters import (
    ReviewStateFilter,
    TranslationOutOfDateFilter,
    TranslationRecheckFilter,
    next_review_html,
)
from offices.admin.inlines import FieldOfficeInline, MandateInline, ReviewRecordInline
from offices.admin.layout import (
    FORM_SECTIONS,
    base_field_name,
    form_sections,
    is_live_published,
    section_of,
)
from offices.admin.office import EditConflict, OfficeAdmin
from offices.admin.records import DeletedOfficeAdmin, ReviewRecordAdmin

__all__ = [
    "FORM_SECTIONS",
    "DeletedOfficeAdmin",
    "EditConflict",
    "FieldOfficeInline",
    "MandateInline",
    "OfficeAdmin",
    "ReviewRecordAdmin",
    "ReviewRecordInline",
    "ReviewStateFilter",
    "TranslationAssignmentAdmin",
    "TranslationOutOfDateFilter",
    "TranslationRecheckFilter",
    "base_field_name",
    "form_sections",
    "is_live_published",
    "next_review_html",
    "section_of",
]

"""The offices app's models, one module per subsystem, and every public name
re-exported here, so that `from offices.models import Office` (and the
migrations' `offices.models.current_year`) keep working.

- choices: the regions, kinds of presence and statuses;
- content_stamp: when the public content last changed (ContentStamp, the
  content version the page cache keys on, OfficeRemoval for the API);
- search: the full-text configuration and SearchDocument;
- translation_checks: the English text a translation is checked against,
  its fingerprint, and TranslationCheck;
- querysets: OfficeQuerySet, the named filters;
- profiles: Office and DeletedOffice;
- field_offices: FieldOffice;
- reviews: ReviewRecord, ReviewReminder, CalendarFeed;
- moderation: PublicationRequest;
- assignments: TranslationAssignment (a translator's office and language).
"""

from offices.models.assignments import (
    LIVE_OFFICE,
    TRANSLATORS,
    TranslationAssignment,
    TranslationAssignmentQuerySet,
)
from offices.models.choices import (
    EngagementType,
    OfficeStatus,
    Region,
    ReminderKind,
    RequestStatus,
    ReviewKind,
)
from offices.models.content_stamp import (
    LIST_SCOPE,
    OFFICE_SCOPE,
    REMOVALS_KEPT_DAYS,
    ContentStamp,
    ContentVersion,
    OfficeRemoval,
    OfficeRemovalQuerySet,
    PageStamp,
    content_version,
    fetch_one_checked,
)
from offices.models.field_offices import FieldOffice
from offices.models.moderation import PublicationRequest
from offices.models.profiles import (
    FIRST_YEAR,
    LIST_MAX_LENGTH,
    MAX_DEFERRAL_MONTHS,
    PROFILE_MAX_LENGTH,
    SENTENCE_END,
    SUMMARY_SCAN_CHARS,
    DeletedOffice,
    Office,
    add_months,
    current_year,
    first_sentence,
)
from offices.models.querysets import (
    DUE_SOON_DAYS,
    PAGE_RELATIONS,
    OfficeQuerySet,
    can_preview,
)
from offices.models.reviews import CalendarFeed, ReviewRecord, ReviewReminder
from offices.models.search import (
    LANGUAGE_SEARCH_CONFIGS,
    SEARCH_CONFIG,
    SearchDocument,
    name_trigram_indexes,
    search_vector_field,
)
from offices.models.translation_checks import (
    LEGACY_CHECK_DIGEST,
    NEEDS_CHECK,
    OFFICE_TEXT_FIELDS,
    RECORD_SEPARATOR,
    TEXT_ROWS,
    UNIT_SEPARATOR,
    EnglishDigest,
    TextRows,
    TranslationCheck,
    TranslationState,
    TranslationStatus,
    english_fingerprint,
    translation_language_choices,
)

__all__ = [
    "DUE_SOON_DAYS",
    "FIRST_YEAR",
    "LANGUAGE_SEARCH_CONFIGS",
    "LEGACY_CHECK_DIGEST",
    "LIST_MAX_LENGTH",
    "LIST_SCOPE",
    "LIVE_OFFICE",
    "MAX_DEFERRAL_MONTHS",
    "NEEDS_CHECK",
    "OFFICE_SCOPE",
    "OFFICE_TEXT_FIELDS",
    "PAGE_RELATIONS",
    "PROFILE_MAX_LENGTH",
    "RECORD_SEPARATOR",
    "REMOVALS_KEPT_DAYS",
    "SEARCH_CONFIG",
    "SENTENCE_END",
    "SUMMARY_SCAN_CHARS",
    "TEXT_ROWS",
    "TRANSLATORS",
    "UNIT_SEPARATOR",
    "CalendarFeed",
    "ContentStamp",
    "ContentVersion",
    "DeletedOffice",
    "EngagementType",
    "EnglishDigest",
    "FieldOffice",
    "Office",
    "OfficeQuerySet",
    "OfficeRemoval",
    "OfficeRemovalQuerySet",
    "OfficeStatus",
    "PageStamp",
    "PublicationRequest",
    "Region",
    "ReminderKind",
    "RequestStatus",
    "ReviewKind",
    "ReviewRecord",
    "ReviewReminder",
    "SearchDocument",
    "TextRows",
    "TranslationAssignment",
    "TranslationAssignmentQuerySet",
    "TranslationCheck",
    "TranslationState",
    "TranslationStatus",
    "add_months",
    "can_preview",
    "content_version",
    "current_year",
    "english_fingerprint",
    "fetch_one_checked",
    "first_sentence",
    "name_trigram_indexes",
    "search_vector_field",
    "translation_language_choices",
]

"""A profile's public change log: what readers saw change, and when.

The log is read from what the editorial workflow and the review cycle
record already, and says only what the public could see:

- each version of the office recorded as published (publishing, a revert
  once published) against the last one the public saw: the sections of the
  page that changed, and for a change only to translations, which languages
  (line endings normalised, offices/history.py);
- its withdrawals from the site (a version recorded as unpublished, a soft
  deletion) and its returns (published again, restored);
- the reviews completed while it was public ("Reviewed, no change");
  deferrals are not listed.

It never carries draft text, version comments or who did anything: an entry
is a kind, a date and section names. The number of queries does not grow
with the number of versions.
"""

import dataclasses
import datetime
import json

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language_info, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from reversion.errors import RevertError
from reversion.models import Version

from audit.models import AuditEntry
from hrprofile.translations import SOURCE_LANGUAGE
from offices.admin.layout import FORM_SECTIONS, MORE_SECTION, SECTION_OF_FIELD
from offices.history import (
    EMPTY,
    INLINES,
    TERM_FIELDS,
    content_fields,
    snapshots_of_revisions,
)
from offices.models import Office, ReviewRecord

# The form's sections the public page does not show (the review interval).
NOT_SHOWN = {"review"}


class Kind:
    FIRST_PUBLISHED = "first-published"
    UPDATED = "updated"
    BACK = "back"
    WITHDRAWN = "withdrawn"
    REVIEWED = "reviewed"

    titles = {
        FIRST_PUBLISHED: _("First published"),
        UPDATED: _("Updated"),
        BACK: _("Back on the site"),
        WITHDRAWN: _("Withdrawn from the site"),
        REVIEWED: _("Reviewed, no change"),
    }


@dataclasses.dataclass(frozen=True)
class Section:
    """A part of the page that changed; languages: only these translations
    changed (their codes), or () if the English or a value did."""

    title: str
    languages: tuple = ()

    @property
    def language_names(self):
        return [
            str(get_language_info(code)["name_translated"]) for code in self.languages
        ]


@dataclasses.dataclass(frozen=True)
class Entry:
    kind: str
    # When it happened (the order, the feed's dates), and the date shown.
    at: datetime.datetime
    on: datetime.date
    # A stable id within the office's log (the feed's entry ids).
    key: str
    sections: tuple = ()

    @property
    def title(self):
        return Kind.titles[self.kind]

    @property
    def summary(self):
        """The sections as one line of plain text ("Profile; Field offices
        (translation: French)"), for the feed."""
        parts = []
        for section in self.sections:
            if not section.languages:
                parts.append(section.title)
                continue
            names = ", ".join(section.language_names)
            parts.append(
                ngettext(
                    "%(section)s (translation: %(languages)s)",
                    "%(section)s (translations: %(languages)s)",
                    len(section.languages),
                )
                % {"section": section.title, "languages": names}
            )
        return gettext("; ").join(parts)


def _section_titles():
    """{section key or term field: title}, in the order of the page."""
    titles = {}
    for key, title, _names in [*FORM_SECTIONS, (*MORE_SECTION, None)]:
        if key in NOT_SHOWN:
            continue
        if key == "focus-areas":
            # Readers look for the vocabulary by its own heading.
            for name in TERM_FIELDS:
                field = Office._meta.get_field(name)
                titles[name] = capfirst(field.related_model._meta.verbose_name_plural)
        else:
            titles[key] = title
    return titles


def _place(model, name):
    """(section key, language or None) of a field of a snapshot's row."""
    field = model._meta.get_field(name)
    original = getattr(field, "translated_field", None)
    language = getattr(field, "language", None) if original else None
    if language == SOURCE_LANGUAGE:
        language = None
    if model is not Office:
        return model._meta.model_name, language
    base = original.name if original else name
    if base in TERM_FIELDS:
        return base, language
    return SECTION_OF_FIELD.get(base, MORE_SECTION[0]), language


INLINE_SECTIONS = {
    model._meta.model_name: key
    for key, model in zip(["field-offices", "mandates"], INLINES.values(), strict=True)
}


def changed_sections(before, after):
    """The sections that differ between two snapshots, in the page's order."""
    found = {}  # key: set of languages, or None when more than a translation

    def mark(key, language):
        if key in NOT_SHOWN:
            return
        languages = found.setdefault(key, set())
        if language is None:
            found[key] = None
        elif languages is not None:
            languages.add(language)

    for name in [f.name for f in content_fields()] + TERM_FIELDS:
        if before["office"].get(name, EMPTY) != after["office"].get(name, EMPTY):
            mark(*_place(Office, name))
    for relation, model in INLINES.items():
        key = INLINE_SECTIONS[model._meta.model_name]
        old_rows, new_rows = before[relation], after[relation]
        for row_key in old_rows.keys() | new_rows.keys():
            old, new = old_rows.get(row_key), new_rows.get(row_key)
            if old is None or new is None:
                mark(key, None)
                continue
            for name in old.keys() | new.keys():
                if old.get(name, EMPTY) != new.get(name, EMPTY):
                    mark(key, _place(model, name)[1])
    order = list(settings.LANGUAGES)
    rank = {code: i for i, (code, _name) in enumerate(order)}
    return tuple(
        Section(
            str(title),
            tuple(sorted(found[key], key=rank.get)) if found[key] else (),
        )
        for key, title in _section_titles().items()
        if key in found
    )


def _versions(office):
    """(time, is published, revision) of each version of office, oldest first."""
    versions = (
        Version.objects.get_for_object(office)
        .select_related("revision")
        .order_by("revision__date_created", "revision_id")
    )
    found = []
    for version in versions:
        status = _recorded_status(version)
        if status is None:
            continue  # unreadable: neither a publication nor a withdrawal
        published = status == Office.Status.PUBLISHED
        found.append((version.revision.date_created, published, version.revision))
    return found


def _recorded_status(version):
    """The office's status as version recorded it, or None if it cannot be
    read. From the stored JSON itself: a version with another field that no
    longer decodes (renamed, removed, or a value the field now refuses) still
    says whether the office was public."""
    if version.format == "json":
        try:
            return json.loads(version.serialized_data)[0]["fields"].get("status")
        except (ValueError, LookupError, TypeError, AttributeError):
            return None
    try:
        return version.field_dict.get("status")
    except RevertError:
        return None


def _withdrawals(office):
    """(time, is deleted, entry id) of office's soft deletions and restorations."""
    actions = {AuditEntry.Action.DELETE: True, AuditEntry.Action.RESTORE: False}
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Office),
        object_id=office.pk,
        action__in=actions,
    ).values_list("timestamp", "action", "pk")
    return [(at, actions[action], pk) for at, action, pk in entries]


def _reviews(office):
    return ReviewRecord.objects.filter(
        office=office, kind=ReviewRecord.Kind.REVIEWED
    ).values_list("created_at", "reviewed_on", "pk")


def _day(moment):
    return timezone.localdate(moment)


class _Walk:
    """The office's recorded events in the order they happened, and what the
    public saw of each."""

    def __init__(self, has_versions):
        # An office published before versions were recorded was public.
        self.published = not has_versions
        self.deleted = False
        self.seen = None  # the last snapshot the public saw
        self.entries = []

    @property
    def visible(self):
        return self.published and not self.deleted

    def add(self, kind, at, key, on=None, sections=()):
        self.entries.append(Entry(kind, at, on or _day(at), key, sections))

    def version(self, at, published, revision, snapshot):
        was_visible, self.published = self.visible, published
        key = f"revision-{revision.pk}"
        if not published:
            if was_visible:
                self.add(Kind.WITHDRAWN, at, key)
            return
        sections = ()
        if self.seen is not None and snapshot is not None:
            sections = changed_sections(self.seen, snapshot)
        if not was_visible and self.visible:
            first = self.seen is None
            kind = Kind.FIRST_PUBLISHED if first else Kind.BACK
            self.add(kind, at, key, sections=() if first else sections)
        elif self.visible and sections:
            self.add(Kind.UPDATED, at, key, sections=sections)
        if snapshot is not None:
            self.seen = snapshot

    def withdrawal(self, at, deleted, pk):
        was_visible, self.deleted = self.visible, deleted
        key = f"audit-{pk}"
        if was_visible and not self.visible:
            self.add(Kind.WITHDRAWN, at, key)
        elif self.visible and not was_visible:
            self.add(Kind.BACK, at, key)

    def review(self, at, on, pk):
        if self.visible:
            self.add(Kind.REVIEWED, at, f"review-{pk}", on=on)


def change_log(office):
    """The entries of office's public change log, newest first."""
    versions = _versions(office)
    public = [revision for _at, published, revision in versions if published]
    snapshots = snapshots_of_revisions(public, office.pk) if public else {}
    events = [
        (at, 0, "version", (at, published, revision, snapshots.get(revision.pk)))
        for at, published, revision in versions
    ]
    events += [
        (at, 1, "withdrawal", (at, deleted, pk))
        for at, deleted, pk in _withdrawals(office)
    ]
    events += [(at, 2, "review", (at, on, pk)) for at, on, pk in _reviews(office)]
    walk = _Walk(has_versions=bool(versions))
    for _at, _order, kind, arguments in sorted(events, key=lambda e: e[:2]):
        getattr(walk, kind)(*arguments)
    return walk.entries[::-1]

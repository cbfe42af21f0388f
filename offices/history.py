"""What a profile holds, and what changed between two states of it.

A snapshot is the whole profile as the public sees it (the office's content
fields, its terms and tags by name, its field offices and mandates), built
from live rows or from a reversion revision. Two snapshots compare into a list
of Change rows: the draft banner, the History view and the conflict message
all show the same thing.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst, normalize_newlines
from django.utils.translation import gettext
from reversion.errors import RevertError
from reversion.models import Version

from hrprofile.translations import SOURCE_LANGUAGE, column, translated_fields
from mandates.models import Mandate
from offices import textdiff
from offices.models import FieldOffice, Office

# Office fields that are not the profile's content: the editorial and review
# state, which publishing and reverting leave as they are.
NOT_CONTENT = {
    "id",
    "draft_of",
    "edit_version",
    "deleted_at",
    "deleted_by",
    "created_at",
    "updated_at",
    "old_slugs",
    "status",
    "last_reviewed",
    "deferred_until",
    "reviewers",
    "publish_at",
    "unpublish_at",
    "scheduled_by",
    "scheduled_fingerprint",
}
TERM_FIELDS = ["pillars", "shifts", "spotlight_populations", "tags"]
INLINES = {"field_offices": FieldOffice, "mandates": Mandate}
INLINE_NOT_CONTENT = {"id", "office", "copied_from"}


def content_fields(model=Office):
    """The concrete fields an editor edits (no m2m), in form order.

    A translated field counts by its languages (name_en, name_fr…, each
    labelled "Name [fr]"), not by its original column, which only mirrors
    the English (migration offices 0012).
    """
    skip = NOT_CONTENT if model is Office else INLINE_NOT_CONTENT
    skip = skip | set(translated_fields(model))
    return [f for f in model._meta.concrete_fields if f.name not in skip]


def _recorded(field, values):
    """field's value in a row's values; for a version recorded before the
    translations, its English is the original column's."""
    for key in (field.attname, field.name):
        if key in values:
            return values[key]
    original = getattr(field, "translated_field", None)
    if original is not None and field.language == SOURCE_LANGUAGE:
        return values.get(original.attname)
    return None


def _is_recorded(field, values):
    original = getattr(field, "translated_field", None)
    return (
        field.attname in values
        or field.name in values
        or (
            original is not None
            and field.language == SOURCE_LANGUAGE
            and original.attname in values
        )
    )


def recorded_content(model, values, current=None):
    """{attname: value} of model's content fields as a version's values hold
    them, to write back. A field the version did not record (added since)
    keeps current's value, or the model's default without current."""
    content = {}
    for field in content_fields(model):
        if _is_recorded(field, values):
            content[field.attname] = _recorded(field, values)
        elif current is not None:
            content[field.attname] = getattr(current, field.attname)
    return content


def version_time(value):
    """When a version was recorded, to the second, in the reader's timezone
    ("7 Dec 2026, 07:22:13"): two versions in the same minute differ."""
    return date_format(timezone.localtime(value), "j M Y, H:i:s")


# How an empty value reads in a Change.
EMPTY = "—"

# A text this long, or of more than one line, shows which words changed
# (offices/textdiff.py); a shorter one is read whole at a glance.
LONG_TEXT = 30


@dataclass(frozen=True)
class Change:
    section: str
    field: str
    before: str
    after: str

    @cached_property
    def marked(self):
        """(before, after) as safe HTML with the changed words in <del> and
        <ins>, for long texts on both sides; None for anything else (a name,
        a date, a text added or removed whole)."""
        texts = (self.before, self.after)
        if EMPTY in texts or not all(isinstance(text, str) for text in texts):
            return None
        if not any(len(text) > LONG_TEXT or "\n" in text for text in texts):
            return None
        return textdiff.sides(*texts)


def _display(field, value):
    if value in (None, ""):
        return EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if isinstance(field, models.DateField) and not isinstance(value, str):
        return date_format(value)
    # A version recorded before line breaks were stored as LF only
    # (hrprofile/prose.py) differs from its text now by nothing a reader sees.
    return normalize_newlines(str(value))


def _row(model, values):
    return {
        field.name: _display(field, _recorded(field, values))
        for field in content_fields(model)
    }


def _term_lookup(id_lists):
    """{field: {id: name}} for the term ids in these {field: ids} dicts.

    One query per vocabulary, however many dicts.
    """
    lookup = {}
    for name in TERM_FIELDS:
        model = Office._meta.get_field(name).related_model
        ids = {pk for ids_by_field in id_lists for pk in ids_by_field.get(name) or []}
        lookup[name] = dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))
    return lookup


def _term_names(ids_by_field, lookup=None):
    """{field: "name; name"} for lists of term ids (one query per vocabulary)."""
    if lookup is None:
        lookup = _term_lookup([ids_by_field])
    names = {}
    for name in TERM_FIELDS:
        found = lookup[name]
        ids = ids_by_field.get(name) or []
        names[name] = (
            "; ".join(
                sorted(
                    found.get(pk, gettext("#%(id)s (deleted)") % {"id": pk})
                    for pk in ids
                )
            )
            or EMPTY
        )
    return names


def snapshot(office):
    """The profile as its rows hold it now (a live office or a draft copy).

    Inline rows are keyed by the live row they stand for: a draft copy's rows
    by copied_from, so a draft and its office line up row by row.
    """
    values = {f.attname: getattr(office, f.attname) for f in content_fields()}
    profile = {"office": _row(Office, values)}
    profile["office"].update(
        {
            name: "; ".join(sorted(t.name for t in getattr(office, name).all()))
            or EMPTY
            for name in TERM_FIELDS
        }
    )
    for relation, model in INLINES.items():
        profile[relation] = {
            row.copied_from or row.pk: _row(model, row.__dict__)
            for row in getattr(office, relation).all()
        }
    return profile


def snapshot_of_revision(revision, office_pk):
    """The profile as a reversion revision recorded it (None if it did not)."""
    return snapshots_of_revisions([revision], office_pk)[revision.pk]


def recorded_rows(revision, office_pk):
    """(office fields, {relation: {id: fields}}) as revision recorded them
    (None if it did not, or before a field was renamed or removed)."""
    versions = revision.version_set.select_related("content_type")
    return _recorded_fields(list(versions), office_pk)


def _recorded_fields(revision_versions, office_pk):
    """(office fields, {relation: {id: fields}}) from one revision's versions.

    None if the revision did not record the office, or recorded it before a
    field was renamed or removed.
    """
    by_model = {}
    for version in revision_versions:
        by_model.setdefault(version.content_type.model_class(), []).append(version)
    office = next(
        (v for v in by_model.get(Office, []) if str(v.object_id) == str(office_pk)),
        None,
    )
    if office is None:
        return None
    try:
        inlines = {
            relation: {
                int(v.object_id): v.field_dict
                for v in by_model.get(model, [])
                if str(v.field_dict.get("office_id")) == str(office_pk)
            }
            for relation, model in INLINES.items()
        }
        return office.field_dict, inlines
    except RevertError:  # recorded before a field was renamed or removed
        return None


def snapshots_of_revisions(revisions, office_pk):
    """{revision id: snapshot or None} for many revisions of one office.

    A constant number of queries however many revisions: the History view
    shows them all.
    """
    versions = Version.objects.filter(revision__in=revisions).select_related(
        "content_type"
    )
    by_revision = {revision.pk: [] for revision in revisions}
    for version in versions:
        by_revision[version.revision_id].append(version)
    recorded = {
        pk: _recorded_fields(revision_versions, office_pk)
        for pk, revision_versions in by_revision.items()
    }
    lookup = _term_lookup(
        [
            {name: fields.get(name) for name in TERM_FIELDS}
            for fields, _inlines in filter(None, recorded.values())
        ]
    )
    snapshots = {}
    for pk, found in recorded.items():
        if found is None:
            snapshots[pk] = None
            continue
        fields, inlines = found
        profile = {"office": _row(Office, fields)}
        profile["office"].update(
            _term_names({name: fields.get(name) for name in TERM_FIELDS}, lookup)
        )
        for relation, model in INLINES.items():
            profile[relation] = {
                row_pk: _row(model, values)
                for row_pk, values in inlines[relation].items()
            }
        snapshots[pk] = profile
    return snapshots


def _labels(model):
    labels = {f.name: capfirst(f.verbose_name) for f in content_fields(model)}
    if model is Office:
        labels.update(
            {
                name: capfirst(Office._meta.get_field(name).verbose_name)
                for name in TERM_FIELDS
            }
        )
    return labels


def diff(before, after):
    """Changes from snapshot `before` to snapshot `after`, office first."""
    changes = []
    labels = _labels(Office)
    office_section = str(capfirst(Office._meta.verbose_name))
    for name, label in labels.items():
        old, new = before["office"].get(name, EMPTY), after["office"].get(name, EMPTY)
        if old != new:
            changes.append(Change(office_section, str(label), old, new))
    for relation, model in INLINES.items():
        kind = str(capfirst(model._meta.verbose_name))
        old_rows, new_rows = before[relation], after[relation]
        model_labels = _labels(model)
        for key in [*old_rows, *(k for k in new_rows if k not in old_rows)]:
            old, new = old_rows.get(key), new_rows.get(key)
            row = new or old
            title = (
                row.get(column("name", SOURCE_LANGUAGE))
                or row.get(column("title", SOURCE_LANGUAGE))
                or ""
            )
            section = f"{kind} “{title}”"
            if old is None:
                changes.append(Change(section, gettext("Added"), EMPTY, title))
            elif new is None:
                changes.append(Change(section, gettext("Removed"), title, EMPTY))
            else:
                changes.extend(
                    Change(section, str(label), old[name], new[name])
                    for name, label in model_labels.items()
                    if old[name] != new[name]
                )
    return changes

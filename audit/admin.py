"""The audit trail in the admin: one list, read-only for everyone.

Nobody adds, changes or deletes an entry through the admin, superusers
included; "Can view audit entry" (the Content managers group has it) shows
the list. Offices are reached through the app registry: audit imports
nothing from the apps it records.
"""

import logging

from auditlog.render import render_logentry_changes_html
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, ChangeList
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from hrprofile.admin import (
    HostileInputAdminMixin,
    ReadOnlyAdminMixin,
)
from hrprofile.csv import csv_streaming_response
from hrprofile.people import BY_DISPLAY_NAME, display_name

logger = logging.getLogger(__name__)

# auditlog registers its own, less filterable admin for the entry model.
if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


def office_model():
    return apps.get_model("offices", "Office")


def _key(value):
    """A filter's value as an id; anything else is a bad query string."""
    if not value.isdigit():
        raise IncorrectLookupParameters
    return int(value)


class ActorFilter(admin.SimpleListFilter):
    """The people who did something: those with entries, by name."""

    title = _("user")
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        actors = AuditEntry.objects.filter(actor__isnull=False).values("actor")
        people = get_user_model().objects.filter(pk__in=actors)
        return [(p.pk, display_name(p)) for p in people.order_by(BY_DISPLAY_NAME, "pk")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(actor=_key(self.value()))


class OfficeFilter(admin.SimpleListFilter):
    """The offices entries are filed under, by name (a draft's under its office)."""

    title = _("office")
    parameter_name = "office"

    def lookups(self, request, model_admin):
        filed = AuditEntry.objects.filter(office_id__isnull=False).values("office_id")
        offices = office_model().objects.filter(pk__in=filed).order_by("name", "pk")
        return [
            (pk, name if deleted_at is None else _office_deleted(name))
            for pk, name, deleted_at in offices.values_list("pk", "name", "deleted_at")
        ]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(office_id=_key(self.value()))


def _office_deleted(name):
    return gettext("%(office)s (deleted)") % {"office": name}


class AuditChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        # The offices of the page's entries, in one query; the entries keep
        # the ids only, so an office that was purged has no name any more.
        entries = list(self.result_list)  # evaluated once, rendered as is
        ids = {entry.office_id for entry in entries if entry.office_id is not None}
        offices = {}
        if ids:
            offices = {
                pk: (name, deleted_at is not None)
                for pk, name, deleted_at in office_model()
                .objects.filter(pk__in=ids)
                .values_list("pk", "name", "deleted_at")
            }
        for entry in entries:
            entry.filed_office = offices.get(entry.office_id)


# The export's columns (translated when the download is made).
EXPORT_HEADER = [
    _("entry id"),
    _("time"),
    _("username"),
    _("email"),
    _("action"),
    _("object type"),
    _("object id"),
    _("object"),
    _("office id"),
    _("office"),
    _("IP address"),
    _("message"),
    _("changes"),
]


# The trail is a record: nobody edits it here, superusers included.
@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, HostileInputAdminMixin, admin.ModelAdmin):
    list_display = [
        "timestamp",
        "actor_name",
        "action",
        "object_label",
        "office_link",
        "ip_address",
    ]
    list_filter = ["action", ActorFilter, OfficeFilter, "timestamp"]
    list_select_related = ["actor", "content_type"]
    date_hierarchy = "timestamp"
    search_fields = ["object_repr", "actor__username", "remote_addr"]
    # The trail only grows: one count of the entries per page is enough.
    show_full_result_count = False
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "timestamp",
                    "actor_name",
                    "action",
                    "object_label",
                    "office_link",
                    "ip_address",
                ]
            },
        ),
        (_("What changed"), {"fields": ["changes_text", "changes_table"]}),
        (
            _("Details"),
            {
                "fields": ["actor_email", "object_pk", "additional_data", "cid"],
                "classes": ["collapse"],
            },
        ),
    ]
    readonly_fields = [
        "timestamp",
        "actor_name",
        "action",
        "object_label",
        "office_link",
        "ip_address",
        "changes_text",
        "changes_table",
        "actor_email",
        "object_pk",
        "additional_data",
        "cid",
    ]

    def get_changelist(self, request, **kwargs):
        return AuditChangeList

    # The export: the list as filtered, searched and ordered, as CSV.

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """The entries the list shows with the same query string, every page.

        Whoever may read the trail (Content managers) may download it; the
        cells go through hrprofile/csv.py's formula guard.
        """
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return redirect(
                f"{reverse('admin:audit_auditentry_changelist')}?{ERROR_FLAG}=1"
            )
        entries = changelist.get_queryset(request).select_related(
            "actor", "content_type"
        )
        offices = dict(office_model().objects.values_list("pk", "name"))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return csv_streaming_response(
            f"audit-trail-{stamp}.csv",
            EXPORT_HEADER,
            self._export_rows(entries.iterator(chunk_size=2000), offices),
        )

    def _export_rows(self, entries, offices):
        """A row per entry, then the count: a file without it was cut short.

        An entry that cannot be written (say, changes in no shape auditlog
        writes) is a row with its id and a note, logged; the export goes on.
        """
        count = 0
        for entry in entries:
            try:
                row = self._export_row(entry, offices)
            except Exception:
                logger.warning(
                    "Audit entry %s could not be formatted for the export",
                    entry.pk,
                    exc_info=True,
                )
                row = [entry.pk, *[""] * (len(EXPORT_HEADER) - 2)]
                row.append(gettext("could not be formatted"))
            count += 1
            yield row
        yield [
            "# "
            + ngettext("%(count)d entry exported", "%(count)d entries exported", count)
            % {"count": count}
        ]

    def _export_row(self, entry, offices):
        return [
            entry.pk,
            timezone.localtime(entry.timestamp).isoformat(),
            entry.actor.get_username() if entry.actor else "",
            entry.actor_email or "",
            entry.get_action_display(),
            capfirst(entry.content_type.name) if entry.content_type else "",
            entry.object_pk,
            entry.object_repr,
            entry.office_id,
            offices.get(entry.office_id, ""),
            entry.remote_addr or "",
            entry.changes_text,
            entry.changes_summary,
        ]

    def get_object(self, request, object_id, from_field=None):
        entry = super().get_object(request, object_id, from_field)
        if entry is not None and entry.office_id is not None:
            office = (
                office_model()
                .objects.filter(pk=entry.office_id)
                .values_list("name", "deleted_at")
                .first()
            )
            entry.filed_office = office and (office[0], office[1] is not None)
        return entry

    @admin.display(description=_("user"), ordering="actor__username")
    def actor_name(self, entry):
        if entry.actor is not None:
            return display_name(entry.actor)
        # A failed login has no user; a removed account leaves its address.
        return entry.actor_email or self.get_empty_value_display()

    @admin.display(description=_("object"), ordering="object_repr")
    def object_label(self, entry):
        return gettext("%(type)s: %(object)s") % {
            "type": capfirst(entry.content_type.name),
            "object": Truncator(entry.object_repr).chars(100),
        }

    @admin.display(description=_("office"), ordering="office_id")
    def office_link(self, entry):
        if entry.office_id is None:
            return self.get_empty_value_display()
        # (name, deleted?), looked up for the page by AuditChangeList.
        office = getattr(entry, "filed_office", None)
        if office is None:
            return gettext("Office #%(id)s (removed)") % {"id": entry.office_id}
        name, deleted = office
        if deleted:
            label, view = _office_deleted(name), "deletedoffice"
        else:
            label, view = name, "office"
        try:
            url = reverse(f"admin:offices_{view}_change", args=[entry.office_id])
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("IP address"), ordering="remote_addr")
    def ip_address(self, entry):
        return entry.remote_addr or self.get_empty_value_display()

    @admin.display(description=_("changes"))
    def changes_table(self, entry):
        # auditlog's table shows any data, a string letter by letter: only
        # the shapes the export can describe are shown as a table.
        try:
            summary = entry.changes_summary
        except ValueError:
            return gettext("could not be formatted")
        if not summary:
            return self.get_empty_value_display()
        return render_logentry_changes_html(entry)

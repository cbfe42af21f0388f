"""A profile withdrawn from the public (unpublished, deleted, moved to a new
address) is never answered from the stored pages while the database is out
(hrprofile/pagecache.py's fallback): its stored answers are forgotten, in
every language, with the index's, which listed it.

Two signals say so: an office saved (unpublished in the admin or the
editorial workflow, moved, deleted for good) and the audit entry of a
withdrawal (a soft deletion is a queryset update, which sends no signal of
its own, and always writes one).
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from hrprofile.pagecache import forget_stored_pages


def _addresses(names_and_kwargs):
    addresses = []
    for language, _ in settings.LANGUAGES:
        with translation.override(language):
            addresses += [
                (language, reverse(name, kwargs=kwargs))
                for name, kwargs in names_and_kwargs
            ]
    return addresses


def forget_withdrawn(office, *, deleted=False):
    """Forget the stored answers of office's addresses that no longer show it."""
    if office.draft_of_id:  # a draft copy has no public page
        return
    pages = [("offices:detail", {"slug": slug}) for slug in office.old_slugs or []]
    if deleted or office.deleted_at or not office.is_published:
        pages += [
            ("offices:detail", {"slug": office.slug}),
            ("offices:index", {}),
            ("offices:home", {}),
        ]
    if pages:
        forget_stored_pages(_addresses(pages))


def office_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        forget_withdrawn(instance)


def office_deleted(sender, instance, **kwargs):
    forget_withdrawn(instance, deleted=True)


def withdrawal_recorded(sender, instance, created=False, raw=False, **kwargs):
    """An audit entry of a deletion or an unpublishing: forget the office's pages."""
    from django.contrib.contenttypes.models import ContentType

    from audit.models import AuditEntry
    from offices.models import Office

    withdrawals = {AuditEntry.Action.DELETE, AuditEntry.Action.UNPUBLISH}
    if raw or not created or instance.action not in withdrawals:
        return
    # An office's own entry (a field office's deletion files one under its
    # office too); the content type is cached, so other entries cost nothing.
    if instance.content_type_id != ContentType.objects.get_for_model(Office).pk:
        return
    office = Office.objects.filter(pk=instance.office_id).first()
    if office is not None:
        forget_withdrawn(office, deleted=True)

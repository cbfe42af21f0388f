"""A profile withdrawn from the public (unpublished, deleted, moved to a new
address) is never answered from the stored pages while the database is out
(hrprofile/pagecache.py's fallback): its stored answers are forgotten, in
every language, with the index's, which listed it.

An office's post_save and post_delete say so (unpublished in the admin or
the editorial workflow, moved, deleted for good); a soft deletion, a
queryset update that sends no signal, calls forget_withdrawn() itself
(offices/editorial/workflow.py soft_delete).
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

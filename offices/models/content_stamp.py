"""When the public content last changed: the content stamp and the page
stamps (kept by database triggers), the content version the page cache keys
on, and the removals the API reports to syncing clients."""

import dataclasses
import datetime
import functools
import hashlib

from django.db import InterfaceError, OperationalError, connection, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclasses.dataclass(frozen=True)
class ContentVersion:
    """The public site's content as one query saw it (see content_version())."""

    state: str
    latest: datetime.datetime | None
    today: datetime.date
    # For a page about one row (a profile, a term): whether that row exists,
    # and its primary key.
    page_exists: bool | None = None
    page_pk: int | None = None

    def etag(self, *variants):
        """A strong ETag: this content and what else the answer varies by
        (the release of the code, the language, the address)."""
        text = "\n".join([self.state, *map(str, variants)])
        return f'"{hashlib.blake2b(text.encode(), digest_size=12).hexdigest()}"'

    @property
    def last_modified(self):
        """The latest change, but not before today began: "closing" turns
        "closed" at midnight without any write."""
        midnight = datetime.datetime.combine(
            self.today, datetime.time.min, tzinfo=timezone.get_current_timezone()
        )
        return max(self.latest, midnight) if self.latest else midnight


class ContentStamp(models.Model):
    """When the public content last changed: one row, written by the database.

    The triggers of migration 0014_content_stamp bump it after every
    statement that writes a table a public page shows (offices, their field
    offices, mandates and links, terms, tags, translation checks), however
    the write is made: the admin, a bulk update(), a management command, raw
    SQL, another app instance. Nothing in Python writes it.

    A draft copy's edit bumps it too: a page is then rendered once more than
    needed, never served stale. A writing transaction holds the row's lock
    from its first content write until it commits, so content writes take
    turns; with a newsroom's handful of editors nobody waits long.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    generation = models.BigIntegerField(_("generation"), default=0, editable=False)
    changed_at = models.DateTimeField(_("changed at"), editable=False)

    class Meta:
        verbose_name = _("content stamp")
        verbose_name_plural = _("content stamps")
        constraints = [
            models.CheckConstraint(
                condition=Q(id=1), name="offices_contentstamp_one_row"
            )
        ]

    def __str__(self):
        return f"{self.generation} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class PageStamp(models.Model):
    """When what a kind of page shows last changed: one row per kind, written
    by the database.

    The content stamp moves with any write to the public content: versioned
    by it alone, an edit to one office would make every page render again.
    The page cache versions each page by what it shows instead
    (content_version's scope): a profile by its office's own stamp
    (Office.updated_at), and the pages that show many offices or a whole
    vocabulary by a row here, which the triggers of migration
    0022_page_stamps bump:

    - LIST, the listings (the index, the feed, the sitemap, the CSV): after
      any statement that changes a public office (its row, or its stamp,
      which its field offices, mandates, checks and terms move), makes one
      public or takes one away, and after any write to a vocabulary (the
      index's filters and the sitemap name every term);
    - one row per vocabulary, by its table's name: after any write to it.

    Like ContentStamp, nothing in Python writes it.
    """

    LIST = "list"

    name = models.CharField(_("name"), max_length=63, primary_key=True, editable=False)
    generation = models.BigIntegerField(_("generation"), default=0, editable=False)
    changed_at = models.DateTimeField(_("changed at"), editable=False)

    class Meta:
        verbose_name = _("page stamp")
        verbose_name_plural = _("page stamps")

    def __str__(self):
        return f"{self.name} {self.generation} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


# How long the API lists an office that left the public site (OfficeRemoval).
REMOVALS_KEPT_DAYS = 365


class OfficeRemovalQuerySet(models.QuerySet):
    def since(self, moment):
        """Removals at or after moment, the oldest first."""
        return self.filter(removed_at__gte=moment).order_by("removed_at", "pk")

    def expired(self, as_of, days=REMOVALS_KEPT_DAYS):
        """Removals older than days before as_of (manage.py trim_removals)."""
        return self.filter(removed_at__lt=as_of - datetime.timedelta(days=days))


class OfficeRemoval(models.Model):
    """A published office that left the public site, for the API's syncing
    clients (`removed` in the list with updated_since, 410 at its address).

    Written by the database only, like the per-office stamp (Office's
    updated_at): the triggers of migration 0017_office_stamp add a row when
    a published live office is unpublished, soft-deleted or deleted,
    however that is done, and remove it when the office is public again.
    One row per office, by its id (no foreign key: a purged office keeps its
    row); the slug is the one the public knew. manage.py trim_removals
    deletes rows older than REMOVALS_KEPT_DAYS.
    """

    office_id = models.BigIntegerField(_("office id"), primary_key=True, editable=False)
    slug = models.SlugField(_("slug"), max_length=100, db_index=False, editable=False)
    removed_at = models.DateTimeField(_("removed at"), editable=False)

    objects = OfficeRemovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("office removal")
        verbose_name_plural = _("office removals")
        ordering = ["removed_at", "office_id"]
        indexes = [
            models.Index(fields=["removed_at"], name="officeremoval_removed_at"),
            models.Index(fields=["slug"], name="officeremoval_slug"),
        ]

    def __str__(self):
        return f"{self.slug} (#{self.office_id})"


# The scopes a page is versioned by (content_version()), besides the whole
# site (None) and a vocabulary (its table's name): a profile, by its
# office's stamp; a listing, by the list's (PageStamp.LIST).
OFFICE_SCOPE = "office"
LIST_SCOPE = PageStamp.LIST


def _public(row):
    """SQL: whether row of offices_office is on the public site
    (OfficeQuerySet.published)."""
    return (
        f"{row}.status = %s AND {row}.deleted_at IS NULL AND {row}.draft_of_id IS NULL"
    )


def _term_links():
    """{vocabulary table: (link table, its term column)}: the terms an office
    shows (Office's many-to-many fields)."""
    from offices.models.profiles import Office

    return {
        field.related_model._meta.db_table: (
            field.remote_field.through._meta.db_table,
            field.m2m_reverse_name(),
        )
        for field in Office._meta.many_to_many
    }


@functools.cache
def _scope_sql(scope):
    """(sql, params) after content_version()'s SELECT for a scope: the token
    and the time that version it, and the joins that read them, built once
    per process. found.pk is the key of the page's row."""
    from offices.models.choices import OfficeStatus

    quote = connection.ops.quote_name
    stamp = f"{quote(PageStamp._meta.db_table)} AS stamp ON stamp.name = %s"
    if scope is None:
        table = quote(ContentStamp._meta.db_table)
        return (
            "stamp.generation::text, stamp.changed_at FROM (SELECT {lookup} AS pk)"
            f" AS found LEFT JOIN {table} AS stamp ON stamp.id = 1",
            (),
        )
    if scope == OFFICE_SCOPE:
        # The office's stamp moves with everything its profile shows
        # (migration 0017_office_stamp).
        return (
            "page.id::text, page.updated_at FROM (SELECT {lookup} AS pk) AS found"
            " LEFT JOIN offices_office AS page ON page.id = found.pk",
            (),
        )
    if scope == LIST_SCOPE:
        return (
            "stamp.generation::text, stamp.changed_at"
            " FROM (SELECT {lookup} AS pk) AS found LEFT JOIN " + stamp,
            (scope,),
        )
    link, column = _term_links()[scope]
    # A term's page: its vocabulary's stamp, and the stamps of the published
    # offices it lists, all of them (an office that leaves the list moves
    # no stamp that is still listed).
    return (
        "stamp.generation::text || ':' || coalesce(listed.digest, ''),"
        " greatest(stamp.changed_at, listed.latest)"
        " FROM (SELECT {lookup} AS pk) AS found LEFT JOIN " + stamp + " CROSS JOIN"
        " LATERAL (SELECT md5(string_agg(o.id::text || '@' || o.updated_at::text,"
        " ',' ORDER BY o.id)) AS digest, max(o.updated_at) AS latest"
        f" FROM {quote(link)} AS link JOIN offices_office AS o"
        f" ON o.id = link.office_id WHERE link.{quote(column)} = found.pk"
        f" AND {_public('o')}) AS listed",
        (scope, OfficeStatus.PUBLISHED),
    )


def content_version(page=None, scope=None):
    """What a public page shows, versioned in one small query.

    The version is a stamp the database keeps, and today's date, which
    turns "closing" into "closed" at midnight without any write. Which stamp
    is the page's scope:

    - None: the content stamp (ContentStamp), which any write to the public
      content moves (the API's validators);
    - OFFICE_SCOPE: a profile, by its office's stamp (Office.updated_at),
      which moves with its row, field offices, mandates, translation checks
      and the terms it shows; an edit to another office leaves it;
    - LIST_SCOPE: the listings (the index, the feed, the sitemap), by the
      list's stamp (PageStamp);
    - a vocabulary's table name: a term's page, by the vocabulary's stamp
      and the stamps of the published offices it lists.

    Each costs one primary-key read (a term's page: and its offices' stamps)
    whatever the size of the site. No signal and no counter in a cache:
    every app instance reads the same database, so an edit anywhere changes
    the version everywhere at once. The time is part of the state too: after
    a test's flush empties a stamp, its generation starts again from 1,
    never its time.

    page: (sql, params) of a query for the primary key of the row a page is
    about (hrprofile.pagecache.PageLookup); whether it exists, and its key, come
    in the same query.
    """
    lookup, params = "NULL::bigint", ()
    if page is not None:
        sql, params = page
        lookup = f"({sql})"
    scope_sql, scope_params = _scope_sql(scope)
    page_pk, token, changed_at = fetch_one_checked(
        "SELECT found.pk, " + scope_sql.format(lookup=lookup),
        (*params, *scope_params),
    )
    today = timezone.localdate()
    stamp = f"{token}@{changed_at.timestamp()}" if changed_at else "none"
    return ContentVersion(
        state=f"{today.isoformat()} {scope or 'site'} {stamp}",
        latest=changed_at,
        today=today,
        page_exists=None if page is None else page_pk is not None,
        page_pk=page_pk,
    )


def fetch_one_checked(sql, params):
    """The first row of a read-only query, which doubles as the connection's
    health check.

    With CONN_HEALTH_CHECKS, Django asks a kept connection "SELECT 1" before
    the first query of each request: a second round trip for a page that
    needs only this one (a cached page, a 304). Here the query itself is the
    check: if the kept connection turns out to be dead, it is replaced and
    the query asked once more, as the health check would have done. Inside a
    transaction nothing is retried (nor skipped).
    """
    check_here = (
        connection.health_check_enabled
        and not connection.health_check_done
        and connection.connection is not None
        and not connection.in_atomic_block
    )
    if check_here:
        connection.health_check_done = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    except (InterfaceError, OperationalError):
        # Retried only if the connection itself failed, not the query.
        if not check_here or connection.is_usable():
            raise
    # The kept connection was dead: a new one (connect() marks it healthy).
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()

"""A profile's public change log (offices/changelog.py): its page and its feed.

Both are about the published office at the address, versioned by the
office's stamp (OFFICE_SCOPE): a publication, a completed review and a
withdrawal each move it. A former address answers 301 to the current one.
"""

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import DetailView, View

from hrprofile.pagecache import PageLookup, PublicPageMixin
from offices.changelog import change_log
from offices.feeds import ChangeLogFeed
from offices.models import OFFICE_SCOPE, Office
from offices.views import moved_permanently

# Entries on a page of the log.
PER_PAGE = 50


def published_office(slug, url_name):
    """The published office at slug; a 301 to its current address if slug was
    one of its former ones; else a 404."""
    offices = Office.objects.published()
    office = offices.filter(slug=slug).first()
    if office is not None:
        return office
    return moved_permanently(offices, slug, url_name)


def changes_path(office, page=1):
    path = reverse("offices:changes", args=[office.slug])
    return path if page == 1 else f"{path}?page={page}"


class OfficeChangesView(PublicPageMixin, DetailView):
    """What the public saw change in a profile, newest first, PER_PAGE a page.

    A page number that is not one of the log's pages is a 404.
    """

    template_name = "offices/office_changes.html"
    context_object_name = "office"
    page_lookup = PageLookup(Office.objects.published)
    version_scope = OFFICE_SCOPE

    def get(self, request, *args, **kwargs):
        found = published_office(kwargs["slug"], "offices:changes")
        if not isinstance(found, Office):
            return found
        self.object = found
        paginator = Paginator(change_log(found), PER_PAGE)
        try:
            self.page = paginator.page(request.GET.get("page") or 1)
        except InvalidPage as error:
            raise Http404 from error
        return self.render_to_response(self.get_context_data(object=found))

    def get_canonical_path(self):
        return changes_path(self.object, self.page.number)

    def get_context_data(self, **kwargs):
        office = self.object
        page = self.page
        return super().get_context_data(
            page_obj=page,
            entries=page.object_list,
            title=gettext("Changes to %(name)s") % {"name": office.name},
            description=gettext(
                "What changed in the public profile of %(name)s, and when."
            )
            % {"name": office.name},
            previous_url=page.has_previous()
            and changes_path(office, page.previous_page_number()),
            next_url=page.has_next() and changes_path(office, page.next_page_number()),
            **kwargs,
        )


class OfficeChangesFeedView(PublicPageMixin, View):
    """The change log's Atom feed: a researcher follows one country."""

    page_lookup = PageLookup(Office.objects.published)
    version_scope = OFFICE_SCOPE
    feed = ChangeLogFeed()

    def get(self, request, *args, **kwargs):
        found = published_office(kwargs["slug"], "offices:changes_feed")
        if not isinstance(found, Office):
            return found
        return self.feed(request, office=found)

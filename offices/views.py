import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.views.decorators.http import condition
from django.views.generic import DetailView, ListView

from hrprofile.auth import acting_user
from hrprofile.throttle import client_ip, seconds_to_wait
from hrprofile.views import PublicPageMixin, too_many_requests
from offices.filters import OfficeFilterForm
from offices.history import diff, snapshot
from offices.models import Office, can_preview

# The characters that could end a <script> element or start markup inside it,
# as in django.utils.html.json_script.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld_script(data):
    """A <script type="application/ld+json"> element that content cannot escape."""
    text = json.dumps(data, cls=DjangoJSONEncoder).translate(JSON_SCRIPT_ESCAPES)
    return format_html(
        '<script type="application/ld+json">{}</script>', mark_safe(text)
    )


def _profile_stamp(request, slug):
    """(pk, last change) of the profile, or None: one query, shared by both checks.

    Staff also see whether changes are pending (a link to their preview), so
    for them an edit of the draft copy changes the page too.
    """
    if not hasattr(request, "_profile_stamp"):
        user = acting_user(request)
        fields = ["pk", "updated_at"]
        if can_preview(user):
            fields.append("draft__updated_at")
        row = (
            Office.objects.visible_to(user)
            .filter(slug=slug)
            .values_list(*fields)
            .first()
        )
        request._profile_stamp = row and (row[0], max(filter(None, row[1:])))
    return request._profile_stamp


def profile_etag(request, slug):
    # The page differs by language and by preview mode, not only by edit.
    stamp = _profile_stamp(request, slug)
    if stamp is None:
        return None
    pk, updated_at = stamp
    preview = int(can_preview(acting_user(request)))
    return f"{pk}-{updated_at.timestamp()}-{get_language()}-{preview}"


def profile_last_modified(request, slug):
    stamp = _profile_stamp(request, slug)
    return stamp and stamp[1]


class OfficeViewMixin(PublicPageMixin):
    """The public sees published offices; staff with permission preview drafts."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # Known before any answer, a 304 included, so none is cached publicly.
        self.is_preview = can_preview(acting_user(request))

    def get_queryset(self):
        return Office.objects.visible_to(acting_user(self.request))

    def get_context_data(self, **kwargs):
        return super().get_context_data(is_preview=self.is_preview, **kwargs)


class OfficeListView(OfficeViewMixin, ListView):
    context_object_name = "offices"

    def dispatch(self, request, *args, **kwargs):
        # Searches and filters cost the database far more than the plain
        # index: anonymous clients get a fair share each (staff: no limit).
        # Counted before the page cache, so a cached answer counts too.
        if not request.user.is_authenticated and OfficeFilterForm.is_filtering(
            request.GET
        ):
            wait = seconds_to_wait(
                "search",
                client_ip(request),
                limit=settings.SEARCH_RATE_LIMIT,
                window=settings.SEARCH_RATE_WINDOW,
            )
            if wait:
                return too_many_requests(request, wait)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        self.form = OfficeFilterForm(self.request.GET)
        return self.form.filter(super().get_queryset())

    def get_canonical_path(self):
        return reverse("offices:index")

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, **kwargs)


def moved_permanently(offices, slug, url_name):
    """A 301 to the office among offices whose address was once slug, or a 404.

    Asked only once no current address matched: a current slug always wins.
    """
    office = offices.with_old_slug(slug).only("slug").first()
    if office is None:
        raise Http404
    return HttpResponsePermanentRedirect(reverse(url_name, args=[office.slug]))


class OfficePageMixin(OfficeViewMixin):
    """A profile page: the published one, a draft's preview, pending changes."""

    template_name = "offices/office_detail.html"
    context_object_name = "office"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        office = self.object
        context["description"] = office.summary or gettext(
            "The profile of %(name)s, a field presence of UN Human Rights."
        ) % {"name": office.name}
        context["json_ld"] = json_ld_script(
            {
                "@context": "https://schema.org",
                "@type": "GovernmentOrganization",
                "name": office.name,
                "url": context["canonical_url"],
                "description": context["description"],
                "foundingDate": str(office.year_established),
                **(
                    {"areaServed": {"@type": "Country", "name": office.country}}
                    if office.country
                    else {}
                ),
                "parentOrganization": {
                    "@type": "GovernmentOrganization",
                    "name": gettext(
                        "Office of the United Nations High Commissioner "
                        "for Human Rights"
                    ),
                },
                "location": [
                    {
                        "@type": "Place",
                        "name": field_office.name,
                        **(
                            {"description": field_office.note}
                            if field_office.note
                            else {}
                        ),
                    }
                    for field_office in office.field_offices.all()
                ],
            }
        )
        return context


class OfficeDetailView(OfficePageMixin, DetailView):
    def get_queryset(self):
        offices = super().get_queryset().with_page_relations()
        # The staff bar links to the pending changes, if there are any.
        return offices.select_related("draft") if self.is_preview else offices

    def get_page_queryset(self):
        return Office.objects.published().filter(slug=self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        version = self.content_version
        if version is None:
            return self.get_with_own_validators(request, *args, **kwargs)
        # An anonymous read: PublicPageMixin has answered any 304 already.
        if not version.page_exists:
            offices = Office.objects.published()
            return moved_permanently(offices, kwargs["slug"], "offices:detail")
        return super().get(request, *args, **kwargs)

    # Signed in (or with a session): the profile's own validators. A 304
    # costs the one query of the stamp; the page's seven only run for a full
    # answer. The preview flag is part of the ETag, and previews are never
    # cached (PublicPageMixin).
    @method_decorator(
        condition(etag_func=profile_etag, last_modified_func=profile_last_modified)
    )
    def get_with_own_validators(self, request, *args, **kwargs):
        slug = kwargs["slug"]
        if _profile_stamp(request, slug) is None:
            # Nothing is at this address now; perhaps a profile was, and moved.
            offices = Office.objects.visible_to(acting_user(request))
            return moved_permanently(offices, slug, "offices:detail")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        if self.is_preview:
            kwargs["pending_draft"] = getattr(self.object, "draft", None)
        return super().get_context_data(**kwargs)


class OfficeDraftView(OfficePageMixin, DetailView):
    """A published office's pending changes, shown as its page will show them.

    Only for staff who may edit the office (past the second step); anyone
    else gets the ordinary 404. Like every preview it is never cached
    (PublicPageMixin). A banner lists what differs from the live version.
    """

    page_cache = False

    def get(self, request, *args, **kwargs):
        if not self.is_preview:
            raise Http404
        self.object = self.get_draft()
        if self.object is not None:
            return self.render_to_response(self.get_context_data(object=self.object))
        slug = kwargs["slug"]
        offices = self.get_live_offices()
        office = offices.filter(slug=slug).only("slug").first()
        if office is not None:
            # No changes pending (published or discarded since): the page itself.
            return HttpResponseRedirect(office.get_absolute_url())
        return moved_permanently(offices, slug, "offices:draft")

    def get_live_offices(self):
        return Office.objects.live().editable_by(acting_user(self.request))

    def get_draft(self):
        """The draft copy of the office at this address, or None."""
        return (
            Office.objects.editable_by(acting_user(self.request))
            .filter(
                draft_of__in=self.get_live_offices().filter(slug=self.kwargs["slug"])
            )
            .with_page_relations()
            .prefetch_related(
                Prefetch("draft_of", queryset=Office.objects.with_page_relations())
            )
            .first()
        )

    def get_context_data(self, **kwargs):
        draft = self.object
        live = draft.draft_of
        # Publishing leaves the review state as it is: show the live office's.
        draft.last_reviewed = live.last_reviewed
        return super().get_context_data(
            live_office=live, changes=diff(snapshot(live), snapshot(draft)), **kwargs
        )

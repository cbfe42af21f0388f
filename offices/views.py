from django.conf import settings
from django.db.models import Prefetch
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext, gettext_lazy
from django.views.decorators.http import condition, require_safe
from django.views.generic import DetailView, ListView, View

from hrprofile.csv import csv_response
from hrprofile.errors import too_many_requests
from hrprofile.links import absolute_url, constant_url
from hrprofile.pagecache import PageLookup, PublicPageMixin
from hrprofile.people import may_be_signed_in
from hrprofile.queries import CompiledQuery, CompiledRelations, CompiledTogether
from hrprofile.structured_data import json_ld_script
from hrprofile.templatetags.hrprofile import display
from hrprofile.throttle import client_ip, seconds_to_wait
from hrprofile.translations import SOURCE_LANGUAGE, active_language, defer_unread
from hrprofile.twostep import acting_user
from offices import calendar
from offices.compiled import published_index, published_search
from offices.filters import OfficeFilterForm
from offices.history import diff, snapshot
from offices.models import (
    LIST_SCOPE,
    OFFICE_SCOPE,
    PAGE_RELATIONS,
    Office,
    can_preview,
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
        # Without a session cookie nobody is signed in: no user to look up.
        self.is_preview = may_be_signed_in(request) and can_preview(
            acting_user(request)
        )

    def get_queryset(self):
        return Office.objects.visible_to(acting_user(self.request))

    def get_context_data(self, **kwargs):
        return super().get_context_data(is_preview=self.is_preview, **kwargs)


class SearchRateLimitMixin:
    """Anonymous searches and filters are rate-limited per client."""

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

    def answered_early(self):
        # Not a search or a filter: the limit counts each of those.
        return not OfficeFilterForm.is_filtering(self.request.GET)


def download_links(form):
    """The CSV and API addresses of the selection a filter form shows.

    Invalid values are left out, as the index ignores them; the API would
    refuse them.
    """
    form.is_valid()
    selection = {name: value for name, value in form.cleaned_data.items() if value}
    return {
        "csv_url": with_query(reverse("offices:csv"), selection),
        "api_url": with_query(reverse("api:office-list"), form.filters()),
    }


def with_query(path, query):
    return f"{path}?{urlencode(query)}" if query else path


class OfficeListView(SearchRateLimitMixin, OfficeViewMixin, ListView):
    """The index: the search and filter form, and the offices they select.

    The form and the results (everything that grows with the site) are
    rendered by render_content(); for anonymous readers they are stored by
    content version and the form's own parameters (stored_part), so any
    address with the same search and filters (another parameter, another
    order) is answered without building the form or a queryset.
    """

    context_object_name = "offices"
    # Stored until a listing changes, whichever office it was.
    version_scope = LIST_SCOPE
    content_template_name = "offices/includes/_index_content.html"
    # Its title, meta and Open Graph description, and its CollectionPage's.
    title = gettext_lazy("UN Human Rights field presences")
    description = gettext_lazy(
        "Profiles of the UN Human Rights Office's field presences: where it works,"
        " on what mandate, and on which focus areas."
    )

    def get(self, request, *args, **kwargs):
        content = self.stored_part(
            self.render_content,
            "office-index",
            OfficeFilterForm.selection(request.GET),
        )
        # The page around it names no office.
        self.object_list = Office.objects.none()
        return self.render_to_response(self.get_context_data(content=content))

    def render_content(self):
        self.object_list = self.get_queryset()
        context = self.get_context_data(form=self.form, **download_links(self.form))
        # The offices the results list, in their order: the same queryset
        # object, whose rows the template then reads again without a query.
        context["json_ld"] = json_ld_script(
            collection_page_ld(
                context["offices"],
                context["canonical_url"],
                self.title,
                self.description,
            )
        )
        return render_to_string(self.content_template_name, context, self.request)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.title, description=self.description, **kwargs
        )

    def get_queryset(self):
        self.form = OfficeFilterForm(self.request.GET)
        if not self.is_preview:
            # The published offices, nothing asked or only a search: the
            # same rows as the queryset below, its SQL compiled once per
            # language. A list.
            filters = self.form.filters()
            if not filters:
                return published_index()
            if filters.keys() == {"q"}:
                return published_search(filters["q"])
        return self.form.filter(super().get_queryset())

    def get_canonical_path(self):
        return reverse("offices:index")


# The download's columns, stable: scripts read them by name.
CSV_COLUMNS = [
    "name",
    "slug",
    "country",
    "country_code",
    "region",
    "region_label",
    "engagement_type",
    "engagement_type_label",
    "host_mission",
    "year_established",
    "field_offices",
    "head_office",
    "mandates",
    "pillars",
    "shifts",
    "spotlight_populations",
    "tags",
    "staff_count",
    "budget_needs_usd",
    "closed_on",
    "last_reviewed",
    "page_url",
    "api_url",
    "updated_at",
]


def csv_row(office):
    field_offices = list(office.field_offices.all())
    head_office = next((f.name for f in field_offices if f.is_head_office), "")
    return [
        office.name,
        office.slug,
        office.country,
        office.country_code,
        office.region,
        office.get_region_display(),
        office.engagement_type,
        office.get_engagement_type_display(),
        office.host_mission,
        office.year_established,
        [field_office.name for field_office in field_offices],
        head_office,
        [
            f"{mandate.title} ({mandate.symbol})" if mandate.symbol else mandate.title
            for mandate in office.mandates.all()
        ],
        [term.name for term in office.pillars.all()],
        [term.name for term in office.shifts.all()],
        [term.name for term in office.spotlight_populations.all()],
        [tag.name for tag in office.tags.all()],
        office.staff_count,
        office.budget_needs_usd,
        office.closed_on and office.closed_on.isoformat(),
        office.last_reviewed and office.last_reviewed.isoformat(),
        absolute_url(office.get_absolute_url()),
        absolute_url(reverse("api:office-detail", args=[office.slug])),
        office.updated_at.isoformat(),
    ]


def query_errors(form):
    """What is wrong with a download's query string, as {parameter: message}.

    A filter the reader asked for is never dropped: an unknown parameter or
    a wrong value is named, with what would be right. An empty value is the
    index form's "All" and filters nothing.
    """
    errors = {
        name: gettext("Unknown parameter. Accepted here: %(names)s.")
        % {"names": ", ".join(sorted(form.fields))}
        for name in form.data
        if name not in form.fields
    }
    form.is_valid()
    for name, messages in form.errors.items():
        choices = getattr(form.fields[name], "choices", ())
        values = [str(value) for value, _label in choices if value]
        errors[name] = (
            gettext("“%(value)s” is not one of its values: %(values)s.")
            % {"value": form.data[name], "values": ", ".join(values)}
            if values
            else " ".join(messages)
        )
    return errors


class OfficeCsvView(SearchRateLimitMixin, PublicPageMixin, View):
    """The index's selection as CSV: one row per published office.

    Always the published offices, whoever asks: a download is public data,
    never a preview. A query string with a wrong filter is a 400 in plain
    text (query_errors), never the whole list.
    """

    version_scope = LIST_SCOPE

    def get(self, request, *args, **kwargs):
        form = OfficeFilterForm(request.GET)
        errors = query_errors(form)
        if errors:
            lines = [
                gettext("Invalid query parameters: %(names)s.")
                % {"names": ", ".join(sorted(errors))},
                *(f"{name}: {message}" for name, message in sorted(errors.items())),
            ]
            return HttpResponseBadRequest(
                "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
            )
        offices = form.filter(Office.objects.published()).with_page_relations()
        return csv_response("offices.csv", CSV_COLUMNS, map(csv_row, offices))


def moved_permanently(offices, slug, url_name):
    """A 301 to the office among offices whose address was once slug, or a 404.

    Asked only once no current address matched: a current slug always wins.
    """
    office = offices.with_old_slug(slug).only("slug").first()
    if office is None:
        raise Http404
    return HttpResponsePermanentRedirect(reverse(url_name, args=[office.slug]))


# The widths a preview can be shown at (px): a phone, a tablet, a laptop.
PREVIEW_WIDTHS = (375, 768, 1280)


def preview_widths(request):
    """The width a staff preview is shown at (?width=, None for the full
    window; an unknown value is ignored) and the links that choose it."""
    asked = request.GET.get("width", "")
    width = int(asked) if asked in {str(w) for w in PREVIEW_WIDTHS} else None
    choices = [
        {
            "label": gettext("%(width)s px") % {"width": w},
            "url": f"?{urlencode({'width': w})}",
            "is_current": w == width,
        }
        for w in PREVIEW_WIDTHS
    ]
    choices.append(
        {"label": gettext("Full width"), "url": request.path, "is_current": not width}
    )
    return width, choices


def prefetched(office, name):
    """office.<name>.all(): the rows prefetch_related() or
    CompiledRelations.attach() put on the office, read without making a
    related manager (tens of µs each, a dozen times a page)."""
    cache = getattr(office, "_prefetched_objects_cache", None)
    if cache and name in cache:
        return cache[name]
    return getattr(office, name).all()


class OfficePageMixin(OfficeViewMixin):
    """A profile page: the published one, a draft's preview, pending changes."""

    template_name = "offices/office_detail.html"
    context_object_name = "office"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.is_preview:
            # Staff only (never stored by the page cache): the page's own
            # width narrowed, as a phone or a tablet would show it.
            context["preview_width"], context["preview_widths"] = preview_widths(
                self.request
            )
        office = self.object
        context["related"] = {name: prefetched(office, name) for name in PAGE_RELATIONS}
        context["description"] = office.summary or gettext(
            "The profile of %(name)s, a field presence of UN Human Rights."
        ) % {"name": office.name}
        context["json_ld"] = (
            json_ld_script(
                organization_ld(
                    office, context["canonical_url"], context["description"]
                )
            )
            + json_ld_script(
                page_ld(office, context["canonical_url"], context["description"])
            )
            + json_ld_script(breadcrumbs_ld(office, context["canonical_url"]))
        )
        return context


def page_ld(office, url, description):
    """The profile page as a schema.org WebPage, in the language it is written
    in: the reader's, or English while the profile has no translation into it."""
    language = active_language()
    return {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "@id": url,
        "url": url,
        "name": office.name,
        "description": description,
        "inLanguage": language if office.has_translation(language) else SOURCE_LANGUAGE,
        "about": {"@id": f"{url}#organization"},
    }


def organization_ld(office, url, description):
    """The office as a schema.org GovernmentOrganization."""
    area = {"@type": "Country", "name": office.country}
    if office.country_code:
        area["identifier"] = office.country_code
    return {
        "@context": "https://schema.org",
        "@type": "GovernmentOrganization",
        "@id": f"{url}#organization",
        "name": office.name,
        "url": url,
        "description": description,
        "foundingDate": str(office.year_established),
        **(
            {"dissolutionDate": office.closed_on.isoformat()}
            if office.is_closed
            else {}
        ),
        **({"areaServed": area} if office.country else {}),
        "parentOrganization": {
            "@type": "GovernmentOrganization",
            "name": gettext(
                "Office of the United Nations High Commissioner for Human Rights"
            ),
        },
        "location": [
            {
                "@type": "Place",
                "name": field_office.name,
                **({"description": field_office.note} if field_office.note else {}),
            }
            for field_office in prefetched(office, "field_offices")
        ],
    }


def breadcrumbs_ld(office, url):
    """The breadcrumbs the page shows, as a schema.org BreadcrumbList."""
    index = absolute_url(constant_url("offices:index"))
    crumbs = [(gettext("Field presences"), index)]
    if office.region:
        region_url = with_query(index, {"region": office.region})
        crumbs.append((display(office, "region"), region_url))
    crumbs.append((office.name, url))
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": item}
            for position, (name, item) in enumerate(crumbs, start=1)
        ],
    }


def collection_page_ld(offices, url, name, description):
    """The index as a schema.org CollectionPage of the offices it lists."""
    return {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "@id": url,
        "url": url,
        "name": name,
        "description": description,
        "inLanguage": active_language(),
        "mainEntity": {
            "@type": "ItemList",
            "numberOfItems": len(offices),
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": position,
                    "name": office.name,
                    "url": absolute_url(office.get_absolute_url()),
                }
                for position, office in enumerate(offices, start=1)
            ],
        },
    }


# An anonymous reader's profile: the published office at a slug, with the
# state of the reader's language's translation, and what the page shows
# besides (PAGE_RELATIONS), each query compiled once per process.
# Each row without the columns of the languages the reader's never falls
# back to (defer_unread): a profile's rows are a third as wide.
PUBLISHED_PROFILE = CompiledQuery(
    lambda slug: defer_unread(
        Office.objects.published().with_translation_state().filter(slug=slug)
    ),
    value_type=str,
)
PROFILE_RELATIONS = CompiledRelations(Office, PAGE_RELATIONS, narrow=defer_unread)
# Both, asked as one statement (the office by its slug, each relation by the
# key the content version found).
PUBLISHED_PROFILE_TOGETHER = CompiledTogether(
    PUBLISHED_PROFILE, *PROFILE_RELATIONS.queries.values()
)


class OfficeDetailView(OfficePageMixin, DetailView):
    page_lookup = PageLookup(Office.objects.published)
    # Stored until this office changes: an edit to another leaves it.
    version_scope = OFFICE_SCOPE

    def get_object(self, queryset=None):
        if self.is_preview or queryset is not None:
            return super().get_object(queryset)
        # What get_queryset() gives the public, the same instances, without
        # building and compiling seven querysets on every request. An
        # anonymous read knows the office's key from the content version:
        # the office and its relations are then asked in one statement.
        slug = self.kwargs["slug"]
        pk = self.content_version and self.content_version.page_pk
        if pk is None:
            found, relations = PUBLISHED_PROFILE.rows(slug), None
        else:
            found, *relations = PUBLISHED_PROFILE_TOGETHER.rows(
                slug, *[pk] * len(PROFILE_RELATIONS.queries)
            )
        if not found:
            raise Http404
        [office] = found
        if office.pk != pk:
            # Not the office the version saw (another took the slug since).
            relations = None
        PROFILE_RELATIONS.attach(office, relations)
        return office

    def get_queryset(self):
        # with_translation_state: whether the reader's language's translation
        # is out of date, in the same query.
        offices = super().get_queryset().with_page_relations().with_translation_state()
        # The staff bar links to the pending changes, if there are any.
        return offices.select_related("draft") if self.is_preview else offices

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


@require_safe
def review_calendar(request, user_id, token):
    """A reviewer's private iCalendar feed; 404 for any address but theirs.

    Nobody is signed in (a calendar program fetches it): the token in the
    address is the credential, so the answer is never stored by a cache.
    """
    feed = calendar.feed_for(user_id, token)
    if feed is None:
        raise Http404
    response = HttpResponse(
        calendar.review_calendar(feed.user).to_ical(),
        content_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": 'inline; filename="reviews.ics"',
            "Cache-Control": "private, no-store",
            "X-Robots-Tag": "noindex, nofollow",
        },
    )
    return response

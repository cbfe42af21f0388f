import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
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
    """(pk, updated_at) of the profile, or None: one query, shared by both checks."""
    if not hasattr(request, "_profile_stamp"):
        request._profile_stamp = (
            Office.objects.visible_to(acting_user(request))
            .filter(slug=slug)
            .values_list("pk", "updated_at")
            .first()
        )
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

    def get(self, request, *args, **kwargs):
        # Searches and filters cost the database far more than the plain
        # index: anonymous clients get a fair share each (staff: no limit).
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
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        self.form = OfficeFilterForm(self.request.GET)
        return self.form.filter(super().get_queryset())

    def get_canonical_path(self):
        return reverse("offices:index")

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, **kwargs)


class OfficeDetailView(OfficeViewMixin, DetailView):
    context_object_name = "office"

    def get_queryset(self):
        return super().get_queryset().with_page_relations()

    # A 304 costs the one query of the stamp; the page's seven only run for a
    # full answer. The preview flag is part of the ETag, and previews are
    # never cached (PublicPageMixin).
    @method_decorator(
        condition(etag_func=profile_etag, last_modified_func=profile_last_modified)
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

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

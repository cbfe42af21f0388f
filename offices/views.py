import json
import re

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    quote_etag,
)
from django.utils.html import format_html
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext
from django.views.generic import DetailView, ListView

from offices.filters import OfficeFilterForm
from offices.models import Office

PUBLIC_MAX_AGE = 300  # seconds; an edit shows publicly within five minutes

# The characters that could end a <script> element or start markup inside it,
# as in django.utils.html.json_script.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

# Up to the first full stop, question or exclamation mark (and a closing quote
# or bracket) that is followed by white space or the end.
SENTENCE = re.compile(r"\S.*?[.!?][\"\u201d\u2019)]?(?=\s|$)", re.DOTALL)


def first_sentence(text, max_chars=300):
    """The first sentence of text, for meta descriptions and the feed."""
    match = SENTENCE.search(text)
    sentence = match.group() if match else text.strip()
    return Truncator(" ".join(sentence.split())).chars(max_chars)


def json_ld_script(data):
    """A <script type="application/ld+json"> element that content cannot escape."""
    text = json.dumps(data, cls=DjangoJSONEncoder).translate(JSON_SCRIPT_ESCAPES)
    return format_html(
        '<script type="application/ld+json">{}</script>', mark_safe(text)
    )


class PublicPageMixin:
    """Public pages are cached by browsers and proxies.

    A response that depends on who is asking (a staff preview) is never cached.
    """

    is_preview = False

    def can_preview(self):
        """Staff who may see or edit offices also see drafts (anonymous: no query)."""
        user = self.request.user
        return (
            user.is_authenticated
            and user.is_staff
            and (
                user.has_perm("offices.view_office")
                or user.has_perm("offices.change_office")
            )
        )

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if self.is_preview:
            add_never_cache_headers(response)
        else:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        return response

    def get_canonical_path(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            canonical_url=self.request.build_absolute_uri(self.get_canonical_path()),
            **kwargs,
        )


class OfficeViewMixin(PublicPageMixin):
    """The public sees published offices; staff with permission preview drafts."""

    def get_queryset(self):
        self.is_preview = self.can_preview()
        offices = Office.objects.all()
        return offices if self.is_preview else offices.published()

    def get_context_data(self, **kwargs):
        return super().get_context_data(is_preview=self.is_preview, **kwargs)


class OfficeListView(OfficeViewMixin, ListView):
    context_object_name = "offices"

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

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        # The page differs by language and by preview mode, not only by edit.
        etag = quote_etag(
            f"{self.object.pk}-{self.object.updated_at.timestamp()}"
            f"-{get_language()}-{int(self.is_preview)}"
        )
        last_modified = int(self.object.updated_at.timestamp())
        response = get_conditional_response(
            request, etag=etag, last_modified=last_modified
        )
        if response is None:
            response = self.render_to_response(self.get_context_data())
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(last_modified)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        office = self.object
        context["description"] = first_sentence(office.profile) or gettext(
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

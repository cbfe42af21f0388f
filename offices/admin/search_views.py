"""The admin's search: one box in every admin page's header
(templates/admin/base_site.html) and its results page.

It finds offices, field offices, mandates and the vocabulary (pillars,
shifts, populations, tags) by name in any content language, case and
accents aside. Each kind is searched in its own admin's queryset
(get_queryset) and only if that admin lets the user view it
(has_view_permission), so that what an editor finds is what the admin
would show them. A field office or a mandate leads to its office's page, at
its section of the form.

Wired by OfficeAdmin.get_urls, as the office admin's other pages: offices
may name every model it searches (mandates is below it), and the admin site
(hrprofile) names no app.
"""

import unicodedata
from urllib.parse import urlencode

from django.db.models import Count, Q, Value, Window
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from hrprofile.collations import Unaccent
from hrprofile.links import admin_change_url
from hrprofile.translations import column, language_codes
from mandates.models import Mandate, Shift, SpotlightPopulation, Tag, ThematicPillar
from offices.admin.views import OfficeAdminView
from offices.models import FieldOffice, Office

MIN_LENGTH = 2
MAX_LENGTH = 100
# Results shown per kind; the rest are counted, and "more" opens the list.
PER_KIND = 20


def fold(text):
    """text without case and accents, for telling which language matched."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def name_matches(field, text, prefix=""):
    """Q: field (translated) contains text in some language, case and
    accents aside (PostgreSQL's unaccent on both sides)."""
    folded = Unaccent(Value(text))
    condition = Q()
    for code in language_codes():
        condition |= Q(
            **{f"{prefix}{column(field, code)}__unaccent__icontains": folded}
        )
    return condition


class Kind:
    """One kind of result: its model, the field it is found by, where it leads.

    owner: the model whose admin decides who sees it and links to it (the
    office, for a field office), or None for the model's own admin.
    section: the anchor of the owner's change form where it is edited.
    """

    def __init__(self, model, field, *, owner=None, section=""):
        self.model = model
        self.field = field
        self.owner = owner
        self.section = section

    def admin(self, site):
        return site.get_model_admin(self.owner or self.model)

    def queryset(self, request, model_admin):
        if self.owner is None:
            rows = model_admin.get_queryset(request)
        else:
            # Rows of the offices the office admin shows this user.
            rows = self.model.objects.filter(
                office__in=model_admin.get_queryset(request)
            )
        # The link goes to the office's page.
        return rows.select_related("office") if self.section else rows

    def link(self, obj):
        if self.section:
            return admin_change_url(obj.office, obj.office.pk) + f"#{self.section}"
        return admin_change_url(obj, obj.pk)


KINDS = [
    Kind(Office, "name"),
    Kind(FieldOffice, "name", owner=Office, section="section-field-offices"),
    Kind(Mandate, "title", section="section-mandates"),
    Kind(ThematicPillar, "name"),
    Kind(Shift, "name"),
    Kind(SpotlightPopulation, "name"),
    Kind(Tag, "name"),
]


class AdminSearchView(OfficeAdminView):
    """GET ?q=: the results, grouped by kind, PER_KIND each, with counts."""

    http_method_names = ["get"]

    def get(self, request):
        query = " ".join(request.GET.get("q", "").split())[:MAX_LENGTH]
        too_short = len(query) < MIN_LENGTH
        groups = [] if too_short else self.groups(query)
        return self.render(
            "admin/offices/search.html",
            _("Search results for “%(query)s”") % {"query": query}
            if query
            else _("Search the admin"),
            query=query,
            too_short=too_short,
            min_length=MIN_LENGTH,
            groups=groups,
            found=sum(group["count"] for group in groups),
        )

    def groups(self, query):
        site = self.model_admin.admin_site
        groups = []
        for kind in KINDS:
            model_admin = kind.admin(site)
            if model_admin is None or not model_admin.has_view_permission(self.request):
                continue
            rows = list(
                kind.queryset(self.request, model_admin)
                .filter(name_matches(kind.field, query))
                .annotate(search_total=Window(Count("pk")))[:PER_KIND]
            )
            if rows:
                groups.append(self.group(kind, model_admin, rows, query))
        return groups

    def group(self, kind, model_admin, rows, query):
        opts = kind.model._meta
        count = rows[0].search_total
        more = ""
        if count > len(rows) and model_admin.get_search_fields(self.request):
            try:
                changelist = reverse(
                    f"admin:{model_admin.opts.app_label}_"
                    f"{model_admin.opts.model_name}_changelist"
                )
            except NoReverseMatch:
                changelist = ""
            if changelist:
                more = f"{changelist}?{urlencode({'q': query})}"
        return {
            "key": opts.model_name,
            "title": capfirst(opts.verbose_name_plural),
            "name_plural": opts.verbose_name_plural,
            "count": count,
            "more": more,
            "results": [self.result(kind, obj, query) for obj in rows],
        }

    def result(self, kind, obj, query):
        """The row as the results list shows it, with the name in the language
        it was found in where that is not the name shown."""
        shown = str(obj)
        found_in = None
        wanted = fold(query)
        if wanted not in fold(shown):
            for code in language_codes():
                text = getattr(obj, column(kind.field, code)) or ""
                if wanted in fold(text):
                    info = get_language_info(code)
                    found_in = {
                        "code": code,
                        "text": text,
                        "name": info["name_local"],
                        "bidi": info["bidi"],
                    }
                    break
        return {
            "text": shown,
            "url": kind.link(obj),
            "office": obj.office if kind.section else None,
            "found_in": found_in,
        }

"""The translation view: one office's text in one language, beside the English."""

from django.http import Http404

from offices.admin.views import OfficeAdminView


class TranslationView(OfficeAdminView):
    """…/office/<pk>/translate/<language>/ (being built, #23)."""

    def get(self, request, object_id, language):
        raise Http404

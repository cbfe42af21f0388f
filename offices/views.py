from django.views.generic import DetailView, ListView

from offices.models import Office


class OfficeViewMixin:
    def get_queryset(self):
        return Office.objects.published().with_page_relations()


class OfficeListView(OfficeViewMixin, ListView):
    pass


class OfficeDetailView(OfficeViewMixin, DetailView):
    pass

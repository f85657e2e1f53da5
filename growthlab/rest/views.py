"""Base views: lists that filter, paginate and export CSV; details that check the role."""

from rest_framework import generics
from rest_framework.renderers import JSONRenderer

from growthlab.rest.export import CSVExportMixin, CSVRenderer
from growthlab.rest.filters import FilteredListMixin


class ApiListView(FilteredListMixin, CSVExportMixin, generics.ListAPIView):
    """GET: a page of JSON, or every filtered row as CSV (Accept: text/csv or ?format=csv)."""

    renderer_classes = [JSONRenderer, CSVRenderer]


class ApiListCreateView(FilteredListMixin, CSVExportMixin, generics.ListCreateAPIView):
    renderer_classes = [JSONRenderer, CSVRenderer]

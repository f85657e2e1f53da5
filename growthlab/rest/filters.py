"""Query-string filters validated like a request body: a malformed value is a 400 naming it."""

from django.db.models import Q, QuerySet
from rest_framework import serializers

RANGE_REVERSED = "Must be on or after {start}."


class QueryFilter(serializers.Serializer):
    """Declare the parameters as fields; ``lookups`` maps each one to its ORM lookup.

    ``q`` searches ``text_fields`` (case-insensitive substring). A pair named ``<x>_after`` /
    ``<x>_before`` is a closed date range, checked to be the right way round.
    """

    lookups: dict[str, str] = {}
    text_fields: tuple[str, ...] = ()

    def validate(self, attrs: dict) -> dict:
        for name, value in attrs.items():
            if not name.endswith("_after"):
                continue
            end = name.removesuffix("_after") + "_before"
            if attrs.get(end) is not None and value is not None and attrs[end] < value:
                raise serializers.ValidationError({end: [RANGE_REVERSED.format(start=name)]})
        return attrs

    def filter(self, queryset: QuerySet) -> QuerySet:
        data = self.validated_data
        for name, lookup in self.lookups.items():
            if data.get(name) not in (None, ""):
                queryset = queryset.filter(**{lookup: data[name]})
        if text := data.get("q", "").strip():
            matches = Q()
            for field in self.text_fields:
                matches |= Q(**{f"{field}__icontains": text})
            queryset = queryset.filter(matches)
        return queryset


def date_range(field: str) -> dict[str, str]:
    """Lookups for ``<field>_after`` and ``<field>_before`` on ``<field>_at`` (inclusive days)."""
    return {f"{field}_after": f"{field}_at__date__gte", f"{field}_before": f"{field}_at__date__lte"}


class FilteredListMixin:
    """Generic views: validate ``filter_class`` from the query string, then apply it."""

    filter_class: type[QueryFilter] | None = None

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.filter_class is None:
            return queryset
        params = self.filter_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return params.filter(queryset)

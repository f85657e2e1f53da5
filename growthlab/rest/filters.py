"""Query-string filters validated like a request body: a malformed, empty or unknown parameter
is a 400 naming it, so that a typo never answers every row as if it had filtered them."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from growthlab.rest.pagination import MAX_PAGE_SIZE

RANGE_REVERSED = _("Must be on or after {start}.")
# Read by pagination and the CSV export, on every list.
GENERAL_PARAMETERS = frozenset({"page", "page_size", "format", "dialect"})
UNKNOWN_PARAMETER = _("This list has no such filter. Its filters are: {names}.")
NO_FILTERS = _("This list has no filters.")
EMPTY_PARAMETER = _("Give a value, or leave the parameter out.")
REPEATED_PARAMETER = _("Give this parameter once.")
NOT_A_PAGE_SIZE = _("A page holds a whole number of rows, from 1 to {largest}.")


class QueryFilter(serializers.Serializer):
    """Declare the parameters as fields; ``lookups`` maps each one to its ORM lookup.

    ``q`` searches ``text_fields`` (case-insensitive substring). A pair named ``<x>_after`` /
    ``<x>_before`` is a closed date range, checked to be the right way round.
    """

    lookups: dict[str, str] = {}
    text_fields: tuple[str, ...] = ()

    def to_internal_value(self, data):
        errors = {name: [message] for name in data if (message := self.refusal(data, name))}
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def refusal(self, data, name: str) -> str | None:
        """Why this parameter of the query string cannot be read, or None."""
        values = data.getlist(name) if hasattr(data, "getlist") else [data[name]]
        if len(values) > 1:
            return str(REPEATED_PARAMETER)
        if name in GENERAL_PARAMETERS:
            return paging_refusal(name, str(values[0]))
        field = self.fields.get(name)
        if field is None:
            names = ", ".join(sorted(self.fields))
            return str(UNKNOWN_PARAMETER).format(names=names) if names else str(NO_FILTERS)
        if not str(values[0]).strip() and not getattr(field, "allow_blank", False):
            return str(EMPTY_PARAMETER)
        return None

    def validate(self, attrs: dict) -> dict:
        for name, value in attrs.items():
            if not name.endswith("_after"):
                continue
            end = name.removesuffix("_after") + "_before"
            if attrs.get(end) is not None and value is not None and attrs[end] < value:
                raise serializers.ValidationError({end: [str(RANGE_REVERSED).format(start=name)]})
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


def paging_refusal(name: str, value: str) -> str | None:
    """page_size is read by the paginator, which would fall back to its default on a typo (one
    above the largest is capped to it); a page that is not a number is the paginator's 404."""
    if name != "page_size" or (value.isascii() and value.isdigit() and int(value) >= 1):
        return None
    return str(NOT_A_PAGE_SIZE).format(largest=MAX_PAGE_SIZE)


def date_range(field: str) -> dict[str, str]:
    """Lookups for ``<field>_after`` and ``<field>_before`` on ``<field>_at`` (inclusive days)."""
    return {f"{field}_after": f"{field}_at__date__gte", f"{field}_before": f"{field}_at__date__lte"}


class FilteredListMixin:
    """Generic views: validate ``filter_class`` from the query string, then apply it."""

    filter_class: type[QueryFilter] = QueryFilter  # no filters: any parameter is refused

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        params = self.filter_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return params.filter(queryset)

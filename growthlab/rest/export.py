"""CSV exports: RFC 4180, flattened, streamed, and safe to open in a spreadsheet.

The neutralising rule: a text cell whose first character is ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return would start a formula in Excel, LibreOffice or Sheets, so it is written
with a leading ``'`` (which spreadsheets hide). Two kinds of cell are left alone, so that they
import as numbers: numbers themselves (int, float, Decimal) and text that is a plain decimal
number such as ``-0.05`` or ``+3e2`` (DRF writes decimals as text). Every other value is written
exactly as it is, so reading the file back gives the same text.

Two dialects. The default is for machines: comma-separated, dot decimals, ISO dates, whatever
the reader's language. ``?dialect=local`` asks for the reader's spreadsheet: in a language with
a decimal comma (fi, sv, nl) cells are separated by ``;`` and numbers (and text that is a
plain number) take the decimal comma, which Excel in those locales opens as numbers; the file
starts with a UTF-8 byte order mark, without which Excel reads "ä" as two characters. Dates
stay ISO (2026-12-02), which every spreadsheet reads as a date.
"""

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import batched

from django.http import StreamingHttpResponse
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
LIST_SEPARATOR = "; "
STREAM_CHUNK_ROWS = 500
BYTE_ORDER_MARK = "\ufeff"


@dataclass(frozen=True)
class Dialect:
    """How a CSV file separates its cells and writes a number's decimal mark."""

    delimiter: str = ","
    decimal: str = "."
    byte_order_mark: bool = False


MACHINE = Dialect()


def local_dialect() -> Dialect:
    """The active language's spreadsheet: ``;`` and a decimal comma where the comma is the
    decimal mark, always with a byte order mark."""
    from growthlab.web import numbers

    decimal = numbers.decimal_mark()
    return Dialect(delimiter=";" if decimal == "," else ",", decimal=decimal, byte_order_mark=True)


def dialect_of(request) -> Dialect:
    """``?dialect=local`` asks for the reader's spreadsheet; anything else is for machines."""
    return local_dialect() if request.GET.get("dialect") == "local" else MACHINE


def safe_cell(value, dialect: Dialect = MACHINE) -> str:
    """One value as the text of a spreadsheet-safe cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value).replace(".", dialect.decimal)
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if PLAIN_NUMBER.fullmatch(value):
        return value.replace(".", dialect.decimal)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def flatten(row: dict, prefix: str = "") -> dict:
    """{"team": {"id": 1}} -> {"team.id": 1}; a list of plain values becomes "a; b"."""
    flat = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat |= flatten(value, f"{name}.")
        elif isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
            flat[name] = LIST_SEPARATOR.join(str(v) for v in value)
        else:
            flat[name] = value
    return flat


def columns_of(serializer: serializers.Serializer, prefix: str = "") -> list[str]:
    """The flattened column names of a serializer, known before the first row is read."""
    names = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.Serializer):
            names += columns_of(field, f"{prefix}{name}.")
        else:
            names.append(f"{prefix}{name}")
    return names


def csv_lines(
    columns: list[str], rows: Iterable[dict], dialect: Dialect = MACHINE
) -> Iterator[str]:
    """The header, then one CRLF-terminated RFC 4180 line per flattened row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", delimiter=dialect.delimiter)

    def line(cells: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    if dialect.byte_order_mark:
        yield BYTE_ORDER_MARK
    yield line([safe_cell(name) for name in columns])
    for row in rows:
        flat = flatten(row)
        yield line([safe_cell(flat.get(name), dialect) for name in columns])


class CSVRenderer(BaseRenderer):
    """Negotiates ``text/csv``; list views stream the body themselves (see CSVExportMixin)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data if isinstance(data, list) else [data]
        columns = list(flatten(rows[0])) if rows else []
        return "".join(csv_lines(columns, rows)).encode()


def wants_csv(request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return renderer is not None and renderer.format == "csv"


class CSVExportMixin:
    """A list view that answers CSV with every filtered row, streamed, never paginated.

    ``rows(objects)`` turns a page (or an export chunk) into JSON rows. By default one list
    serializer does it, so no row pays for building a serializer; a view whose serializer is
    too slow for a long list builds the same rows itself (see experiments/api/rows.py).
    """

    csv_filename = "export"

    def rows(self, objects: list) -> list[dict]:
        return self.get_serializer(objects, many=True).data

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        if wants_csv(request):
            return self.csv_response(queryset)
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(self.rows(list(queryset)))
        return self.get_paginated_response(self.rows(page))

    def csv_columns(self) -> "list[str]":
        return columns_of(self.get_serializer())

    def csv_response(self, queryset) -> StreamingHttpResponse:
        rows = chunked_rows(queryset, self.rows)
        return csv_download(self.csv_columns(), rows, self.csv_filename, dialect_of(self.request))


def chunked_rows(queryset, rows_of: Callable[[list], list[dict]]) -> Iterator[dict]:
    """Every object of the queryset as a row, read and converted 500 at a time."""
    chunks = batched(queryset.iterator(chunk_size=STREAM_CHUNK_ROWS), STREAM_CHUNK_ROWS)
    return (row for chunk in chunks for row in rows_of(list(chunk)))


def csv_download(
    columns: list[str], rows: Iterable[dict], filename: str, dialect: Dialect = MACHINE
) -> StreamingHttpResponse:
    """The rows as a streamed, spreadsheet-safe CSV attachment named ``filename``.csv.

    The API's exports and the pages' "Download CSV" buttons both answer with it.
    """
    response = StreamingHttpResponse(
        (line.encode() for line in csv_lines(columns, rows, dialect)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response

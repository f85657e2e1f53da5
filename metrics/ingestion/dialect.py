"""How a text table is written: encoding, separator, quoting, numbers, dates and header line.

Pure: the standard library only. Detected once, on the first bytes of a file (a sample, never
the whole file), shown to the person in plain words on the mapping page, overridable there or
on the command line, and stored with the load so the worker reads the file the same way.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import asdict, dataclass, fields, replace

from metrics.ingestion.problems import gettext_noop

SAMPLE_BYTES = 64 * 1024
SAMPLE_LINES = 200
SEPARATORS = {
    ",": gettext_noop("commas"),
    ";": gettext_noop("semicolons"),
    "\t": gettext_noop("tabs"),
    "|": gettext_noop("vertical bars"),
}
ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": gettext_noop("UTF-8 with a byte-order mark"),
    "cp1252": gettext_noop("Windows-1252 (Excel on Windows)"),
    "latin-1": gettext_noop("Latin-1 (ISO 8859-1)"),
}
DECIMALS = {".": gettext_noop("decimal points"), ",": gettext_noop("decimal commas")}
THOUSANDS = {
    "": gettext_noop("no thousands separator"),
    " ": gettext_noop("spaces between thousands"),
    ".": gettext_noop("points between thousands"),
    ",": gettext_noop("commas between thousands"),
}
# Date orders, each with the chrono format polars reads it with (unpadded days and months too).
DATE_ORDERS = {
    "iso": ("%Y-%m-%d", gettext_noop("dates as year-month-day (2026-12-06)")),
    "dmy_dots": ("%d.%m.%Y", gettext_noop("dates day first with points (6.12.2026)")),
    "dmy_slashes": ("%d/%m/%Y", gettext_noop("dates day first with slashes (06/12/2026)")),
    "mdy_slashes": ("%m/%d/%Y", gettext_noop("dates month first with slashes (12/06/2026)")),
    "dmy_dashes": ("%d-%m-%Y", gettext_noop("dates day first with dashes (06-12-2026)")),
}
DATE_ORDER_UNKNOWN = ""
DATE_ORDER_UNCLEAR = gettext_noop("the order of day and month in the dates is not clear: pick it")
HEADER_ON_LINE = gettext_noop("the header on line {line}")

UTF8_CHARACTER = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
DATE_ORDER_MISSING = gettext_noop(
    "The dates in this file fit both day-first and month-first: pick the order of day and month."
)
ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}([ T].*)?$")
DOT_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
DASH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
COMMA_DECIMAL = re.compile(r"^[-+]?\d+,\d+$")
POINT_DECIMAL = re.compile(r"^[-+]?\d+\.\d+$")
SPACE_THOUSANDS = re.compile(r"^[-+]?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?$")
POINT_THOUSANDS_COMMA_DECIMAL = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$")
COMMA_THOUSANDS_POINT_DECIMAL = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True)
class Dialect:
    """How the file's text is written; `header_line` counts from 1, as an editor does."""

    encoding: str = "utf-8"
    separator: str = ","
    quote: str = '"'
    decimal: str = "."
    thousands: str = ""
    date_order: str = "iso"
    header_line: int = 1
    sheet: str = ""  # the workbook's sheet, for XLSX

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict | None) -> Dialect:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    @property
    def date_format(self) -> str | None:
        order = DATE_ORDERS.get(self.date_order)
        return order[0] if order else None

    @property
    def numbers_are_plain(self) -> bool:
        """Numbers polars reads natively (its decimal comma included, no thousands marks)."""
        return not self.thousands

    def describe(self, translate=str) -> str:
        """The dialect in plain words, e.g. "Finnish Excel: semicolons, decimal commas…";
        ``translate`` puts each part into the reader's language (a page passes gettext)."""
        parts = [SEPARATORS.get(self.separator, repr(self.separator)), DECIMALS[self.decimal]]
        if self.thousands:
            parts.append(THOUSANDS[self.thousands])
        if self.date_order in DATE_ORDERS:
            parts.append(DATE_ORDERS[self.date_order][1])
        else:
            parts.append(DATE_ORDER_UNCLEAR)
        parts.append(ENCODINGS.get(self.encoding, self.encoding))
        parts = [translate(part) for part in parts]
        if self.header_line > 1:
            parts.append(translate(HEADER_ON_LINE).format(line=self.header_line))
        return f"{translate(self.family())}: {', '.join(parts)}"

    def family(self) -> str:
        if self.separator == ";" and self.decimal == "," and self.date_order == "dmy_dots":
            return gettext_noop("Finnish, German or Nordic Excel")
        if self.separator == ";" and self.decimal == ",":
            return gettext_noop("European Excel")
        if self.separator == "\t":
            return gettext_noop("Tab-separated text")
        if self.date_order == "mdy_slashes":
            return gettext_noop("US spreadsheet")
        return gettext_noop("Plain CSV")


PLAIN_CSV = Dialect()


@dataclass(frozen=True)
class Sniffed:
    """What the sample shows: the dialect and what it could not decide."""

    dialect: Dialect
    ambiguous_dates: bool = False


def sample_text(head: bytes, encoding: str) -> str:
    """The sample decoded; an incomplete character at its end is dropped."""
    text = head.decode(
        encoding.replace("-sig", ""), errors="ignore" if "utf" in encoding else "strict"
    )
    return text.removeprefix("\ufeff")


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without its mark), or Windows-1252 for one-byte text.

    Text that holds UTF-8 characters and also bytes that are not UTF-8 stays UTF-8: reading
    it all as Windows-1252 would change its UTF-8 characters without a word, so the load is
    refused naming the first stray byte, unless the person picks an encoding.
    """
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        cut_at_the_end = error.start >= len(head) - 3
        if not cut_at_the_end and not UTF8_CHARACTER.search(head):
            return "cp1252"
    return "utf-8"


def sniff(head: bytes, *, encoding: str | None = None) -> Sniffed:
    """Detect the dialect from the file's first bytes (at most SAMPLE_BYTES of them)."""
    head = head[:SAMPLE_BYTES]
    encoding = encoding or detect_encoding(head)
    text = sample_text(head, encoding)
    lines = text.splitlines()[:SAMPLE_LINES]
    if len(head) == SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line of a cut sample is incomplete
    separator = detect_separator(lines)
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=separator))
    header_index = header_row_index(rows)
    cells = [cell.strip() for row in rows[header_index + 1 :] for cell in row]
    decimal, thousands = detect_numbers(cells, separator)
    date_order, ambiguous = detect_date_order(cells)
    dialect = Dialect(
        encoding=encoding,
        separator=separator,
        decimal=decimal,
        thousands=thousands,
        date_order=date_order,
        header_line=header_index + 1,
    )
    return Sniffed(dialect, ambiguous_dates=ambiguous)


def detect_separator(lines: list[str]) -> str:
    """The candidate giving most lines the same number (above one) of fields."""
    best, best_score = ",", (0, 0)
    for separator in SEPARATORS:
        counts = [len(row) for row in csv.reader(lines, delimiter=separator) if row]
        if not counts:
            continue
        fields_count, lines_with_it = Counter(counts).most_common(1)[0]
        score = (lines_with_it, fields_count) if fields_count > 1 else (0, 0)
        if score > best_score:
            best, best_score = separator, score
    return best


def header_row_index(rows: list[list[str]]) -> int:
    """The first row with as many fields as most rows have: title lines above it are skipped."""
    widths = [len(row) for row in rows if row]
    if not widths:
        return 0
    usual = Counter(widths).most_common(1)[0][0]
    return next(i for i, row in enumerate(rows) if len(row) == usual)


def detect_numbers(cells: list[str], separator: str) -> tuple[str, str]:
    """(decimal separator, thousands separator) the number cells agree on."""
    if any(SPACE_THOUSANDS.match(cell) for cell in cells):
        decimal = "," if any("," in cell for cell in cells if SPACE_THOUSANDS.match(cell)) else "."
        return decimal, " "
    if separator != ",":
        if any(POINT_THOUSANDS_COMMA_DECIMAL.match(c) and "." in c for c in cells):
            return ",", "."
        if any(COMMA_DECIMAL.match(cell) for cell in cells):
            return ",", ""
        if any(COMMA_THOUSANDS_POINT_DECIMAL.match(c) and "," in c for c in cells):
            return ".", ","
    elif any(COMMA_THOUSANDS_POINT_DECIMAL.match(c) and "," in c for c in cells):
        return ".", ","  # only possible in quoted cells of a comma-separated file
    return ".", ""


def detect_date_order(cells: list[str]) -> tuple[str, bool]:
    """(date order, whether the sample fits both day-first and month-first)."""
    if any(ISO_DATE.match(cell) for cell in cells):
        return "iso", False
    if any(DOT_DATE.match(cell) for cell in cells):
        return "dmy_dots", False
    slashes = [m for cell in cells if (m := SLASH_DATE.match(cell))]
    if slashes:
        if any(int(m.group(1)) > 12 for m in slashes):
            return "dmy_slashes", False
        if any(int(m.group(2)) > 12 for m in slashes):
            return "mdy_slashes", False
        return DATE_ORDER_UNKNOWN, True
    if any(DASH_DATE.match(cell) for cell in cells):
        return "dmy_dashes", False
    return "iso", False


def with_choices(dialect: Dialect, choices: dict) -> Dialect:
    """The dialect with a person's overrides (empty choices keep what was detected)."""
    names = {f.name for f in fields(Dialect)}
    picked = {k: v for k, v in choices.items() if k in names and v is not None}
    return replace(dialect, **picked)

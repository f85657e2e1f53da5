"""Per-user outcome files → sufficient statistics per variant x exposure date x metric.

Pure: polars and the standard library, no Django, so tests feed it plain files. The file is
scanned lazily and reduced by polars' streaming engine: memory follows the number of cohorts
(variants x days) and of distinct users, never the file's size. A quick pass (quick.py) reduces
a clean file in one scan; when it finds anything suspect, every cell is checked here and any
problem rejects the whole file with the first problems named by row and column.
"""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from metrics.ingestion.columns import (  # noqa: F401  (re-exported: the parser's vocabulary)
    DATE_FORMAT,
    CohortTotals,
    Mapping,
    MetricColumns,
    Reduction,
    as_date,
    as_number,
    binomial_columns,
    cohort_aggregates,
    cohort_totals,
    numeric_columns,
)
from metrics.ingestion.dialect import (
    DATE_ORDER_MISSING,
    PLAIN_CSV,
    SAMPLE_BYTES,
    Dialect,
    Sniffed,
    sniff,
    with_choices,
)
from metrics.ingestion.filetype import (
    PREVIEW_ROWS,
    SINGLE_BYTE_ENCODINGS,
    FileKind,
    detect_kind,
    gunzip_head,
    gunzip_to,
    single_byte_text_to_utf8,
    workbook_rows,
    workbook_sheets,
    workbook_to_csv,
)
from metrics.ingestion.names import header_maps
from metrics.ingestion.problems import (
    MAX_LISTED_PROBLEMS,
    Problem,
    RejectedData,
    gettext_noop,
    reject,
)
from metrics.ingestion.quick import quick_reduction
from metrics.ingestion.segments import file_segments

ROW = "__row"
MISSING_COLUMN = gettext_noop(
    "the mapped column `{column}` is not in the file; its columns are {columns}"
)
NO_ROWS = gettext_noop("The file has a header but no rows.")
NOT_A_NUMBER = gettext_noop("'{value}' is not a number")
NOT_ZERO_OR_ONE = gettext_noop("'{value}' is not 0 or 1")
NOT_A_DATE = gettext_noop("'{value}' is not a date ({expected})")
DATE_ORDER_NOT_CHOSEN = gettext_noop(
    "the dates fit both day-first and month-first (e.g. '{value}'): "
    "pick the order of day and month on the mapping page"
)
EMPTY_CELL = gettext_noop("is empty")
UNKNOWN_VARIANT = gettext_noop(
    "unknown variant '{name}' ({rows:,} rows, first in data row {first:,}); "
    "the experiment's variants are {known}"
)
USER_IN_TWO_VARIANTS = gettext_noop("user `{user}` appears in more than one variant: {variants}")
NOT_UTF8 = gettext_noop(
    "byte {offset:,} of the file (0x{byte:02X}) is not UTF-8, unlike the text before it; "
    "nothing was changed or loaded. Fix that line, or pick the file's encoding "
    "(e.g. Windows-1252) on the mapping page to read every byte that way"
)
RAGGED_ROW = gettext_noop(
    "has {found:,} fields where the header has {expected:,}; a value holding the separator "
    "(“{separator}”), such as a decimal comma, must be quoted"
)
UNCLOSED_QUOTE = gettext_noop(
    "a quote (“{quote}”) opened in this row is never closed, so the rest of the file reads as "
    "one value"
)
UNREADABLE_TEXT = gettext_noop(
    "The file cannot be read as {dialect}; check the separator, the quoting and the header "
    "line on the mapping page."
)
MAX_ROWS_SHOWN_PER_USER = 3
UNREADABLE = {
    FileKind.PARQUET: gettext_noop(
        "The Parquet file is damaged or cut short and cannot be read; export it again."
    ),
    FileKind.XLSX: gettext_noop(
        "The workbook is damaged or cut short and cannot be read; save it again from Excel."
    ),
}

Progress = Callable[[str, int, int], None]  # (phase, percent, rows read)


def no_progress(phase: str, percent: int, rows: int) -> None:
    """Default progress sink."""


def reduce_file(
    path: Path,
    mapping: Mapping,
    known_variants: Iterable[str],
    progress: Progress = no_progress,
    *,
    dialect: Dialect | None = None,
) -> Reduction:
    """Check and reduce a per-user file; raise RejectedData listing what is wrong."""
    known = list(known_variants)
    with tempfile.TemporaryDirectory(prefix="growthlab-ingest-") as work_dir:
        progress(gettext_noop("opening file"), 5, 0)
        kind = detect_kind(path)
        with readable(kind):
            table = open_table(path, Path(work_dir), dialect)
        if not table.parquet and table.dialect.date_format is None:
            raise reject(DATE_ORDER_MISSING)
        frame = table.scan()
        with readable(kind):
            check_columns(frame, mapping)
        progress(gettext_noop("checking and reducing"), 10, 0)
        numbers = table.scan(numeric_columns(mapping))
        reduction, shared_users = quick_reduction(numbers, mapping, known, table.dialect)
        if reduction is None:
            progress(gettext_noop("naming the problems"), 50, 0)
            try:
                reduction = checked_reduction(table, mapping, known, shared_users)
            except pl.exceptions.ComputeError:
                table.diagnose()  # raises RejectedData naming the row, when the file is at fault
                raise reject(UNREADABLE_TEXT.format(dialect=table.dialect.describe())) from None
        progress(gettext_noop("checking and reducing"), 90, reduction.rows)
        if mapping.dimensions:
            split = file_segments(
                numbers, mapping, known, table.dialect, reduction.dimension_groups
            )
            reduction = Reduction(
                reduction.rows, [*reduction.cohorts, *split.segments], split.notes
            )
        return reduction


def checked_reduction(
    table: Table, mapping: Mapping, known: list[str], shared: pl.Series
) -> Reduction:
    """Check every cell, raise RejectedData naming the first problems, else reduce."""
    frame = table.scan()
    checked = frame.with_row_index(ROW, offset=1).select(
        pl.col(ROW), *typed_columns(frame, mapping, known, table.dialect)
    )
    queries = [
        problem_rows(checked, mapping),
        problem_count(checked, mapping),
        variant_counts(checked, mapping),
        users_in_two_variants(checked, shared),
        cohort_query(checked, mapping),
    ]
    bad_rows, bad_count, variants, two_variants, cohorts = pl.collect_all(
        queries, engine="streaming"
    )
    rows = int(variants["rows"].sum()) if variants.height else 0
    if rows == 0:
        raise reject(NO_ROWS)
    raise_problems(mapping, known, bad_rows, bad_count, variants, two_variants, table.dialect)
    return Reduction(rows=rows, cohorts=cohort_totals(cohorts, mapping))


@dataclass(frozen=True)
class Table:
    """A readable copy of the upload: Parquet as it came, anything else as UTF-8 text."""

    path: Path
    parquet: bool
    dialect: Dialect = PLAIN_CSV

    def scan(self, numbers: Iterable[str] = ()) -> pl.LazyFrame:
        """Every text column as text, but `numbers` read as floats where polars reads the
        file's numbers natively (a bad one, or text that is not UTF-8, fails the scan)."""
        if self.parquet:
            return pl.scan_parquet(self.path)
        dialect = self.dialect
        overrides = dict.fromkeys(numbers, pl.Float64) if native_numbers(dialect) else {}
        return pl.scan_csv(
            self.path,
            separator=dialect.separator,
            quote_char=dialect.quote or None,
            skip_lines=dialect.header_line - 1,
            infer_schema=False,
            schema_overrides=overrides or None,
            decimal_comma=dialect.decimal == "," and dialect.separator != ",",
        )

    def diagnose(self) -> None:
        """Raise RejectedData for bytes that are not UTF-8 or rows with too many fields."""
        if self.parquet:
            raise reject(UNREADABLE[FileKind.PARQUET])
        if bad := first_invalid_utf8(self.path):
            offset, line, byte = bad
            row = line - self.dialect.header_line
            raise reject(NOT_UTF8.format(offset=offset, byte=byte), row=max(row, 0) or None)
        if ragged := ragged_rows(self.path, self.dialect):
            problems, total = ragged
            raise RejectedData(problems, total=total)


def native_numbers(dialect: Dialect) -> bool:
    """Whether polars' CSV reader parses the file's numbers itself."""
    return not dialect.thousands and not (dialect.decimal == "," and dialect.separator == ",")


def open_table(path: Path, work_dir: Path, dialect: Dialect | None = None) -> Table:
    kind = detect_kind(path)
    if kind is FileKind.PARQUET:
        return Table(path, parquet=True)
    if dialect is None:
        dialect = Dialect(encoding="cp1252") if kind is FileKind.WINDOWS_CSV else PLAIN_CSV
    if kind is FileKind.GZIP_CSV:
        path = gunzip_to(path, work_dir / "unpacked.csv")
    elif kind is FileKind.XLSX:
        path = workbook_to_csv(path, work_dir / "sheet.csv", sheet=dialect.sheet)
    if kind is not FileKind.XLSX and dialect.encoding in SINGLE_BYTE_ENCODINGS:
        path = single_byte_text_to_utf8(path, work_dir / "utf8.csv", dialect.encoding)
    return Table(path, parquet=False, dialect=dialect)


def first_invalid_utf8(path: Path) -> tuple[int, int, int] | None:
    """(byte offset from 1, line from 1, the byte) of the first byte that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines = 0, 1
    with open(path, "rb") as handle:
        while block := handle.read(1024 * 1024):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                # The error's position is within the bytes the decoder held plus this block.
                held = len(error.object) - len(block)
                start = offset + error.start - held
                before = block[: max(error.start - held, 0)]
                return start + 1, lines + before.count(b"\n"), error.object[error.start]
            lines += block.count(b"\n")
            offset += len(block)
    return None


def record_problem(record: list[str], header: list[str], dialect: Dialect) -> str | None:
    if len(record) != len(header) and any("\n" in cell or "\r" in cell for cell in record):
        return UNCLOSED_QUOTE.format(quote=dialect.quote or '"')
    if len(record) > len(header):
        return RAGGED_ROW.format(
            found=len(record), expected=len(header), separator=dialect.separator
        )
    return None


def ragged_rows(path: Path, dialect: Dialect) -> tuple[list[Problem], int] | None:
    """The first rows with more fields than the header, and how many there are."""
    problems, total = [], 0
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for _ in range(dialect.header_line - 1):
            handle.readline()
        reader = csv.reader(handle, delimiter=dialect.separator, quotechar=dialect.quote or '"')
        header = next(reader, [])
        for number, record in enumerate(reader, start=1):
            message = record_problem(record, header, dialect)
            if message:
                total += 1
                if len(problems) < MAX_LISTED_PROBLEMS:
                    problems.append(Problem(message, number))
    return (problems, total) if total else None


def check_columns(frame: pl.LazyFrame, mapping: Mapping) -> None:
    present = frame.collect_schema().names()
    shown = ", ".join(f"`{name}`" for name in present) or "none"
    missing = [name for name in mapping.columns() if name not in present]
    if missing:
        raise RejectedData(
            [Problem(MISSING_COLUMN.format(column=name, columns=shown)) for name in missing]
        )


def typed_columns(
    frame: pl.LazyFrame, mapping: Mapping, known: list[str], dialect: Dialect
) -> list[pl.Expr]:
    """The raw text of each mapped column beside its typed value (null where it fails)."""
    schema = frame.collect_schema()
    numbers = {"decimal": dialect.decimal, "thousands": dialect.thousands}
    exprs = [
        pl.col(mapping.user).cast(pl.String).alias("user"),
        variant_of(mapping, known).alias("variant"),
        raw(mapping.date).alias("raw:date"),
        as_date(mapping.date, schema[mapping.date], dialect.date_format).alias("date"),
    ]
    for name in numeric_columns(mapping):
        number = as_number(name, schema[name], **numbers)
        exprs += [raw(name).alias(f"raw:{name}"), number.alias(f"num:{name}")]
    return exprs


def variant_of(mapping: Mapping, known: list[str]) -> pl.Expr:
    """The experiment's variant for each file value (any case, or the value map), else the
    value as written, so an unknown one is named as the person wrote it."""
    written = pl.col(mapping.variant).cast(pl.String)
    key = written.str.strip_chars().str.to_lowercase()
    lookup = mapping.variant_lookup(known)
    matched = key.replace_strict(lookup, default=None, return_dtype=pl.String)
    return pl.when(key.is_in(list(lookup))).then(matched).otherwise(written)


def raw(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String)


def cell_checks(mapping: Mapping) -> list[tuple[str, pl.Expr]]:
    """(column, expression true where that cell is bad) for every checked cell."""
    checks = [
        (mapping.user, pl.col("user").is_null() | (pl.col("user").str.strip_chars() == "")),
        (mapping.variant, pl.col("variant").is_null()),
        (mapping.date, pl.col("date").is_null()),
    ]
    binary = binomial_columns(mapping)
    for name in numeric_columns(mapping):
        bad = pl.col(f"num:{name}").is_null()
        if name in binary:
            bad = bad | ~pl.col(f"num:{name}").is_in([0.0, 1.0])
        checks.append((name, bad))
    return checks


def any_bad(mapping: Mapping) -> pl.Expr:
    return pl.any_horizontal([bad for _, bad in cell_checks(mapping)])


def problem_rows(checked: pl.LazyFrame, mapping: Mapping) -> pl.LazyFrame:
    return checked.filter(any_bad(mapping)).head(MAX_LISTED_PROBLEMS)


def problem_count(checked: pl.LazyFrame, mapping: Mapping) -> pl.LazyFrame:
    return checked.select(
        pl.sum_horizontal([bad.sum() for _, bad in cell_checks(mapping)]).alias("bad")
    )


def variant_counts(checked: pl.LazyFrame, mapping: Mapping) -> pl.LazyFrame:
    return checked.group_by("variant").agg(pl.len().alias("rows"), pl.col(ROW).min().alias("first"))


def users_in_two_variants(checked: pl.LazyFrame, shared: pl.Series) -> pl.LazyFrame:
    """The users behind the quick pass's flagged hashes, with their variants and rows."""
    return (
        checked.filter(pl.col("user").hash().is_in(shared.implode()))
        .group_by("user", "variant")
        .agg(pl.col(ROW).sort().head(MAX_ROWS_SHOWN_PER_USER).alias("rows"), pl.len().alias("n"))
        .group_by("user")
        .agg(pl.len().alias("variants"), pl.struct("variant", "rows", "n").alias("seen"))
        .filter(pl.col("variants") > 1)
    )


def where_seen(seen: list[dict]) -> str:
    """ "A (data rows 7, 19), B (data row 12)": each variant with its first rows."""
    parts = []
    for entry in sorted(seen, key=lambda e: (e["rows"][0], e["variant"] or "")):
        rows = ", ".join(f"{row:,}" for row in entry["rows"])
        more = (
            f" and {entry['n'] - len(entry['rows']):,} more"
            if entry["n"] > len(entry["rows"])
            else ""
        )
        label = "data row" if entry["n"] == 1 else "data rows"
        parts.append(f"{entry['variant']} ({label} {rows}{more})")
    return ", ".join(parts)


def cohort_query(checked: pl.LazyFrame, mapping: Mapping) -> pl.LazyFrame:
    aggregates = cohort_aggregates(mapping)
    return checked.group_by("variant", "date").agg(aggregates).sort("variant", "date")


def raise_problems(mapping, known, bad_rows, bad_count, variants, two_variants, dialect) -> None:
    cells = cell_problems(mapping, bad_rows, dialect)
    unknown = variant_problems(variants, known, mapping.variant)
    shared_users = [
        Problem(
            USER_IN_TWO_VARIANTS.format(user=row["user"], variants=where_seen(row["seen"])),
            column=mapping.user,
        )
        for row in two_variants.sort("user").head(MAX_LISTED_PROBLEMS).iter_rows(named=True)
    ]
    total = int(bad_count["bad"][0] or 0) + len(unknown) + two_variants.height
    if total:
        raise RejectedData(cells + unknown + shared_users, total=total)


def cell_problems(mapping: Mapping, bad_rows: pl.DataFrame, dialect: Dialect) -> list[Problem]:
    """Every bad cell of the first bad rows, in row order, then column order."""
    problems = []
    checks = cell_checks(mapping)
    flags = bad_rows.sort(ROW).with_columns(
        [bad.alias(f"bad:{i}") for i, (_, bad) in enumerate(checks)]
    )
    for row in flags.iter_rows(named=True):
        for i, (column, _) in enumerate(checks):
            if row[f"bad:{i}"]:
                message = cell_message(row, column, mapping, dialect)
                problems.append(Problem(message, row[ROW], column))
    return problems


def cell_message(row: dict, column: str, mapping: Mapping, dialect: Dialect) -> str:
    value = row["raw:date"] if column == mapping.date else row.get(f"raw:{column}")
    if column in (mapping.user, mapping.variant):
        value = row["user" if column == mapping.user else "variant"]
    if value is None or str(value).strip() == "":
        return EMPTY_CELL
    if column == mapping.date:
        if dialect.date_format is None:
            return DATE_ORDER_NOT_CHOSEN.format(value=value)
        return NOT_A_DATE.format(value=value, expected=date_expected(dialect))
    if column in binomial_columns(mapping) and row[f"num:{column}"] is not None:
        return NOT_ZERO_OR_ONE.format(value=value)
    return NOT_A_NUMBER.format(value=value)


def variant_problems(variants: pl.DataFrame, known: list[str], column: str) -> list[Problem]:
    known_text = ", ".join(f"'{name}'" for name in known)
    unknown = variants.filter(pl.col("variant").is_not_null() & ~pl.col("variant").is_in(known))
    return [
        Problem(
            UNKNOWN_VARIANT.format(
                name=r["variant"], rows=r["rows"], first=r["first"], known=known_text
            ),
            column=column,
        )
        for r in unknown.sort("first").iter_rows(named=True)
    ]


def date_expected(dialect: Dialect) -> str:
    return {
        "%Y-%m-%d": "YYYY-MM-DD",
        "%d.%m.%Y": "D.M.YYYY",
        "%d/%m/%Y": "DD/MM/YYYY",
        "%m/%d/%Y": "MM/DD/YYYY",
        "%d-%m-%Y": "DD-MM-YYYY",
    }[dialect.date_format]


@dataclass(frozen=True)
class Preview:
    """What the mapping page shows of a file: read from its first bytes or rows only."""

    kind: FileKind
    columns: list[str]
    rows: list[list[str]]  # the first PREVIEW_ROWS data rows, as text
    sniffed: Sniffed | None = None  # None for Parquet, which says its own types
    sheets: tuple[str, ...] = ()

    @property
    def dialect(self) -> Dialect:
        return self.sniffed.dialect if self.sniffed else Dialect()


def preview(path: Path, choices: dict | None = None) -> Preview:
    """The header and first rows of the file, with its detected (or chosen) dialect.

    Reads a bounded prefix: a gzip or zip bomb costs the web request a few kilobytes.
    """
    kind = detect_kind(path)
    with readable(kind):
        return kind_preview(path, kind, choices or {})


@contextmanager
def readable(kind: FileKind):
    """Turn a library's failure on a damaged Parquet file or workbook into a plain refusal."""
    try:
        yield
    except (pl.exceptions.PolarsError, OSError, zipfile.BadZipFile, KeyError, ValueError):
        if kind not in UNREADABLE:
            raise
        raise reject(UNREADABLE[kind]) from None


def kind_preview(path: Path, kind: FileKind, choices: dict) -> Preview:
    if kind is FileKind.PARQUET:
        head = pl.scan_parquet(path).head(PREVIEW_ROWS).collect()
        text = head.select(pl.all().cast(pl.String))
        return Preview(kind, text.columns, [list(row) for row in text.iter_rows()])
    sheets: tuple[str, ...] = ()
    if kind is FileKind.XLSX:
        sheets = tuple(workbook_sheets(path))
        sheet = choices.get("sheet") or first_sheet_that_maps(path, sheets)
        head = workbook_head(path, sheet)
        choices = {**choices, "sheet": sheet, "encoding": "utf-8"}
    elif kind is FileKind.GZIP_CSV:
        head = gunzip_head(path, SAMPLE_BYTES)
    else:
        with open(path, "rb") as handle:
            head = handle.read(SAMPLE_BYTES)
    sniffed = sniff(head, encoding=choices.get("encoding") or None)
    dialect = with_choices(sniffed.dialect, choices)
    if dialect != sniffed.dialect:
        sniffed = Sniffed(
            dialect, ambiguous_dates=sniffed.ambiguous_dates and not dialect.date_order
        )
    columns, rows = sample_rows(head, dialect)
    return Preview(kind, columns, rows, sniffed, sheets)


def first_sheet_that_maps(path: Path, sheets: tuple[str, ...]) -> str:
    """The first sheet whose header names a user and a variant column, else the first."""
    for sheet in sheets:
        rows = workbook_rows(path, sheet, limit=20)
        if any(header_maps(row) for row in rows):
            return sheet
    return sheets[0] if sheets else ""


def workbook_head(path: Path, sheet: str) -> bytes:
    sink = io.StringIO()
    csv.writer(sink).writerows(workbook_rows(path, sheet, limit=PREVIEW_ROWS + 20))
    return sink.getvalue().encode("utf-8")


def sample_rows(head: bytes, dialect: Dialect) -> tuple[list[str], list[list[str]]]:
    """The header and the complete rows of the sample, read as the dialect says."""
    text = head.decode(dialect.encoding, errors="replace").removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if len(head) >= SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # cut mid-line
    lines = lines[dialect.header_line - 1 :]
    reader = csv.reader(lines, delimiter=dialect.separator, quotechar=dialect.quote or '"')
    header = next(reader, [])
    return header, [row for row, _ in zip(reader, range(PREVIEW_ROWS), strict=False) if row]

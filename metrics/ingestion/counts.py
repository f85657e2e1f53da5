"""Pre-aggregated counts → sufficient statistics: exports of ad, e-mail and analytics tools,
counts typed in for an offline test, and daily aggregates pushed by a tracking pipeline.

Pure: no Django import. Input is a list of rows (dicts of text or numbers), each checked cell by
cell; any problem rejects them all.

A row may also name its value of each dimension ("segments": {"device": "mobile"}; in a file,
the dimension columns picked): it is then one cell of those dimensions, the overall is the sum of
the cells and each dimension's segments follow the rules of metrics.ingestion.segments.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import polars as pl

from metrics.ingestion.columns import TOTAL_FIELDS, Reduction
from metrics.ingestion.dialect import SAMPLE_BYTES, Dialect, sniff
from metrics.ingestion.filetype import (
    FileKind,
    detect_kind,
    gunzip_to,
    single_byte_text_to_utf8,
)
from metrics.ingestion.names import guess_counts_columns
from metrics.ingestion.parse import UNKNOWN_VARIANT, CohortTotals
from metrics.ingestion.problems import Problem, RejectedData, reject
from metrics.ingestion.ranges import count_problem, total_problem
from metrics.ingestion.segments import (
    MAX_SEGMENT_LENGTH,
    NONE_SEGMENT,
    counts_segments,
    dimension_name_problem,
)

COUNTS_MAX_ROWS = 100_000  # counts are per variant and day: more rows means per-user data

# The totals each metric kind needs, beyond `users`; optional ones may be left out together.
REQUIRED = {
    "binomial": ("conversions",),
    "mean": ("sum", "sum_squares"),
    "ratio": ("sum", "sum_squares", "den_sum", "den_sum_squares", "num_den_sum_products"),
}
OPTIONAL = {
    "mean": ("pre_sum", "pre_sum_squares", "post_pre_sum_products"),
    "ratio": (
        "pre_sum",
        "pre_sum_squares",
        "pre_den_sum",
        "pre_den_sum_squares",
        "pre_num_den_sum_products",
        "post_pre_sum_products",
        "post_pre_den_sum_products",
        "num_pre_den_sum_products",
        "den_pre_num_sum_products",
    ),
}
WHOLE_NUMBERS = {"users", "conversions"}
# Each sum beside its sum of squares, which no real values can make smaller than sum²/users.
SQUARED_TOTALS = (
    ("sum", "sum_squares"),
    ("den_sum", "den_sum_squares"),
    ("pre_sum", "pre_sum_squares"),
    ("pre_den_sum", "pre_den_sum_squares"),
)

NOT_A_WHOLE_NUMBER = "'{value}' is not a whole number of at least 0"
NOT_A_NUMBER = "'{value}' is not a number"
NOT_A_DATE = "'{value}' is not a date (YYYY-MM-DD)"
EMPTY_CELL = "is empty"
MORE_CONVERSIONS_THAN_USERS = "{conversions:,} conversions is more than the {users:,} users"
IMPOSSIBLE_SQUARES = "is smaller than sum²/users: no set of values has these totals"
REPEATED_KEY = "variant '{variant}' on {day} for this metric already appeared in data row {first:,}"
REPEATED_CELL = (
    "variant '{variant}' on {day} for this metric and {segments} already appeared in data "
    "row {first:,}"
)
NOT_SEGMENTS = "give the segments as an object of dimension name → value"
NOT_A_SEGMENT_VALUE = "the value of {dimension} is not text"
UNKNOWN_METRIC = "unknown metric '{metric}'; this experiment's metrics are {known}"
MISSING_COUNT_COLUMN = (
    "no column for {role} was found or picked; the file's columns are {columns}. "
    "Pick the column that holds {role}"
)
NOT_A_COLUMN = (
    "the picked column `{column}` for {role} is not in the file; its columns are {columns}"
)
COUNT_ROLES = ("variant", "date", "users", "conversions", "sum", "sum_squares")
TOO_MANY_ROWS = "more than {limit:,} rows of counts: upload per-user data instead"


def reduce_counts(
    rows: Iterable[dict],
    *,
    metrics: dict[str, str],
    known_variants: Iterable[str],
    first_row: int = 1,
    taken: dict[str, str] | None = None,
) -> Reduction:
    """Check rows {variant, date?, metric, users, …totals, segments?}; `metrics` maps key → kind.

    `taken` names what a dimension may not be called (a file's role columns); by default the
    experiment's metrics and the totals' field names. Returns the overall totals, then the
    segments, with a note for each folded dimension and each segment left out.
    """
    rows = list(rows)
    known = list(known_variants)
    if taken is None:
        fields = ("variant", "date", "metric", "users", "conversions", *TOTAL_FIELDS)
        taken = {**{f: f"the field {f}" for f in fields}, **{m: f"“{m}”" for m in metrics}}
    problems: list[Problem] = []
    dimensions = row_dimensions(rows, first_row, taken, problems)
    totals: list[CohortTotals] = []
    cells: list[tuple[str, ...]] = []
    seen: dict[tuple, int] = {}
    for number, row in enumerate(rows, start=first_row):
        found = check_row(row, number, metrics=metrics, known=known)
        values = segment_values(row.get("segments"), dimensions)
        if isinstance(found, list):
            problems += found
            continue
        key = (found.variant, found.exposure_date, found.metric, values)
        if key in seen:
            day = found.exposure_date or "all days"
            message = repeated_message(found.variant, day, seen[key], dimensions, values)
            problems.append(Problem(message, number, "variant"))
            continue
        seen[key] = number
        totals.append(found)
        cells.append(values)
    if problems:
        raise RejectedData(problems)
    if not dimensions:
        return Reduction(rows=len(totals), cohorts=totals)
    overall, segments, notes = counts_segments(cells_frame(totals, cells, dimensions), dimensions)
    cohorts = [
        CohortTotals(
            variant=row["variant"],
            exposure_date=row["date"],
            metric=row["metric"],
            n=int(row["n"]),
            **{name: row[name] for name in TOTAL_FIELDS},
        )
        for row in overall.iter_rows(named=True)
    ]
    return Reduction(rows=len(totals), cohorts=[*cohorts, *segments], notes=notes)


def row_dimensions(
    rows: list[dict], first_row: int, taken: dict[str, str], problems: list[Problem]
) -> tuple[str, ...]:
    """Every dimension some row names, in the order first named; a bad name is a problem."""
    names: dict[str, None] = {}
    for number, row in enumerate(rows, start=first_row):
        segments = row.get("segments")
        if segments is None:
            continue
        if not isinstance(segments, dict):
            problems.append(Problem(NOT_SEGMENTS, number, "segments"))
            continue
        for name, value in segments.items():
            name = str(name)
            if value is not None and not isinstance(value, str | int | float):
                problems.append(
                    Problem(NOT_A_SEGMENT_VALUE.format(dimension=name), number, "segments")
                )
            if name in names:
                continue
            if problem := dimension_name_problem(name, taken):
                problems.append(Problem(problem, number, "segments"))
            names[name] = None
    return tuple(names)


def segment_values(segments, dimensions: tuple[str, ...]) -> tuple[str, ...]:
    """The row's value of each dimension as segments.segment_value() reads it; a dimension
    the row leaves out is "(none)", like an empty cell."""
    segments = segments if isinstance(segments, dict) else {}
    values = []
    for name in dimensions:
        value = segments.get(name)
        text = "" if value is None else str(value).strip()[:MAX_SEGMENT_LENGTH]
        values.append(text or NONE_SEGMENT)
    return tuple(values)


def repeated_message(variant, day, first: int, dimensions, values) -> str:
    if not dimensions:
        return REPEATED_KEY.format(variant=variant, day=day, first=first)
    shown = ", ".join(f"{d} = “{v}”" for d, v in zip(dimensions, values, strict=True))
    return REPEATED_CELL.format(variant=variant, day=day, segments=shown, first=first)


def cells_frame(
    totals: list[CohortTotals], cells: list[tuple[str, ...]], dimensions: tuple[str, ...]
) -> pl.DataFrame:
    schema = {
        "metric": pl.String,
        "variant": pl.String,
        "date": pl.Date,
        "n": pl.Int64,
        **dict.fromkeys(TOTAL_FIELDS, pl.Float64),
        **dict.fromkeys(dimensions, pl.String),
    }
    records = [
        (
            t.metric,
            t.variant,
            t.exposure_date,
            t.n,
            *(getattr(t, name) for name in TOTAL_FIELDS),
            *values,
        )
        for t, values in zip(totals, cells, strict=True)
    ]
    return pl.DataFrame(records, schema=schema, orient="row")


def check_row(row: dict, number: int, *, metrics, known) -> CohortTotals | list[Problem]:
    problems = []
    metric = str(row.get("metric") or "").strip()
    if metric not in metrics:
        shown = ", ".join(f"'{key}'" for key in metrics)
        return [Problem(UNKNOWN_METRIC.format(metric=metric, known=shown), number, "metric")]
    kind = metrics[metric]
    variant = str(row.get("variant") or "").strip()
    if variant not in known:
        shown = ", ".join(f"'{name}'" for name in known)
        message = UNKNOWN_VARIANT.format(name=variant, rows=1, first=number, known=shown)
        problems.append(Problem(message, number, "variant"))
    day = parse_day(row.get("date"), number, problems)
    fields = ("users", *REQUIRED[kind])
    optional = [f for f in OPTIONAL.get(kind, ()) if str(row.get(f) or "").strip()]
    if optional:
        fields += OPTIONAL[kind]
    values = {name: parse_number(row.get(name), name, number, problems) for name in fields}
    if problems:
        return problems
    return totals_of(values, kind=kind, variant=variant, day=day, metric=metric, number=number)


def totals_of(values: dict, *, kind, variant, day, metric, number) -> CohortTotals | list[Problem]:
    users = values.pop("users")
    if kind == "binomial":
        conversions = values.pop("conversions")
        if conversions > users:
            message = MORE_CONVERSIONS_THAN_USERS.format(conversions=conversions, users=users)
            return [Problem(message, number, "conversions")]
        values = {"sum": conversions, "sum_squares": conversions}  # x² = x for 0/1 values
    for total, squares in SQUARED_TOTALS:
        if (
            squares in values
            and users
            and values[squares] < values[total] ** 2 / users * (1 - 1e-9)
        ):
            return [Problem(IMPOSSIBLE_SQUARES, number, squares)]
    return CohortTotals(variant=variant, exposure_date=day, metric=metric, n=users, **values)


def parse_day(value, number: int, problems: list[Problem]) -> date | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        problems.append(Problem(NOT_A_DATE.format(value=text), number, "date"))
        return None


def parse_number(value, name: str, number: int, problems: list[Problem]):
    text = "" if value is None else str(value).strip()
    if not text:
        problems.append(Problem(EMPTY_CELL, number, name))
        return None
    try:
        parsed = float(text)
    except ValueError:
        parsed = math.nan
    if name in WHOLE_NUMBERS:
        if not (math.isfinite(parsed) and parsed >= 0 and parsed.is_integer()):
            problems.append(Problem(NOT_A_WHOLE_NUMBER.format(value=text), number, name))
            return None
        whole = int(text) if text.isdigit() else int(parsed)
        if out := count_problem(whole, name):
            problems.append(Problem(out, number, name))
            return None
        return whole
    if not math.isfinite(parsed):
        problems.append(Problem(NOT_A_NUMBER.format(value=text), number, name))
        return None
    if out := total_problem(parsed, name):
        problems.append(Problem(out, number, name))
        return None
    return parsed


def reduce_counts_file(
    path: Path,
    *,
    metric: str,
    kind: str,
    known_variants: Iterable[str],
    work_dir: Path,
    columns: dict[str, str] | None = None,
    dimensions: Iterable[str] = (),
) -> Reduction:
    """A CSV (or gzipped CSV) of counts: variant, optional date, users and the kind's totals.

    `columns` names the file column of each role ({"sum": "revenue_sum", …}); roles not
    named are found by their usual names. Any separator and decimal mark is read. Each of
    the `dimensions` columns holds the row's segment (an empty cell is "(none)").
    """
    dimensions = tuple(dict.fromkeys(d for d in dimensions if d))
    file_kind = detect_kind(path)
    if file_kind is FileKind.GZIP_CSV:
        path = gunzip_to(path, work_dir / "counts.csv")
    elif file_kind is FileKind.WINDOWS_CSV:
        path = single_byte_text_to_utf8(path, work_dir / "counts.csv")
    elif file_kind is not FileKind.CSV:
        raise reject(f"Counts are read from CSV files; this is a {file_kind} file.")
    with open(path, "rb") as handle:
        dialect = sniff(handle.read(SAMPLE_BYTES), encoding="utf-8-sig").dialect
    rows = []
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        for _ in range(dialect.header_line - 1):
            handle.readline()
        reader = csv.reader(handle, delimiter=dialect.separator)
        header = next(reader, [])
        picked = counts_columns(header, columns or {}, kind)
        taken = dimension_columns_check(header, picked, dimensions)
        for record in reader:
            if len(rows) == COUNTS_MAX_ROWS:
                raise reject(TOO_MANY_ROWS.format(limit=COUNTS_MAX_ROWS))
            cells = dict(zip(header, record, strict=False))
            row = {
                role: plain_number(cells.get(column), dialect, role)
                for role, column in picked.items()
            }
            if dimensions:
                row["segments"] = {d: cells.get(d) for d in dimensions}
            rows.append({**row, "metric": metric})
    if not rows:
        raise reject("The file has a header but no rows.")
    return reduce_counts(rows, metrics={metric: kind}, known_variants=known_variants, taken=taken)


def dimension_columns_check(
    header: list[str], picked: dict[str, str], dimensions: tuple[str, ...]
) -> dict[str, str]:
    """{column: its role} of the columns a dimension may not be; raise naming a bad pick."""
    taken = {column: role for role, column in picked.items()}
    shown = ", ".join(f"`{name}`" for name in header) or "none"
    problems = []
    for column in dimensions:
        if column not in header:
            message = NOT_A_COLUMN.format(column=column, role="a dimension", columns=shown)
            problems.append(Problem(message))
        elif problem := dimension_name_problem(column, taken):
            problems.append(Problem(problem, column=column))
    if problems:
        raise RejectedData(problems)
    return taken


def counts_columns(header: list[str], chosen: dict[str, str], kind: str) -> dict[str, str]:
    """{role: file column}: the person's choices over the guesses; raise naming what lacks."""
    shown = ", ".join(f"`{name}`" for name in header) or "none"
    for role, column in chosen.items():
        if column and column not in header:
            message = NOT_A_COLUMN.format(column=column, role=role, columns=shown)
            raise reject(message)
    picked = {**guess_counts_columns(header), **{k: v for k, v in chosen.items() if v}}
    needed = ("variant", "users", *REQUIRED[kind])
    optional = [name for name in OPTIONAL.get(kind, ()) if name in header]
    missing = [role for role in needed if role not in picked]
    if missing:
        raise RejectedData(
            [Problem(MISSING_COUNT_COLUMN.format(role=role, columns=shown)) for role in missing]
        )
    return {**{name: name for name in optional}, **picked}


def plain_number(value: str | None, dialect: Dialect, role: str) -> str | None:
    """A number cell written with the file's decimal and thousands marks, as Python reads it."""
    if value is None or role in ("variant", "date"):
        return value
    text = value.strip()
    if dialect.thousands:
        text = text.replace(dialect.thousands, "").replace("\u00a0", "")
    return text.replace(",", ".") if dialect.decimal == "," else text

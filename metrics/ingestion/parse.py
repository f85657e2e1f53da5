"""Per-user outcome files → sufficient statistics per variant x exposure date x metric.

Pure: polars and the standard library, no Django, so tests feed it plain files. The file is
scanned lazily and reduced by polars' streaming engine: memory follows the number of cohorts
(variants x days) and of distinct users, never the file's size. Every cell is checked in the
same pass; any problem rejects the whole file with the first problems named by row and column.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from metrics.ingestion.filetype import FileKind, detect_kind, gunzip_to, workbook_to_csv
from metrics.ingestion.problems import MAX_LISTED_PROBLEMS, Problem, RejectedData, reject

ROW = "__row"
DATE_FORMAT = "%Y-%m-%d"

MISSING_COLUMN = "the mapped column `{column}` is not in the file; its columns are {columns}"
NO_ROWS = "The file has a header but no rows."
NOT_A_NUMBER = "'{value}' is not a number"
NOT_ZERO_OR_ONE = "'{value}' is not 0 or 1"
NOT_A_DATE = "'{value}' is not a date (YYYY-MM-DD)"
EMPTY_CELL = "is empty"
UNKNOWN_VARIANT = (
    "unknown variant '{name}' ({rows:,} rows, first in row {first:,}); "
    "the experiment's variants are {known}"
)
USER_IN_TWO_VARIANTS = "user `{user}` appears in more than one variant: {variants}"

Progress = Callable[[str, int, int], None]  # (phase, percent, rows read)


@dataclass(frozen=True)
class MetricColumns:
    """Where one metric's values sit: `column` (the numerator for a ratio), and its extras."""

    key: str
    kind: str  # binomial, mean or ratio
    column: str
    denominator: str | None = None
    pre: str | None = None


@dataclass(frozen=True)
class Mapping:
    """Which file column is the user, the variant, the exposure date and each metric."""

    user: str
    variant: str
    date: str
    metrics: tuple[MetricColumns, ...]

    def columns(self) -> list[str]:
        names = [self.user, self.variant, self.date]
        for metric in self.metrics:
            names += [c for c in (metric.column, metric.denominator, metric.pre) if c]
        return list(dict.fromkeys(names))


@dataclass(frozen=True)
class CohortTotals:
    """Sufficient statistics of one metric for one variant's users exposed on one day."""

    variant: str
    exposure_date: date | None
    metric: str
    n: int
    sum: float
    sum_squares: float
    den_sum: float | None = None
    den_sum_squares: float | None = None
    num_den_sum_products: float | None = None
    pre_sum: float | None = None
    pre_sum_squares: float | None = None
    post_pre_sum_products: float | None = None


@dataclass(frozen=True)
class Reduction:
    rows: int
    cohorts: list[CohortTotals] = field(default_factory=list)


def no_progress(phase: str, percent: int, rows: int) -> None:
    """Default progress sink."""


def reduce_file(
    path: Path,
    mapping: Mapping,
    known_variants: Iterable[str],
    progress: Progress = no_progress,
) -> Reduction:
    """Check and reduce a per-user file; raise RejectedData listing what is wrong."""
    known = list(known_variants)
    with tempfile.TemporaryDirectory(prefix="growthlab-ingest-") as work_dir:
        progress("opening file", 5, 0)
        frame, first_row = open_table(path, Path(work_dir))
        check_columns(frame, mapping)
        progress("checking and reducing", 10, 0)
        checked = frame.with_row_index(ROW, offset=first_row).select(
            pl.col(ROW), *typed_columns(frame, mapping)
        )
        queries = [
            problem_rows(checked, mapping),
            problem_count(checked, mapping),
            variant_counts(checked, mapping),
            users_in_two_variants(checked, mapping),
            cohort_query(checked, mapping),
        ]
        bad_rows, bad_count, variants, two_variants, cohorts = pl.collect_all(
            queries, engine="streaming"
        )
        rows = int(variants["rows"].sum()) if variants.height else 0
        progress("checking and reducing", 90, rows)
        if rows == 0:
            raise reject(NO_ROWS)
        raise_problems(mapping, known, bad_rows, bad_count, variants, two_variants)
        return Reduction(rows=rows, cohorts=cohort_totals(cohorts, mapping))


def open_table(path: Path, work_dir: Path) -> tuple[pl.LazyFrame, int]:
    """A lazy frame of the file, every column as text where the format allows; first row no."""
    kind = detect_kind(path)
    if kind is FileKind.PARQUET:
        return pl.scan_parquet(path), 1
    if kind is FileKind.GZIP_CSV:
        path = gunzip_to(path, work_dir / "unpacked.csv")
    elif kind is FileKind.XLSX:
        path = workbook_to_csv(path, work_dir / "sheet.csv")
    return pl.scan_csv(path, infer_schema=False, encoding="utf8-lossy"), 2


def check_columns(frame: pl.LazyFrame, mapping: Mapping) -> None:
    present = frame.collect_schema().names()
    shown = ", ".join(f"`{name}`" for name in present) or "none"
    missing = [name for name in mapping.columns() if name not in present]
    if missing:
        raise RejectedData(
            [Problem(MISSING_COLUMN.format(column=name, columns=shown)) for name in missing]
        )


def typed_columns(frame: pl.LazyFrame, mapping: Mapping) -> list[pl.Expr]:
    """The raw text of each mapped column beside its typed value (null where it fails)."""
    schema = frame.collect_schema()
    exprs = [
        pl.col(mapping.user).cast(pl.String).alias("user"),
        pl.col(mapping.variant).cast(pl.String).alias("variant"),
        raw(mapping.date).alias("raw:date"),
        as_date(mapping.date, schema[mapping.date]).alias("date"),
    ]
    for name in numeric_columns(mapping):
        exprs += [raw(name).alias(f"raw:{name}"), as_number(name).alias(f"num:{name}")]
    return exprs


def raw(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String)


def as_date(name: str, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Date:
        return pl.col(name)
    if isinstance(dtype, pl.Datetime):
        return pl.col(name).dt.date()
    return pl.col(name).cast(pl.String).str.strip_chars().str.to_date(DATE_FORMAT, strict=False)


def as_number(name: str) -> pl.Expr:
    number = pl.col(name).cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
    return pl.when(number.is_finite()).then(number)  # "nan" and "inf" parse, yet are no data


def numeric_columns(mapping: Mapping) -> list[str]:
    names = []
    for metric in mapping.metrics:
        names += [c for c in (metric.column, metric.denominator, metric.pre) if c]
    return list(dict.fromkeys(names))


def binomial_columns(mapping: Mapping) -> set[str]:
    return {metric.column for metric in mapping.metrics if metric.kind == "binomial"}


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


def users_in_two_variants(checked: pl.LazyFrame, mapping: Mapping) -> pl.LazyFrame:
    return (
        checked.group_by("user")
        .agg(pl.col("variant").n_unique().alias("variants"), pl.col("variant").unique())
        .filter(pl.col("variants") > 1)
        .rename({"variant": "names"})
    )


def cohort_query(checked: pl.LazyFrame, mapping: Mapping) -> pl.LazyFrame:
    aggregates = [pl.len().alias("n")]
    for metric in mapping.metrics:
        y = pl.col(f"num:{metric.column}")
        aggregates += [
            y.sum().alias(f"{metric.key}:sum"),
            (y * y).sum().alias(f"{metric.key}:sum_squares"),
        ]
        if metric.denominator:
            d = pl.col(f"num:{metric.denominator}")
            aggregates += [
                d.sum().alias(f"{metric.key}:den_sum"),
                (d * d).sum().alias(f"{metric.key}:den_sum_squares"),
                (y * d).sum().alias(f"{metric.key}:num_den_sum_products"),
            ]
        if metric.pre:
            x = pl.col(f"num:{metric.pre}")
            aggregates += [
                x.sum().alias(f"{metric.key}:pre_sum"),
                (x * x).sum().alias(f"{metric.key}:pre_sum_squares"),
                (y * x).sum().alias(f"{metric.key}:post_pre_sum_products"),
            ]
    return checked.group_by("variant", "date").agg(aggregates).sort("variant", "date")


def raise_problems(mapping, known, bad_rows, bad_count, variants, two_variants) -> None:
    cells = cell_problems(mapping, bad_rows)
    unknown = variant_problems(variants, known, mapping.variant)
    shared_users = [
        Problem(
            USER_IN_TWO_VARIANTS.format(user=row["user"], variants=", ".join(sorted(row["names"]))),
            column=mapping.user,
        )
        for row in two_variants.sort("user").head(MAX_LISTED_PROBLEMS).iter_rows(named=True)
    ]
    total = int(bad_count["bad"][0] or 0) + len(unknown) + two_variants.height
    if total:
        raise RejectedData(cells + unknown + shared_users, total=total)


def cell_problems(mapping: Mapping, bad_rows: pl.DataFrame) -> list[Problem]:
    """Every bad cell of the first bad rows, in row order, then column order."""
    problems = []
    checks = cell_checks(mapping)
    flags = bad_rows.sort(ROW).with_columns(
        [bad.alias(f"bad:{i}") for i, (_, bad) in enumerate(checks)]
    )
    for row in flags.iter_rows(named=True):
        for i, (column, _) in enumerate(checks):
            if row[f"bad:{i}"]:
                problems.append(Problem(cell_message(row, column, mapping), row[ROW], column))
    return problems


def cell_message(row: dict, column: str, mapping: Mapping) -> str:
    value = row["raw:date"] if column == mapping.date else row.get(f"raw:{column}")
    if column in (mapping.user, mapping.variant):
        value = row["user" if column == mapping.user else "variant"]
    if value is None or str(value).strip() == "":
        return EMPTY_CELL
    if column == mapping.date:
        return NOT_A_DATE.format(value=value)
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


def cohort_totals(cohorts: pl.DataFrame, mapping: Mapping) -> list[CohortTotals]:
    totals = []
    for row in cohorts.iter_rows(named=True):
        for metric in mapping.metrics:
            prefix = f"{metric.key}:"
            extras = {k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)}
            totals.append(
                CohortTotals(
                    variant=row["variant"],
                    exposure_date=row["date"],
                    metric=metric.key,
                    n=int(row["n"]),
                    **extras,
                )
            )
    return totals


def preview(path: Path, rows: int = 5) -> tuple[list[str], list[list[str]]]:
    """The header and the first rows as text, for the mapping page."""
    with tempfile.TemporaryDirectory(prefix="growthlab-preview-") as work_dir:
        frame, _ = open_table(path, Path(work_dir))
        head = frame.head(rows).collect()
    text = head.select(pl.all().cast(pl.String))
    return text.columns, [list(row) for row in text.iter_rows()]

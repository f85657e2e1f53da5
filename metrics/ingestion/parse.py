"""Per-user outcome files → sufficient statistics per variant x exposure date x metric.

Pure: polars and the standard library, no Django, so tests feed it plain files. The file is
scanned lazily and reduced by polars' streaming engine: memory follows the number of cohorts
(variants x days) and of distinct users, never the file's size. A quick pass (quick.py) reduces
a clean file in one scan; when it finds anything suspect, every cell is checked here and any
problem rejects the whole file with the first problems named by row and column.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
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
from metrics.ingestion.filetype import (
    FileKind,
    detect_kind,
    gunzip_to,
    windows_text_to_utf8,
    workbook_to_csv,
)
from metrics.ingestion.problems import MAX_LISTED_PROBLEMS, Problem, RejectedData, reject
from metrics.ingestion.quick import quick_reduction

ROW = "__row"
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
        table = open_table(path, Path(work_dir))
        frame = table.scan()
        check_columns(frame, mapping)
        progress("checking and reducing", 10, 0)
        # Strict UTF-8 reads faster; a file that is not UTF-8 fails the quick pass and is read
        # leniently (undecodable bytes replaced) by the checked pass.
        numbers = table.scan(numeric_columns(mapping), lossy=False)
        reduction, shared_users = quick_reduction(numbers, mapping, known)
        if reduction is None:
            progress("naming the problems", 50, 0)
            reduction = checked_reduction(frame, table.first_row, mapping, known, shared_users)
        progress("checking and reducing", 90, reduction.rows)
        return reduction


def checked_reduction(
    frame: pl.LazyFrame, first_row: int, mapping: Mapping, known: list[str], shared: pl.Series
) -> Reduction:
    """Check every cell, raise RejectedData naming the first problems, else reduce."""
    checked = frame.with_row_index(ROW, offset=first_row).select(
        pl.col(ROW), *typed_columns(frame, mapping)
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
    raise_problems(mapping, known, bad_rows, bad_count, variants, two_variants)
    return Reduction(rows=rows, cohorts=cohort_totals(cohorts, mapping))


@dataclass(frozen=True)
class Table:
    """A readable copy of the upload: Parquet as it came, anything else as CSV."""

    path: Path
    parquet: bool

    @property
    def first_row(self) -> int:
        return 1 if self.parquet else 2  # a CSV's header is row 1

    def scan(self, numbers: Iterable[str] = (), lossy: bool = True) -> pl.LazyFrame:
        """Every CSV column as text, but `numbers` read as floats (a bad one fails the scan);
        not `lossy`, text that is not UTF-8 fails it too."""
        if self.parquet:
            return pl.scan_parquet(self.path)
        overrides = dict.fromkeys(numbers, pl.Float64) or None
        encoding = "utf8-lossy" if lossy else "utf8"
        return pl.scan_csv(
            self.path, infer_schema=False, schema_overrides=overrides, encoding=encoding
        )


def open_table(path: Path, work_dir: Path) -> Table:
    kind = detect_kind(path)
    if kind is FileKind.PARQUET:
        return Table(path, parquet=True)
    if kind is FileKind.GZIP_CSV:
        path = gunzip_to(path, work_dir / "unpacked.csv")
    elif kind is FileKind.WINDOWS_CSV:
        path = windows_text_to_utf8(path, work_dir / "utf8.csv")
    elif kind is FileKind.XLSX:
        path = workbook_to_csv(path, work_dir / "sheet.csv")
    return Table(path, parquet=False)


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
    """The users behind the quick pass's flagged hashes, with their variants."""
    return (
        checked.filter(pl.col("user").hash().is_in(shared.implode()))
        .group_by("user")
        .agg(pl.col("variant").n_unique().alias("variants"), pl.col("variant").unique())
        .filter(pl.col("variants") > 1)
        .rename({"variant": "names"})
    )


def cohort_query(checked: pl.LazyFrame, mapping: Mapping) -> pl.LazyFrame:
    aggregates = cohort_aggregates(mapping)
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


def preview(path: Path, rows: int = 5) -> tuple[list[str], list[list[str]]]:
    """The header and the first rows as text, for the mapping page."""
    with tempfile.TemporaryDirectory(prefix="growthlab-preview-") as work_dir:
        head = open_table(path, Path(work_dir)).scan().head(rows).collect()
    text = head.select(pl.all().cast(pl.String))
    return text.columns, [list(row) for row in text.iter_rows()]

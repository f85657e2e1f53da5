"""Per-user rows split by dimension (device, country, …): totals per segment value.

Pure: polars and the standard library. A step of its own beside the reduction (quick.py,
parse.py), run on a file that already passed their checks, so the overall cohorts stay
exactly what they were and each dimension's segments add up to them.

Rules, in this order:
- A value is trimmed; an empty or missing value is the segment "(none)".
- A user whose value changes between rows keeps the value of the first exposure (earliest
  exposure date, then the first row in the file): every row of that user counts in that one
  segment, so a user is never counted in two segments of one dimension.
- At most ``limit`` values per dimension (50 by default) keep their own segment, the largest
  by rows first (ties by name); the rest are folded into "other", and a note says so.
- A segment with fewer than two users in some variant has no variance to test: it is left out
  (that segment only), and a note names it.

Every source follows these rules through the helpers here: per-user files (file_segments),
counts files, typed counts and pushes (counts_segments: each row is one cell of the
dimensions, the overall is the sum of the cells) and SQL sources (the warehouse groups by the
dimension, sql.py; folding and the two-user rule run here on what comes back).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from metrics.ingestion.columns import (
    CohortTotals,
    Mapping,
    as_date,
    cohort_aggregates,
    numeric_columns,
    total_columns,
)
from metrics.ingestion.dialect import Dialect
from metrics.ingestion.quick import number

NONE_SEGMENT = "(none)"
OTHER_SEGMENT = "other"
MAX_SEGMENTS = 50
MAX_DIMENSION_LENGTH = 64  # OutcomeSegment.dimension
MAX_SEGMENT_LENGTH = 120  # OutcomeSegment.segment: a longer value is cut there
ORDER = "segment_row_order"
COUNT_KEYS = ("metric", "variant", "date")

FOLDED = "{dimension}: {count} values beyond the {limit} largest are shown together as “other”."
TOO_FEW = "{dimension} = “{segment}”: fewer than two users in {variant}; this segment is left out."
DIMENSION_IS_METRIC = "“{column}” is mapped as {metric}; a column cannot also be a dimension."
DIMENSION_NAME_EMPTY = "a dimension needs a name"
DIMENSION_NAME_TOO_LONG = "the dimension name “{name}” is longer than {limit} characters"


@dataclass(frozen=True)
class SegmentTotals(CohortTotals):
    """A cohort's totals within one value of one dimension."""

    dimension: str = ""
    segment: str = ""


@dataclass(frozen=True)
class SegmentReduction:
    segments: list[SegmentTotals] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def dimension_column(name: str) -> str:
    return f"dim:{name}"


def segment_value(name: str) -> pl.Expr:
    text = pl.col(name).cast(pl.String).str.strip_chars().str.slice(0, MAX_SEGMENT_LENGTH)
    return pl.when(text.is_null() | (text == "")).then(pl.lit(NONE_SEGMENT)).otherwise(text)


def dimension_name_problem(name: str, taken: dict[str, str]) -> str | None:
    """Why `name` cannot be a dimension, or None; `taken` maps a column or field that already
    has a role to that role's name, as a person reads it."""
    if not name.strip():
        return DIMENSION_NAME_EMPTY
    if len(name) > MAX_DIMENSION_LENGTH:
        return DIMENSION_NAME_TOO_LONG.format(name=name, limit=MAX_DIMENSION_LENGTH)
    if name in taken:
        return DIMENSION_IS_METRIC.format(column=name, metric=taken[name])
    return None


def summed(name: str) -> pl.Expr:
    """The sum, or null when a cell lacks the total (an optional CUPED total left out)."""
    total = pl.when(pl.col(name).is_null().any()).then(None).otherwise(pl.col(name).sum())
    return total.alias(name)


def first_exposure(frame: pl.LazyFrame, dimensions: tuple[str, ...]) -> pl.LazyFrame:
    """Each dimension's value replaced by the user's value at the first exposure."""
    return frame.with_columns(
        pl.col(dimension_column(d)).sort_by("date", ORDER).first().over("user") for d in dimensions
    )


def segment_reduction(
    typed: pl.LazyFrame, mapping: Mapping, dimensions: tuple[str, ...], limit: int = MAX_SEGMENTS
) -> SegmentReduction:
    """Totals per variant x date x segment for each dimension.

    `typed` has one row per file row: "user", "variant" (the experiment's name), "date",
    the typed "num:<column>" columns and the raw dimension columns under their own names.
    """
    if not dimensions:
        return SegmentReduction()
    frame = typed.with_row_index(ORDER).with_columns(
        segment_value(d).alias(dimension_column(d)) for d in dimensions
    )
    frame = first_exposure(frame, dimensions)
    queries = [
        frame.group_by("variant", "date", dimension_column(d)).agg(*cohort_aggregates(mapping))
        for d in dimensions
    ]
    segments, notes = [], []
    for dimension, grouped in zip(dimensions, pl.collect_all(queries), strict=True):
        grouped = grouped.rename({dimension_column(dimension): "segment"})
        grouped, note = folded(grouped, total_columns(mapping), dimension, limit)
        notes += note
        grouped, note = enough_users(grouped, dimension)
        notes += note
        segments += segment_totals(grouped.sort("segment", "variant", "date"), mapping, dimension)
    return SegmentReduction(segments=segments, notes=notes)


def file_segments(
    numbers: pl.LazyFrame, mapping: Mapping, known: list[str], dialect: Dialect
) -> SegmentReduction:
    """The segments of a per-user file the reduction accepted (every cell already checked)."""
    if not mapping.dimensions:
        return SegmentReduction()
    schema = numbers.collect_schema()
    lookup = mapping.variant_lookup(known)
    typed = numbers.select(
        pl.col(mapping.user).cast(pl.String).alias("user"),
        pl.col(mapping.variant)
        .cast(pl.String)
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(lookup, default=None, return_dtype=pl.String)
        .alias("variant"),
        date_of(mapping.date, schema[mapping.date], dialect).alias("date"),
        *[
            number(name, schema[name], dialect).alias(f"num:{name}")
            for name in numeric_columns(mapping)
        ],
        *[pl.col(d) for d in mapping.dimensions],
    )
    return segment_reduction(typed, mapping, mapping.dimensions)


def date_of(name: str, dtype: pl.DataType, dialect: Dialect) -> pl.Expr:
    if isinstance(dtype, pl.Datetime):
        return pl.col(name).dt.date()
    return as_date(name, dtype, dialect.date_format)


def folded(
    grouped: pl.DataFrame,
    totals: list[str],
    dimension: str,
    limit: int,
    keys: tuple[str, ...] = ("variant", "date"),
) -> tuple[pl.DataFrame, list[str]]:
    """Values beyond the `limit` largest (by users) summed into "other", with a note.

    `grouped` has the `keys`, "segment" and the `totals` (n first)."""
    sizes = (
        grouped.group_by("segment")
        .agg(pl.col("n").sum())
        .sort(["n", "segment"], descending=[True, False])
    )
    if sizes.height <= limit:
        return grouped, []
    kept = sizes["segment"].head(limit).to_list()
    grouped = grouped.with_columns(
        pl.when(pl.col("segment").is_in(kept)).then("segment").otherwise(pl.lit(OTHER_SEGMENT))
    )
    grouped = grouped.group_by(*keys, "segment").agg(summed(name) for name in totals)
    count = sizes.height - limit
    return grouped, [FOLDED.format(dimension=dimension, count=count, limit=limit)]


def enough_users(
    grouped: pl.DataFrame, dimension: str, by: tuple[str, ...] = ()
) -> tuple[pl.DataFrame, list[str]]:
    """Leave out, by name, each segment with fewer than two users in some variant (the fewest
    over `by`, e.g. per metric of a counts load, whose metrics count users apart)."""
    per_variant = (
        grouped.group_by("segment", "variant", *by)
        .agg(pl.col("n").sum())
        .group_by("segment", "variant")
        .agg(pl.col("n").min())
    )
    variants = per_variant["variant"].unique().sort().to_list()
    notes, dropped = [], []
    for segment in sorted(per_variant["segment"].unique().to_list()):
        counts = dict(
            per_variant.filter(pl.col("segment") == segment).select("variant", "n").iter_rows()
        )
        short = [v for v in variants if counts.get(v, 0) < 2]
        if short:
            dropped.append(segment)
            notes.append(TOO_FEW.format(dimension=dimension, segment=segment, variant=short[0]))
    return grouped.filter(~pl.col("segment").is_in(dropped)), notes


def segment_totals(grouped: pl.DataFrame, mapping: Mapping, dimension: str) -> list[SegmentTotals]:
    totals = []
    for row in grouped.iter_rows(named=True):
        for metric in mapping.metrics:
            prefix = f"{metric.key}:"
            extras = {k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)}
            totals.append(
                SegmentTotals(
                    variant=row["variant"],
                    exposure_date=row["date"],
                    metric=metric.key,
                    n=int(row["n"]),
                    dimension=dimension,
                    segment=row["segment"],
                    **extras,
                )
            )
    return totals


def counts_segments(
    cells: pl.DataFrame, dimensions: tuple[str, ...], limit: int = MAX_SEGMENTS
) -> tuple[pl.DataFrame, list[SegmentTotals], list[str]]:
    """Overall totals and segments of pre-aggregated cells (counts files, typed counts, pushes).

    `cells` has one row per cell: "metric", "variant", "date", "n", the totals and a text
    column per dimension. A cell is one value of every dimension at once, so the overall of a
    metric, variant and day is the sum of its cells and each dimension's segments add up to
    it. Returns (overall rows, segments, notes); without dimensions the cells are the overall.
    """
    totals = [c for c in cells.columns if c not in (*COUNT_KEYS, *dimensions)]
    overall = cells.group_by(*COUNT_KEYS, maintain_order=True).agg(summed(t) for t in totals)
    segments, notes = [], []
    for dimension in dimensions:
        grouped = (
            cells.with_columns(segment_value(dimension).alias("segment"))
            .group_by(*COUNT_KEYS, "segment")
            .agg(summed(t) for t in totals)
        )
        grouped, note = folded(grouped, totals, dimension, limit, keys=COUNT_KEYS)
        notes += note
        grouped, note = enough_users(grouped, dimension, by=("metric",))
        notes += note
        for row in grouped.sort("segment", "metric", "variant", "date").iter_rows(named=True):
            extras = {k: v for k, v in row.items() if k not in (*COUNT_KEYS, "segment", "n")}
            segments.append(
                SegmentTotals(
                    variant=row["variant"],
                    exposure_date=row["date"],
                    metric=row["metric"],
                    n=int(row["n"]),
                    dimension=dimension,
                    segment=row["segment"],
                    **extras,
                )
            )
    return overall, segments, notes

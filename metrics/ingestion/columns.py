"""What a per-user file holds once mapped: the mapping, typed column expressions, the totals.

Pure: polars and the standard library. Shared by the quick pass (quick.py) and the
cell-by-cell pass (parse.py), so both type values and sum them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

import polars as pl

DATE_FORMAT = "%Y-%m-%d"


@dataclass(frozen=True)
class MetricColumns:
    """Where one metric's values sit: `column` (the numerator for a ratio), and its extras."""

    key: str
    kind: str  # binomial, mean or ratio
    column: str
    denominator: str | None = None
    pre: str | None = None  # the pre-period value, or a ratio's pre-period numerator
    pre_denominator: str | None = None

    @property
    def names(self) -> list[str]:
        """The file columns this metric reads."""
        return [c for c in (self.column, self.denominator, self.pre, self.pre_denominator) if c]


@dataclass(frozen=True)
class Mapping:
    """Which file column is the user, the variant, the exposure date and each metric."""

    user: str
    variant: str
    date: str
    metrics: tuple[MetricColumns, ...]
    # File value → experiment variant, beside the case-insensitive match every name gets.
    variant_values: tuple[tuple[str, str], ...] = ()
    # Columns whose value splits the results into segments (metrics.ingestion.segments).
    dimensions: tuple[str, ...] = ()

    def variant_lookup(self, known: list[str]) -> dict[str, str]:
        """{lower-cased, trimmed file value: experiment variant} for every accepted spelling."""
        lookup = {name.strip().lower(): name for name in known}
        lookup.update({value.strip().lower(): name for value, name in self.variant_values})
        return lookup

    def columns(self) -> list[str]:
        names = [self.user, self.variant, self.date]
        for metric in self.metrics:
            names += metric.names
        return list(dict.fromkeys([*names, *self.dimensions]))


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
    pre_den_sum: float | None = None
    pre_den_sum_squares: float | None = None
    pre_num_den_sum_products: float | None = None
    post_pre_den_sum_products: float | None = None
    num_pre_den_sum_products: float | None = None
    den_pre_num_sum_products: float | None = None


# Every total a cohort carries beside its count, as the OutcomeCohort columns of the same names.
TOTAL_FIELDS = tuple(
    f.name
    for f in fields(CohortTotals)
    if f.name not in ("variant", "exposure_date", "metric", "n")
)


@dataclass(frozen=True)
class Reduction:
    rows: int
    cohorts: list[CohortTotals] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The quick pass's totals per variant x date x every dimension's value as found, when no
    # user's value changes between rows: the segments are then made from them, no second scan.
    dimension_groups: pl.DataFrame | None = None


def dimension_column(name: str) -> str:
    """The working name of a dimension's value column, apart from any file column."""
    return f"dim:{name}"


def as_date(name: str, dtype: pl.DataType, date_format: str | None = DATE_FORMAT) -> pl.Expr:
    if dtype == pl.Date:
        return pl.col(name)
    if isinstance(dtype, pl.Datetime):
        return pl.col(name).dt.date()
    if date_format is None:  # the order of day and month was not decided: no date is read
        return pl.lit(None, dtype=pl.Date)
    text = pl.col(name).cast(pl.String).str.strip_chars()
    return text.str.to_date(date_format, strict=False)


def as_number(
    name: str, dtype: pl.DataType = pl.String, *, decimal: str = ".", thousands: str = ""
) -> pl.Expr:
    """The value as a float, null where it is not a finite number.

    Parquet and XLSX keep their own types (booleans, integers, decimals) and are cast as they
    are; text is read with the file's decimal and thousands separators.
    """
    if dtype == pl.Boolean or dtype.is_numeric():
        number = pl.col(name).cast(pl.Float64)
    else:
        text = pl.col(name).cast(pl.String).str.strip_chars()
        if thousands:
            for mark in {thousands, "\u00a0", "\u202f"} if thousands == " " else {thousands}:
                text = text.str.replace_all(mark, "", literal=True)
        if decimal == ",":
            text = text.str.replace(",", ".", literal=True)
        number = text.cast(pl.Float64, strict=False)
    return pl.when(number.is_finite()).then(number)  # "nan" and "inf" parse, yet are no data


def numeric_columns(mapping: Mapping) -> list[str]:
    names = []
    for metric in mapping.metrics:
        names += metric.names
    return list(dict.fromkeys(names))


def binomial_columns(mapping: Mapping) -> set[str]:
    return {metric.column for metric in mapping.metrics if metric.kind == "binomial"}


def cohort_aggregates(mapping: Mapping) -> list[pl.Expr]:
    """n and every sum the metrics need, over the typed `num:<column>` columns."""
    aggregates = [pl.len().alias("n")]
    for metric in mapping.metrics:
        y = pl.col(f"num:{metric.column}")
        aggregates += products(metric.key, "", y, y)
        if metric.denominator:
            d = pl.col(f"num:{metric.denominator}")
            aggregates += [*products(metric.key, "den_", d, d), cross(metric.key, "num_den", y, d)]
        if metric.pre:
            x = pl.col(f"num:{metric.pre}")
            aggregates += [*products(metric.key, "pre_", x, x), cross(metric.key, "post_pre", y, x)]
        if metric.denominator and metric.pre_denominator:
            d, x = pl.col(f"num:{metric.denominator}"), pl.col(f"num:{metric.pre}")
            d0 = pl.col(f"num:{metric.pre_denominator}")
            aggregates += [
                *products(metric.key, "pre_den_", d0, d0),
                cross(metric.key, "pre_num_den", x, d0),
                cross(metric.key, "post_pre_den", d, d0),
                cross(metric.key, "num_pre_den", y, d0),
                cross(metric.key, "den_pre_num", d, x),
            ]
    return aggregates


def products(key: str, prefix: str, value: pl.Expr, same: pl.Expr) -> list[pl.Expr]:
    return [
        value.sum().alias(f"{key}:{prefix}sum"),
        (value * same).sum().alias(f"{key}:{prefix}sum_squares"),
    ]


def cross(key: str, name: str, left: pl.Expr, right: pl.Expr) -> pl.Expr:
    return (left * right).sum().alias(f"{key}:{name}_sum_products")


def total_columns(mapping: Mapping) -> list[str]:
    """Names of the columns cohort_aggregates() makes, n included."""
    return [expr.meta.output_name() for expr in cohort_aggregates(mapping)]


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

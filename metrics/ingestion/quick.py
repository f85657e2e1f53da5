"""The quick pass over a per-user file: statistics and a count of suspect cells in one scan.

Most files are clean, and checking every cell as text (stripping, re-parsing, keeping the raw
value beside the typed one) tripled the time of the reduction. This pass reads the file once:
numbers as numbers, summed per variant x exposure date. The checks look at each batch of rows
as the streaming scan hands it on (RowTap), not inside the group-by: a batch knows its null
counts without looking at a row, and with dimensions mapped the group-by holds thousands of
groups, where counting bad cells and keeping the extremes of the user ids per group cost
about a tenth of the reduction. The tap also copies out a 64-bit hash of every user id
(8 bytes a row). One sort of those hashes settles the
user-in-two-variants check for the usual file of one row per user: no hash repeats, no user
has two variants. Only a file whose hashes repeat groups its users by hash (a second scan) to
see whether any has two variants; grouping every file that way cost more than parsing it.
Anything suspect (a count above zero, a sum that is not finite, an unknown variant, a date
that does not parse, a hash with two variants) returns None, and parse.reduce_file runs its
cell-by-cell pass, which names the problems; a false alarm (padded numbers, a hash collision,
a sum too large for a float) finds none there and is reduced by that pass.

Dimension values are grouped as categories (one small integer per value, exact), not as text:
a group-by over several text keys hashes and compares every key of every row, while one over
codes does not; with the per-batch checks, a file with three dimensions took 10 to 15 % less
CPU time (benchmarks/segments_bench.py).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from metrics.ingestion.columns import (
    Mapping,
    Reduction,
    as_date,
    as_number,
    binomial_columns,
    cohort_aggregates,
    cohort_totals,
    dimension_column,
    numeric_columns,
    total_columns,
)
from metrics.ingestion.dialect import PLAIN_CSV, Dialect

USER_HASH = "user_hash"


def quick_reduction(
    frame: pl.LazyFrame, mapping: Mapping, known: list[str], dialect: Dialect = PLAIN_CSV
) -> tuple[Reduction | None, pl.Series]:
    """(the reduction if nothing looks wrong, else None; hashes of users seen in two variants).

    `frame` reads the numeric columns as numbers where the format allows.
    """
    tap = RowTap(mapping)
    keys = [dimension_column(d) for d in mapping.dimensions]
    typed = typed_frame(frame, mapping, dialect)
    cohorts = tap.through(typed).group_by("variant", "day", *keys).agg(*cohort_aggregates(mapping))
    try:
        cohorts = cohorts.collect(engine="streaming")
    except pl.exceptions.ComputeError:  # a cell not read as a number, or text not UTF-8
        return None, pl.Series(USER_HASH, [], dtype=pl.UInt64)
    cohorts = cohorts.with_columns(pl.col(keys).cast(pl.String))
    shared_hashes = pl.Series(USER_HASH, [], dtype=pl.UInt64)
    # A hash seen twice is a user on two rows (or a collision): only then are users grouped.
    repeated = not tap.all_distinct(rows=int(cohorts["n"].sum()))
    if repeated:
        shared = shared_user_hashes(frame, mapping).collect(engine="streaming")
        shared_hashes = shared.filter(pl.col("two_variants"))[USER_HASH]
    cohorts = named_variants(cohorts, mapping.variant_lookup(known))
    if shared_hashes.len() or not tap.looks_clean() or not looks_clean(cohorts):
        return None, shared_hashes
    by_day = dated(cohorts, frame.collect_schema()[mapping.date], dialect.date_format)
    if by_day["date"].null_count():
        return None, shared_hashes
    totals = by_day.group_by("variant", "date").agg(pl.col(total_columns(mapping)).sum())
    reduction = Reduction(
        rows=int(totals["n"].sum()),
        cohorts=cohort_totals(totals.sort("variant", "date"), mapping),
        dimension_groups=by_day.drop("day") if keys and not repeated else None,
    )
    return reduction, shared_hashes


class RowTap:
    """Looks at each batch of typed rows as the streaming query passes it on, and hands it on
    without the user column: copies out the user hashes, so the check for a user in two
    variants needs no second scan of the file; counts the cells that might fail
    parse.cell_checks(); keeps the extremes of the user ids (maybe_blank_user).

    With looks_clean()'s test that every sum is finite (a NaN or an infinity makes its
    column's sums so, and testing each cell cost more), the count is never lower than the
    number of cells that actually fail.
    """

    def __init__(self, mapping: Mapping) -> None:
        self.hashes: list[np.ndarray] = []
        self.suspect = 0
        self.lowest: str | None = None
        self.highest: str | None = None
        numbers = numeric_columns(mapping)
        self.checked = ["user", "variant", "day", *[f"num:{name}" for name in numbers]]
        self.binary = [f"num:{name}" for name in numbers if name in binomial_columns(mapping)]
        summed = summed_columns(mapping)
        self.unsummed = [f"num:{name}" for name in numbers if name not in summed]

    def through(self, typed: pl.LazyFrame) -> pl.LazyFrame:
        schema = typed.collect_schema()
        handed_on = pl.Schema({name: kind for name, kind in schema.items() if name != "user"})
        return typed.map_batches(self.inspect, streamable=True, schema=handed_on)

    def inspect(self, batch: pl.DataFrame) -> pl.DataFrame:
        users = batch.get_column("user")
        self.hashes.append(users.hash().to_numpy())
        self.suspect += sum(batch.select(self.checked).null_count().row(0))
        for name in self.binary:
            value = batch.get_column(name)
            self.suspect += int(((value != 0.0) & (value != 1.0)).sum())
        for name in self.unsummed:
            self.suspect += int(batch.get_column(name).is_finite().not_().sum())
        lowest, highest = users.min(), users.max()
        if lowest is not None:
            self.lowest = lowest if self.lowest is None else min(self.lowest, lowest)
            self.highest = highest if self.highest is None else max(self.highest, highest)
        return batch.drop("user")

    def looks_clean(self) -> bool:
        if self.suspect or self.lowest is None:
            return False
        return not maybe_blank_user(self.lowest, self.highest)

    def all_distinct(self, rows: int) -> bool:
        """Whether every row's hash was seen, once each; if not, the caller groups by user."""
        seen = np.concatenate([np.empty(0, dtype=np.uint64), *self.hashes])
        self.hashes.clear()
        if len(seen) != rows:  # not every batch passed the tap: never trust a partial view
            return False
        seen.sort()
        return not (seen[1:] == seen[:-1]).any()


def typed_frame(frame: pl.LazyFrame, mapping: Mapping, dialect: Dialect) -> pl.LazyFrame:
    schema = frame.collect_schema()
    return frame.select(
        pl.col(mapping.user).cast(pl.String).alias("user"),
        pl.col(mapping.variant).cast(pl.String).alias("variant"),
        day_key(mapping.date, schema[mapping.date]).alias("day"),
        *[
            number(name, schema[name], dialect).alias(f"num:{name}")
            for name in numeric_columns(mapping)
        ],
        *[
            pl.col(d).cast(pl.String).cast(pl.Categorical).alias(dimension_column(d))
            for d in mapping.dimensions
        ],
    )


def named_variants(cohorts: pl.DataFrame, lookup: dict[str, str]) -> pl.DataFrame:
    """Each cohort under the experiment's variant its file value stands for (null if none):
    a few rows per variant and day, so matching any case costs nothing per user."""
    key = pl.col("variant").str.strip_chars().str.to_lowercase()
    named = key.replace_strict(lookup, default=None, return_dtype=pl.String)
    return cohorts.with_columns(named.alias("variant"))


def day_key(name: str, dtype: pl.DataType) -> pl.Expr:
    """The exposure date as found: a file holds a few distinct days, parsed once grouped."""
    if isinstance(dtype, pl.Datetime):
        return pl.col(name).dt.date()
    return pl.col(name)


def number(name: str, dtype: pl.DataType, dialect: Dialect) -> pl.Expr:
    """The value as a float, null where text does not parse as it stands (padding included)."""
    if dtype == pl.String and not dialect.thousands and dialect.decimal == ".":
        return pl.col(name).cast(pl.Float64, strict=False)
    if dtype.is_numeric() or dtype == pl.Boolean:
        return pl.col(name).cast(pl.Float64)
    return as_number(name, dtype, decimal=dialect.decimal, thousands=dialect.thousands)


def summed_columns(mapping: Mapping) -> set[str]:
    """The columns with a sum of their own among the totals (columns.cohort_aggregates)."""
    names = set()
    for metric in mapping.metrics:
        names.update({metric.column, metric.denominator, metric.pre})
        if metric.denominator:
            names.add(metric.pre_denominator)
    return names - {None}


def shared_user_hashes(frame: pl.LazyFrame, mapping: Mapping) -> pl.LazyFrame:
    """Hashes of user ids seen with more than one variant ("two_variants") or on more than one
    row ("repeated"); a collision only costs time.

    A repeated user may carry two values of a dimension, so the segments then check the rows
    again (segments.grouped_once); a file of one row per user needs no second look.
    Built on the bare scan, not on typed_frame(): a shared typed subplan would be cached
    whole by polars, holding every row in memory.
    """
    variant = pl.col(mapping.variant).cast(pl.String).hash()
    return (
        frame.group_by(pl.col(mapping.user).cast(pl.String).hash().alias(USER_HASH))
        .agg(
            (variant.min() != variant.max()).alias("two_variants"),
            (pl.len() > 1).alias("repeated"),
        )
        .filter(pl.col("two_variants") | (pl.col("repeated") & bool(mapping.dimensions)))
    )


def dimension_changes(frame: pl.LazyFrame, mapping: Mapping) -> pl.LazyFrame:
    """One row if some user's value of a dimension, as found, differs between rows."""
    spreads = [pl.col(d).cast(pl.String).hash() for d in mapping.dimensions]
    return (
        frame.group_by(pl.col(mapping.user).cast(pl.String).hash().alias(USER_HASH))
        .agg(pl.any_horizontal([h.min() != h.max() for h in spreads]).alias("changes"))
        .filter(pl.col("changes"))
        .head(1)
    )


def looks_clean(cohorts: pl.DataFrame) -> bool:
    if cohorts.height == 0:
        return False
    finite = cohorts.select(pl.all_horizontal(pl.col(pl.Float64).is_finite().all()))
    if not finite.item():  # a NaN or an infinity in some column
        return False
    return not cohorts["variant"].null_count()  # else a value that is no variant of the test


def maybe_blank_user(lowest: str, highest: str) -> bool:
    """Whether some user id might be only spaces, judged from the extremes (no per-row strip).

    A blank id starts with whitespace: ASCII whitespace sorts below "!", Unicode whitespace
    (U+0085 and up) above every ASCII id; ids outside that range cannot be blank.
    """
    return lowest < "!" or highest >= "\u0085"


def dated(cohorts: pl.DataFrame, dtype: pl.DataType, date_format: str | None) -> pl.DataFrame:
    key_type = pl.Date if isinstance(dtype, pl.Datetime) else dtype
    return cohorts.with_columns(as_date("day", key_type, date_format).alias("date"))

"""The push-down aggregation of a warehouse query: only variants x days rows travel back.

SQLAlchemy Core builds it, so the same code serves any engine with a dialect (PostgreSQL here;
BigQuery, Snowflake, ClickHouse or Trino a connection URL away). The analyst's per-user query
is wrapped as a subquery; GrowthLab adds the GROUP BY and every sum the statistics need, plus
counts of empty and out-of-range cells so bad rows are caught without fetching them.

Each dimension the mapping names is one more query, grouped by variant, day and the user's
segment inside the warehouse (the value at the user's first exposure, as for a per-user file;
an empty value is "(none)"); folding and the two-user rule then run on the rows that come back,
with the helpers of metrics.ingestion.segments.
"""

from __future__ import annotations

import re

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from metrics.ingestion.columns import (
    CohortTotals,
    Mapping,
    Reduction,
    binomial_columns,
    numeric_columns,
    total_columns,
)
from metrics.ingestion.problems import Problem, RejectedData, reject
from metrics.ingestion.segments import (
    MAX_SEGMENT_LENGTH,
    MAX_SEGMENTS,
    NONE_SEGMENT,
    SegmentTotals,
    enough_users,
    folded,
    segment_totals,
)

STATEMENT_TIMEOUT_SECONDS = 300
QUERY_FAILED = "The query failed: {reason}"
QUERY_TIMED_OUT = "The query ran longer than {seconds:,} s and was stopped."
EMPTY_CELLS = "{count:,} rows have no value"
NOT_ZERO_OR_ONE = "{count:,} rows hold a value other than 0 or 1"
NO_ROWS = "The query returned no rows."
UNKNOWN_VARIANT = "unknown variant '{name}'; the experiment's variants are {known}"
HIDDEN = "***"


def pushdown(query: str, mapping: Mapping) -> sa.Select:
    """SELECT variant, day, n, sums … FROM (query) GROUP BY variant, day."""
    per_user = per_user_rows(query, mapping)
    variant = per_user.c[mapping.variant].label("variant")
    day = sa.cast(per_user.c[mapping.date], sa.Date).label("day")
    return sa.select(variant, day, *aggregates(per_user, mapping)).group_by(variant, day)


def per_user_rows(query: str, mapping: Mapping):
    names = mapping.columns()
    return sa.text(query).columns(*[sa.column(name) for name in names]).subquery("per_user")


def segment_pushdown(query: str, mapping: Mapping, dimension: str) -> sa.Select:
    """SELECT variant, day, segment, n, sums … GROUP BY variant, day, segment, where a user's
    segment is the dimension's value at the first exposure (ties: the smallest value)."""
    per_user = per_user_rows(query, mapping)
    text = sa.func.trim(sa.cast(per_user.c[dimension], sa.String))
    value = sa.func.coalesce(
        sa.func.nullif(sa.func.substr(text, 1, MAX_SEGMENT_LENGTH), ""), NONE_SEGMENT
    )
    first = sa.func.first_value(value).over(
        partition_by=per_user.c[mapping.user],
        order_by=(sa.cast(per_user.c[mapping.date], sa.Date), value),
    )
    names = [name for name in mapping.columns() if name != dimension]
    segmented = sa.select(*[per_user.c[name] for name in names], first.label("segment"))
    segmented = segmented.subquery("segmented")
    variant = segmented.c[mapping.variant].label("variant")
    day = sa.cast(segmented.c[mapping.date], sa.Date).label("day")
    segment = segmented.c["segment"].label("segment")
    totals = aggregates(segmented, mapping, checked=False)
    return sa.select(variant, day, segment, *totals).group_by(variant, day, segment)


def aggregates(per_user, mapping: Mapping, *, checked: bool = True) -> list:
    number = {name: sa.cast(per_user.c[name], sa.Float) for name in numeric_columns(mapping)}
    columns = [sa.func.count().label("n")]
    for metric in mapping.metrics:
        y = number[metric.column]
        columns += sums(f"{metric.key}:", y, y)
        if metric.denominator:
            d = number[metric.denominator]
            columns += [*sums(f"{metric.key}:den_", d, d), total(f"{metric.key}:num_den", y, d)]
        if metric.pre:
            x = number[metric.pre]
            columns += [*sums(f"{metric.key}:pre_", x, x), total(f"{metric.key}:post_pre", y, x)]
        if metric.denominator and metric.pre_denominator:
            d, x = number[metric.denominator], number[metric.pre]
            d0 = number[metric.pre_denominator]
            columns += [
                *sums(f"{metric.key}:pre_den_", d0, d0),
                total(f"{metric.key}:pre_num_den", x, d0),
                total(f"{metric.key}:post_pre_den", d, d0),
                total(f"{metric.key}:num_pre_den", y, d0),
                total(f"{metric.key}:den_pre_num", d, x),
            ]
    return columns + checks(per_user, mapping, number) if checked else columns


def sums(prefix: str, value, same) -> list:
    return [
        sa.func.sum(value).label(f"{prefix}sum"),
        sa.func.sum(value * same).label(f"{prefix}sum_squares"),
    ]


def total(prefix: str, left, right):
    return sa.func.sum(left * right).label(f"{prefix}_sum_products")


def checks(per_user, mapping: Mapping, number: dict) -> list:
    """Per group: rows with an empty cell in a mapped column, and binomial values not 0/1.

    A dimension's empty cell is no problem: it is the segment "(none)"."""
    names = [name for name in mapping.columns() if name not in mapping.dimensions]
    empty = [sa.func.count() - sa.func.count(per_user.c[name]) for name in names]
    not_binary = [
        sa.func.sum(sa.case((number[name].not_in([0.0, 1.0]), 1), else_=0))
        for name in binomial_columns(mapping)
    ]
    return [
        sum(empty[1:], empty[0]).label("check:empty"),
        (sum(not_binary[1:], not_binary[0]) if not_binary else sa.literal(0)).label("check:binary"),
    ]


def pull(
    url: str,
    query: str,
    mapping: Mapping,
    known: list[str],
    timeout: int = STATEMENT_TIMEOUT_SECONDS,
) -> Reduction:
    """Run the push-down read-only with a statement timeout; raise RejectedData on any failure.

    Returns the overall cohorts, then each dimension's segments, with their notes.
    Messages never hold the URL, the user name or the password.
    """
    statements = [pushdown(query, mapping)]
    statements += [segment_pushdown(query, mapping, d) for d in mapping.dimensions]
    try:
        overall, *split = run(make_url(url), statements, timeout)
    except sa.exc.DBAPIError as error:
        raise reject(failure_message(error, url, timeout)) from None
    except (sa.exc.SQLAlchemyError, ValueError) as error:  # bad URL, unknown dialect …
        raise reject(QUERY_FAILED.format(reason=scrub(str(error), url))) from None
    cohorts = cohorts_from(overall, mapping, known)
    segments, notes = [], []
    for dimension, rows in zip(mapping.dimensions, split, strict=True):
        found, note = segments_from(rows, mapping, dimension)
        segments += found
        notes += note
    rows = sum(c.n for c in cohorts if c.metric == mapping.metrics[0].key)
    return Reduction(rows=rows, cohorts=[*cohorts, *segments], notes=notes)


def run(url: URL, statements: list[sa.Select], timeout: int) -> list[list[dict]]:
    """The rows of each statement, all in one read-only transaction."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection, connection.begin():
            read_only(connection, timeout)
            return [
                [dict(row) for row in connection.execute(statement).mappings()]
                for statement in statements
            ]
    finally:
        engine.dispose()


def read_only(connection, timeout: int) -> None:
    """Refuse writes and stop long queries, where the engine can; both end with the transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SET TRANSACTION READ ONLY"))
        connection.execute(sa.text(f"SET LOCAL statement_timeout = {int(timeout) * 1000}"))


def failure_message(error: sa.exc.DBAPIError, url: str, timeout: int) -> str:
    reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    if "statement timeout" in reason:
        return QUERY_TIMED_OUT.format(seconds=timeout)
    return QUERY_FAILED.format(reason=scrub(reason, url))


def scrub(text: str, url: str) -> str:
    """The text with the URL, its user name and its password replaced by ***."""
    secrets = [url]
    try:
        parsed = make_url(url)
        secrets += [parsed.password or "", parsed.username or ""]
    except (sa.exc.ArgumentError, ValueError):  # unparsable: hide what looks like user:password
        for pair in re.findall(r"//([^:@/]*):([^@/]*)@", url):
            secrets += list(pair)
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        text = text.replace(str(secret), HIDDEN)
    return text


def cohorts_from(rows: list[dict], mapping: Mapping, known: list[str]) -> list[CohortTotals]:
    if not rows:
        raise reject(NO_ROWS)
    problems = row_problems(rows, mapping, known)
    if problems:
        raise RejectedData(problems)
    cohorts = []
    for row in sorted(rows, key=lambda r: (r["variant"], r["day"])):
        for metric in mapping.metrics:
            prefix = f"{metric.key}:"
            extras = {k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)}
            cohorts.append(
                CohortTotals(
                    variant=row["variant"],
                    exposure_date=row["day"],
                    metric=metric.key,
                    n=int(row["n"]),
                    **extras,
                )
            )
    return cohorts


def row_problems(rows: list[dict], mapping: Mapping, known: list[str]) -> list[Problem]:
    empty = sum(int(row["check:empty"] or 0) for row in rows)
    binary = sum(int(row["check:binary"] or 0) for row in rows)
    problems = [Problem(EMPTY_CELLS.format(count=empty))] if empty else []
    if binary:
        problems.append(Problem(NOT_ZERO_OR_ONE.format(count=binary)))
    known_text = ", ".join(f"'{name}'" for name in known)
    for name in sorted({str(row["variant"]) for row in rows} - set(known)):
        problems.append(
            Problem(UNKNOWN_VARIANT.format(name=name, known=known_text), column=mapping.variant)
        )
    return problems


def segments_from(
    rows: list[dict], mapping: Mapping, dimension: str, limit: int = MAX_SEGMENTS
) -> tuple[list[SegmentTotals], list[str]]:
    """The warehouse's rows of one dimension, folded and checked as a per-user file's are."""
    totals = total_columns(mapping)
    schema = {
        "variant": pl.String,
        "date": pl.Date,
        "segment": pl.String,
        **dict.fromkeys(totals, pl.Float64),
    }
    records = [
        (row["variant"], row["day"], row["segment"], *(row[name] for name in totals))
        for row in rows
    ]
    grouped = pl.DataFrame(records, schema=schema, orient="row")
    grouped, notes = folded(grouped, totals, dimension, limit)
    grouped, note = enough_users(grouped, dimension)
    ordered = grouped.sort("segment", "variant", "date")
    return segment_totals(ordered, mapping, dimension), notes + note

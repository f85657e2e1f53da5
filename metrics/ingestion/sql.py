"""The push-down aggregation of a warehouse query: only variants x days rows travel back.

SQLAlchemy Core builds it, so the same code serves any engine with a dialect (PostgreSQL here;
BigQuery, Snowflake, ClickHouse or Trino a connection URL away). The analyst's per-user query
is wrapped as a subquery; GrowthLab adds the GROUP BY and every sum the statistics need, plus
counts of empty and out-of-range cells so bad rows are caught without fetching them.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from metrics.ingestion.columns import (
    CohortTotals,
    Mapping,
    binomial_columns,
    numeric_columns,
)
from metrics.ingestion.problems import Problem, RejectedData, gettext_noop, reject

STATEMENT_TIMEOUT_SECONDS = 300
QUERY_FAILED = gettext_noop("The query failed: {reason}")
QUERY_TIMED_OUT = gettext_noop("The query ran longer than {seconds:,} s and was stopped.")
EMPTY_CELLS = gettext_noop("{count:,} rows have no value")
NOT_ZERO_OR_ONE = gettext_noop("{count:,} rows hold a value other than 0 or 1")
NO_ROWS = gettext_noop("The query returned no rows.")
UNKNOWN_VARIANT = gettext_noop("unknown variant '{name}'; the experiment's variants are {known}")
HIDDEN = "***"


def pushdown(query: str, mapping: Mapping) -> sa.Select:
    """SELECT variant, day, n, sums … FROM (query) GROUP BY variant, day."""
    names = mapping.columns()
    per_user = sa.text(query).columns(*[sa.column(name) for name in names]).subquery("per_user")
    variant = per_user.c[mapping.variant].label("variant")
    day = sa.cast(per_user.c[mapping.date], sa.Date).label("day")
    return sa.select(variant, day, *aggregates(per_user, mapping)).group_by(variant, day)


def aggregates(per_user, mapping: Mapping) -> list:
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
    return columns + checks(per_user, mapping, number)


def sums(prefix: str, value, same) -> list:
    return [
        sa.func.sum(value).label(f"{prefix}sum"),
        sa.func.sum(value * same).label(f"{prefix}sum_squares"),
    ]


def total(prefix: str, left, right):
    return sa.func.sum(left * right).label(f"{prefix}_sum_products")


def checks(per_user, mapping: Mapping, number: dict) -> list:
    """Per group: rows with an empty cell in a mapped column, and binomial values not 0/1."""
    empty = [sa.func.count() - sa.func.count(per_user.c[name]) for name in mapping.columns()]
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
) -> list[CohortTotals]:
    """Run the push-down read-only with a statement timeout; raise RejectedData on any failure.

    Messages never hold the URL, the user name or the password.
    """
    try:
        rows = run(make_url(url), pushdown(query, mapping), timeout)
    except sa.exc.DBAPIError as error:
        raise reject(failure_message(error, url, timeout)) from None
    except (sa.exc.SQLAlchemyError, ValueError) as error:  # bad URL, unknown dialect …
        raise reject(QUERY_FAILED.format(reason=scrub(str(error), url))) from None
    return cohorts_from(rows, mapping, known)


def run(url: URL, statement: sa.Select, timeout: int) -> list[dict]:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection, connection.begin():
            read_only(connection, timeout)
            return [dict(row) for row in connection.execute(statement).mappings()]
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

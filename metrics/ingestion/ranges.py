"""The range of every number that enters the outcome statistics, the same on every path.

Pure: no Django import. A per-user file, a counts file, typed counts, a pipeline push and a SQL
source all end as CohortTotals; each is checked here before anything is written, so a number
the database or the statistics cannot hold is refused naming its field, never a worker crash.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from metrics.ingestion.columns import TOTAL_FIELDS, CohortTotals
from metrics.ingestion.problems import Problem, gettext_noop

# Ten times the people on Earth: any real count is below it, and its square fits a float.
MAX_USERS = 100_000_000_000
# Totals of money, minutes or items: beyond this the squares lose every significant digit.
MAX_TOTAL = 1e30
LABELS = {
    "users": gettext_noop("users"),
    "conversions": gettext_noop("conversions"),
    "sum": gettext_noop("sum of values"),
    "sum_squares": gettext_noop("sum of squared values"),
    "den_sum": gettext_noop("sum of denominators"),
    "den_sum_squares": gettext_noop("sum of squared denominators"),
    "num_den_sum_products": gettext_noop("sum of value × denominator"),
    "pre_sum": gettext_noop("pre-period sum"),
    "pre_sum_squares": gettext_noop("pre-period sum of squares"),
    "post_pre_sum_products": gettext_noop("sum of value × pre-period value"),
    "pre_den_sum": gettext_noop("pre-period sum of denominators"),
    "pre_den_sum_squares": gettext_noop("pre-period sum of squared denominators"),
    "pre_num_den_sum_products": gettext_noop("pre-period sum of value × denominator"),
    "post_pre_den_sum_products": gettext_noop("sum of denominator × pre-period denominator"),
    "num_pre_den_sum_products": gettext_noop("sum of value × pre-period denominator"),
    "den_pre_num_sum_products": gettext_noop("sum of denominator × pre-period value"),
}
ALL_DAYS = gettext_noop("all days")
IN_COHORT = gettext_noop("{metric}, variant '{variant}', {day}: {message}")
OUT_OF_RANGE = gettext_noop(
    "{value:,} is out of range: {field} must be between {low:,} and {high:,}"
)
TOTAL_OUT_OF_RANGE = gettext_noop("{value} is out of range: {field} must be between -1e30 and 1e30")


def count_problem(value: int, field: str) -> str | None:
    if 0 <= value <= MAX_USERS:
        return None
    return OUT_OF_RANGE.format(value=value, field=LABELS.get(field, field), low=0, high=MAX_USERS)


def total_problem(value: float, field: str) -> str | None:
    if math.isfinite(value) and abs(value) <= MAX_TOTAL:
        return None
    # Written here: an infinite total has no JSON number to be stored as.
    return TOTAL_OUT_OF_RANGE.format(value=f"{value:.4g}", field=LABELS.get(field, field))


def cohort_range_problems(cohorts: Iterable[CohortTotals]) -> list[Problem]:
    """Every total out of range, named by metric, variant and day (cohorts have no row)."""
    problems = []
    for cohort in cohorts:
        found = [count_problem(cohort.n, "users")]
        for name in TOTAL_FIELDS:
            value = getattr(cohort, name)
            if value is not None:
                found.append(total_problem(float(value), name))
        day = cohort.exposure_date.isoformat() if cohort.exposure_date else ALL_DAYS
        problems += [
            Problem(
                IN_COHORT.format(metric=cohort.metric, variant=cohort.variant, day=day, message=m)
            )
            for m in found
            if m
        ]
    return problems

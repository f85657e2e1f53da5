"""A test's business case: the money a year of the change is worth, before and after the result.

Before: baseline × daily users once shipped × 365 × expected lift × value of one unit, from the
experiment's own fields (the lift and users fall back to the plan's MDE and daily users).
After: the same product with the primary metric's measured lift and interval, read through
`experiments.measured`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from experiments.measured import MeasuredLift, measured_lifts
from metrics.stats.value import ValueRange, annual_value, projected_value
from metrics.stats.wording import signed_percent

EXPECTED = _("{value} a year if the hypothesis holds ({lift} on {users} daily users)")
PROJECTED = _("{value} a year at the measured {lift} of {variant} (from {lower} to {upper})")
NO_LIMIT = _("no limit yet")


def money(amount: float, currency: str) -> str:
    """438000.4 → "438,000 SEK"; an open interval end in words."""
    if amount in (math.inf, -math.inf):
        return str(NO_LIMIT)
    return f"{amount:,.0f} {currency}"


@dataclass(frozen=True)
class BusinessCase:
    currency: str
    value_per_unit: float | None
    baseline: float | None
    daily_users: int | None
    expected_lift: float | None  # relative, 0.05 = +5 %
    expected: float | None  # money per year if the hypothesis holds
    measured: MeasuredLift | None = None
    projected: ValueRange | None = None  # money per year at the measured lift

    @property
    def expected_words(self) -> str:
        if self.expected is None:
            return ""
        return str(EXPECTED).format(
            value=money(self.expected, self.currency),
            lift=signed_percent(self.expected_lift),
            users=f"{self.daily_users:,}",
        )

    @property
    def projected_words(self) -> str:
        if self.projected is None:
            return ""
        return str(PROJECTED).format(
            value=money(self.projected.estimate, self.currency),
            lift=signed_percent(self.measured.estimate),
            variant=self.measured.variant,
            lower=money(self.projected.lower, self.currency),
            upper=money(self.projected.upper, self.currency),
        )

    @property
    def missing(self) -> list[str]:
        """What the expected value still needs, in words."""
        needs = {
            _("the value of one unit"): self.value_per_unit,
            _("a baseline"): self.baseline,
            _("daily users"): self.daily_users,
            _("an expected lift"): self.expected_lift,
        }
        return [str(name) for name, value in needs.items() if value is None]


def expected_lift_of(experiment) -> float | None:
    percent = experiment.value_expected_lift
    if percent is None:
        percent = experiment.mde_relative
    return None if percent is None else percent / 100


def business_case_of(experiment, measured: MeasuredLift | None = None) -> BusinessCase:
    """The business case of `experiment`; `measured` from `measured_lifts` once it has a result."""
    unit, baseline = experiment.value_per_unit, experiment.plan_baseline
    users = experiment.value_daily_users or experiment.plan_daily_traffic
    lift = expected_lift_of(experiment)
    known = None not in (unit, baseline, users, lift)
    expected = annual_value(baseline, users, lift, unit) if known else None
    projected = None
    if measured is not None and unit is not None and users:
        interval = (measured.estimate, measured.lower, measured.upper)
        projected = projected_value(measured.control_value, users, interval, unit)
    return BusinessCase(
        currency=experiment.team.currency,
        value_per_unit=unit,
        baseline=baseline,
        daily_users=users,
        expected_lift=lift,
        expected=expected,
        measured=measured,
        projected=projected,
    )


def business_cases(experiments: Iterable) -> dict[int, BusinessCase]:
    """Each experiment's business case by id, its measured lifts read in one go."""
    experiments = list(experiments)
    priced = [e.pk for e in experiments if e.value_per_unit is not None]
    lifts = measured_lifts(priced)
    return {e.pk: business_case_of(e, lifts.get(e.pk)) for e in experiments}

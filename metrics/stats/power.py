"""Planning: sample size per variant, the reachable MDE, and the duration in days.

Normal approximations, with the MDE relative to the baseline (δ = mde · baseline):
- binomial, as statsmodels ``samplesize_proportions_2indep_onetail``: the null SE uses the pooled
  rate, the alternative SE the two rates, n₁ = ((z_α σ₀ + z_β σ₁) / δ)² for the treatment arm;
- mean and ratio: n₀ = (z_α + z_β)² σ² (1 + 1/r) / δ² + z_α² / (2(1 + r)); the last term is
  Guenther's (1981) correction (z_α²/4 per arm when r = 1), which brings the normal answer within
  1% of the noncentral-t one (statsmodels ``TTestIndPower``) even at n ≈ 10.
``ratio`` r = n per treatment / n control. Several treatments use Bonferroni (α / treatments)
when asked; z_α is one- or two-sided as the test will be.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from metrics.stats import reference, sequential
from metrics.stats.errors import StatsInputError

SPRINT_DAYS = 21
MetricType = Literal["binomial", "mean", "ratio"]
PowerCorrection = Literal["none", "bonferroni"]


def _require_open_unit(field: str, value: float) -> None:
    if not 0 < value < 1:
        raise StatsInputError(field, "must be between 0 and 1")


@dataclass(frozen=True)
class Design:
    """How a test will run: metric, baseline (a rate, or a mean with its sd) and test settings."""

    metric_type: MetricType
    baseline: float
    baseline_sd: float | None = None
    alpha: float = 0.05
    power: float = 0.8
    ratio: float = 1.0
    two_sided: bool = True
    n_variants: int = 2
    correction: PowerCorrection = "none"

    def __post_init__(self) -> None:
        if self.metric_type == "binomial":
            _require_open_unit("baseline_rate", self.baseline)
        else:
            self._check_mean_baseline()
        _require_open_unit("alpha", self.alpha)
        _require_open_unit("power", self.power)
        if not self.ratio > 0:
            raise StatsInputError("ratio", "must be positive")
        if self.n_variants < 2:
            raise StatsInputError("n_variants", "must be at least 2 (a control and a treatment)")
        if self.correction not in ("none", "bonferroni"):
            raise StatsInputError("correction", 'must be "none" or "bonferroni"')

    def _check_mean_baseline(self) -> None:
        if self.baseline == 0:
            raise StatsInputError("baseline_mean", "must not be 0: the MDE is relative to it")
        if self.baseline_sd is None or not self.baseline_sd > 0:
            raise StatsInputError("baseline_sd", "must be positive")

    @property
    def z_alpha(self) -> float:
        """Critical value for α, split over the treatments when Bonferroni is asked for."""
        tests = self.n_variants - 1 if self.correction == "bonferroni" else 1
        tail = self.alpha / tests / (2 if self.two_sided else 1)
        return reference.quantile(1 - tail)

    @property
    def z_beta(self) -> float:
        """z for the power: Φ⁻¹(power)."""
        return reference.quantile(self.power)


def _check_mde(design: Design, mde_relative: float) -> None:
    if mde_relative == 0 or mde_relative <= -1:
        raise StatsInputError("mde_relative", "must be non-zero and above -1 (-100%)")
    if design.metric_type == "binomial" and design.baseline * (1 + mde_relative) >= 1:
        raise StatsInputError("mde_relative", "would push the rate to 1 or beyond")
    # So small that the changed value rounds to the baseline: no number of users finds it.
    if design.baseline * (1 + mde_relative) == design.baseline:
        raise StatsInputError("mde_relative", "is too small to tell from the baseline")


def _binomial_control_n(design: Design, mde_relative: float) -> float:
    p0 = design.baseline
    p1 = p0 * (1 + mde_relative)
    control_per_treatment = 1 / design.ratio
    pooled = (p1 + p0 * control_per_treatment) / (1 + control_per_treatment)
    sd_null = math.sqrt(pooled * (1 - pooled) * (1 + 1 / control_per_treatment))
    sd_alt = math.sqrt(p1 * (1 - p1) + p0 * (1 - p0) / control_per_treatment)
    treatment_n = ((design.z_alpha * sd_null + design.z_beta * sd_alt) / (p1 - p0)) ** 2
    return treatment_n / design.ratio


def _mean_control_n(design: Design, mde_relative: float) -> float:
    delta = mde_relative * design.baseline
    z_alpha, z_beta = design.z_alpha, design.z_beta
    spread = design.baseline_sd**2 * (1 + 1 / design.ratio)
    return (z_alpha + z_beta) ** 2 * spread / delta**2 + _small_sample_term(design)


def _small_sample_term(design: Design) -> float:
    """Guenther's correction for the t reference, shared out by the allocation."""
    return design.z_alpha**2 / (2 * (1 + design.ratio))


def control_sample_size(design: Design, mde_relative: float) -> float:
    """Units the control needs, unrounded."""
    _check_mde(design, mde_relative)
    if design.metric_type == "binomial":
        return _binomial_control_n(design, mde_relative)
    return _mean_control_n(design, mde_relative)


def sequential_control_sample_size(
    design: Design, mde_relative: float, tuning_parameter: float
) -> float:
    """Units the control needs when the test is read by the always-valid (sequential) interval.

    The fixed-horizon size scaled by ((b + z_β) / (z_α + z_β))², with b the confidence
    sequence's half-width in standard errors at the planned units of both arms. b grows with
    log t only, so a few rounds of substitution settle it to under one unit.
    """
    fixed = control_sample_size(design, mde_relative)
    tests = design.n_variants - 1 if design.correction == "bonferroni" else 1
    alpha = design.alpha / tests
    needed = fixed
    for _ in range(100):
        units = needed * (1 + design.ratio)
        boundary = sequential.boundary_in_std_errors(units, alpha, tuning_parameter)
        scale = ((boundary + design.z_beta) / (design.z_alpha + design.z_beta)) ** 2
        settled, needed = needed, max(fixed * scale, fixed)
        if abs(needed - settled) < 0.5:
            break
    return needed


def sample_size_per_variant(
    design: Design, mde_relative: float, sequential_tuning: float | None = None
) -> list[int]:
    """Units per variant, rounded up: [control, treatment, ...] (n_variants entries); sized
    for the sequential interval when ``sequential_tuning`` (its tuning parameter) is given."""
    if sequential_tuning is None:
        control = control_sample_size(design, mde_relative)
    else:
        control = sequential_control_sample_size(design, mde_relative, sequential_tuning)
    treatment = math.ceil(control * design.ratio - 1e-9)
    return [math.ceil(control - 1e-9)] + [treatment] * (design.n_variants - 1)


def minimum_detectable_effect(design: Design, n_control: float) -> float:
    """Smallest relative lift (a positive fraction) the design detects with ``n_control`` units.

    ``math.inf`` when no lift is detectable with so few units.
    """
    if design.metric_type != "binomial":
        usable = n_control - _small_sample_term(design)
        if usable <= 0:
            return math.inf
        spread = design.baseline_sd**2 * (1 + 1 / design.ratio)
        delta = (design.z_alpha + design.z_beta) * math.sqrt(spread / usable)
        return delta / abs(design.baseline)
    ceiling = (1 - 1e-9) / design.baseline - 1
    if _binomial_control_n(design, ceiling) > n_control:
        return math.inf
    return _bisect(lambda mde: _binomial_control_n(design, mde) > n_control, 1e-9, ceiling)


def _bisect(too_small: Callable[[float], bool], low: float, high: float) -> float:
    """The boundary where ``too_small`` turns False, to 1e-12 relative."""
    # Plain bisection: scipy.optimize alone takes seconds to import on a busy worker.
    while high - low > 1e-12 * high:
        middle = (low + high) / 2
        low, high = (middle, high) if too_small(middle) else (low, middle)
    return (low + high) / 2


def days_to_reach(units_needed: Sequence[float], units_per_day: Sequence[float]) -> int:
    """Days until every variant has its units: max(needed_i / per_day_i), rounded up.

    The one count of days needed: the plan, sprint planning and the health check all call it,
    so a test never needs 18 days on one page and 19 on another.
    """
    if not all(rate > 0 for rate in units_per_day):
        raise StatsInputError("daily_traffic", "must be positive")
    days = max(need / rate for need, rate in zip(units_needed, units_per_day, strict=True))
    return max(math.ceil(days - 1e-9), 0)


def expected_duration_days(total_units: float, daily_traffic: float) -> int:
    """Days until ``total_units`` have entered the test at ``daily_traffic`` units a day."""
    return days_to_reach([total_units], [daily_traffic])


def fits_in_sprint(days: int, sprint_days: int = SPRINT_DAYS) -> bool:
    """True when the test can finish within one sprint."""
    return days <= sprint_days

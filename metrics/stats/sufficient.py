"""Sufficient statistics of one metric in one variant: totals, never rows.

Each class exposes ``n``, ``value`` (the metric: a rate, a mean or a ratio), ``variance`` (per
unit) and ``variance_of_value`` (variance of ``value`` itself), and checks its totals on
construction, raising :class:`StatsInputError` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass

from metrics.stats.errors import StatsInputError

# Totals arrive as floats summed over millions of rows: allow rounding, not a contradiction.
RELATIVE_TOLERANCE = 1e-9


def _require_count(field: str, value: int, minimum: int) -> None:
    if value < 0:
        raise StatsInputError(field, "must not be negative")
    if value < minimum:
        raise StatsInputError(field, f"must be at least {minimum}")


def _centred_sum_squares(field: str, n: int, total: float, total_squares: float) -> float:
    """Σ(x − x̄)² = Σx² − (Σx)²/n, or an error if the totals cannot come from real numbers."""
    centred = total_squares - total**2 / n
    if centred < -RELATIVE_TOLERANCE * max(abs(total_squares), 1.0):
        raise StatsInputError(field, "is smaller than sum²/n: no set of values has these totals")
    return max(centred, 0.0)


def _centred_products(n: int, sum_x: float, sum_y: float, sum_xy: float) -> float:
    """Σ(x − x̄)(y − ȳ) = Σxy − ΣxΣy/n."""
    return sum_xy - sum_x * sum_y / n


def _require_cauchy_schwarz(field: str, cxy: float, cxx: float, cyy: float) -> None:
    if cxy**2 > cxx * cyy * (1 + 1e-7) + RELATIVE_TOLERANCE:
        raise StatsInputError(field, "implies a correlation above 1: the totals disagree")


@dataclass(frozen=True)
class BinomialStats:
    """Units and conversions: rate p = conversions / n, variance per unit p(1 − p).

    A rate of exactly 0 or 1 has zero variance, so no z-test can use it: that is an error.
    """

    n: int
    conversions: int

    def __post_init__(self) -> None:
        _require_count("n", self.n, 1)
        _require_count("conversions", self.conversions, 0)
        if self.conversions > self.n:
            raise StatsInputError("conversions", "cannot exceed n")
        if self.conversions in (0, self.n):
            raise StatsInputError(
                "conversions", "gives a rate of exactly 0 or 1, whose variance is 0"
            )

    @property
    def value(self) -> float:
        """The conversion rate p."""
        return self.conversions / self.n

    @property
    def variance(self) -> float:
        """Variance per unit: p(1 − p)."""
        return self.value * (1 - self.value)

    @property
    def variance_of_value(self) -> float:
        """Var(p̂) = p(1 − p) / n."""
        return self.variance / self.n


@dataclass(frozen=True)
class Covariate:
    """Pre-period totals for CUPED: Σx, Σx², Σyx with y the metric of the same unit."""

    sum: float
    sum_squares: float
    sum_products: float


@dataclass(frozen=True)
class MeanStats:
    """Totals of a per-unit metric: mean ȳ = Σy/n, variance s² = (Σy² − (Σy)²/n) / (n − 1).

    ``covariate`` (optional) holds the pre-period totals CUPED needs.
    """

    n: int
    sum: float
    sum_squares: float
    covariate: Covariate | None = None

    def __post_init__(self) -> None:
        _require_count("n", self.n, 2)
        _centred_sum_squares("sum_squares", self.n, self.sum, self.sum_squares)
        if self.covariate is not None:
            self._check_covariate(self.covariate)

    def _check_covariate(self, cov: Covariate) -> None:
        cxx = _centred_sum_squares("pre_sum_squares", self.n, cov.sum, cov.sum_squares)
        if cxx <= RELATIVE_TOLERANCE * max(abs(cov.sum_squares), 1.0):
            raise StatsInputError("pre_sum_squares", "the covariate has zero variance")
        cyy = _centred_sum_squares("sum_squares", self.n, self.sum, self.sum_squares)
        cxy = _centred_products(self.n, cov.sum, self.sum, cov.sum_products)
        _require_cauchy_schwarz("post_pre_sum_products", cxy, cxx, cyy)

    @property
    def value(self) -> float:
        """The mean ȳ."""
        return self.sum / self.n

    @property
    def variance(self) -> float:
        """Sample variance s² = (Σy² − (Σy)²/n) / (n − 1)."""
        centred = _centred_sum_squares("sum_squares", self.n, self.sum, self.sum_squares)
        return centred / (self.n - 1)

    @property
    def variance_of_value(self) -> float:
        """Var(ȳ) = s² / n."""
        return self.variance / self.n


@dataclass(frozen=True)
class RatioStats:
    """Per-unit totals of a numerator x and a denominator y; the metric is R = Σx / Σy.

    Delta method per unit, covariances with n − 1:
    Var(R̂) = (s²ₓ − 2R sₓᵧ + R² s²ᵧ) / (n ȳ²).
    """

    n: int
    num_sum: float
    num_sum_squares: float
    den_sum: float
    den_sum_squares: float
    num_den_sum_products: float

    def __post_init__(self) -> None:
        _require_count("n", self.n, 2)
        if not self.den_sum > 0:
            raise StatsInputError("den_sum", "must be positive: the ratio divides by it")
        cxx = _centred_sum_squares("num_sum_squares", self.n, self.num_sum, self.num_sum_squares)
        cyy = _centred_sum_squares("den_sum_squares", self.n, self.den_sum, self.den_sum_squares)
        cxy = _centred_products(self.n, self.num_sum, self.den_sum, self.num_den_sum_products)
        _require_cauchy_schwarz("num_den_sum_products", cxy, cxx, cyy)

    @property
    def value(self) -> float:
        """The ratio R = Σx / Σy."""
        return self.num_sum / self.den_sum

    @property
    def variance(self) -> float:
        """Per-unit delta-method variance: (s²ₓ − 2R sₓᵧ + R² s²ᵧ) / ȳ²."""
        n, ratio = self.n, self.value
        var_x = _centred_sum_squares("num_sum_squares", n, self.num_sum, self.num_sum_squares)
        var_y = _centred_sum_squares("den_sum_squares", n, self.den_sum, self.den_sum_squares)
        cov_xy = _centred_products(n, self.num_sum, self.den_sum, self.num_den_sum_products)
        spread = (var_x - 2 * ratio * cov_xy + ratio**2 * var_y) / (n - 1)
        return max(spread, 0.0) / (self.den_sum / n) ** 2

    @property
    def variance_of_value(self) -> float:
        """Var(R̂) = per-unit variance / n."""
        return self.variance / self.n


Stats = BinomialStats | MeanStats | RatioStats


def uses_t_reference(control: Stats, treatment: Stats) -> bool:
    """True for means (Welch t); proportions and ratios use the normal reference."""
    return isinstance(control, MeanStats) and isinstance(treatment, MeanStats)

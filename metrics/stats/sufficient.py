"""Sufficient statistics of one metric in one variant: totals, never rows.

Each class exposes ``n``, ``value`` (the metric: a rate, a mean or a ratio), ``variance`` (per
unit) and ``variance_of_value`` (variance of ``value`` itself), and checks its totals on
construction, raising :class:`StatsInputError` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass

from metrics.stats.errors import StatsInputError

COVARIATE_CONSTANT = "the covariate has zero variance"

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
            raise StatsInputError("pre_sum_squares", COVARIATE_CONSTANT)
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
class RatioCovariate:
    """Pre-period totals of a ratio metric for CUPED, each unit's pre numerator x₀ and
    denominator y₀ beside its in-test x and y: Σx₀, Σx₀², Σy₀, Σy₀², Σx₀y₀ and the four cross
    products Σx x₀, Σy y₀, Σx y₀, Σy x₀ that the 4 × 4 covariance of (x̄, ȳ, x̄₀, ȳ₀) needs.
    """

    num_sum: float
    num_sum_squares: float
    den_sum: float
    den_sum_squares: float
    num_den_sum_products: float
    post_num_sum_products: float
    post_den_sum_products: float
    num_post_den_sum_products: float
    den_post_num_sum_products: float


RATIO_COVARIATE_FIELDS = (
    "pre_num_sum",
    "pre_num_sum_squares",
    "pre_den_sum",
    "pre_den_sum_squares",
    "pre_num_den_sum_products",
    "post_pre_num_sum_products",
    "post_pre_den_sum_products",
    "num_pre_den_sum_products",
    "den_pre_num_sum_products",
)


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
    covariate: RatioCovariate | None = None

    def __post_init__(self) -> None:
        _require_count("n", self.n, 2)
        if not self.den_sum > 0:
            raise StatsInputError("den_sum", "must be positive: the ratio divides by it")
        cxx = _centred_sum_squares("num_sum_squares", self.n, self.num_sum, self.num_sum_squares)
        cyy = _centred_sum_squares("den_sum_squares", self.n, self.den_sum, self.den_sum_squares)
        cxy = _centred_products(self.n, self.num_sum, self.den_sum, self.num_den_sum_products)
        _require_cauchy_schwarz("num_den_sum_products", cxy, cxx, cyy)
        if self.covariate is not None:
            self._check_covariate(self.covariate)

    def _check_covariate(self, cov: RatioCovariate) -> None:
        n = self.n
        if not cov.den_sum > 0:
            raise StatsInputError(
                "pre_den_sum", "must be positive: the pre-period ratio divides by it"
            )
        centred = {
            "pre_num_sum_squares": _centred_sum_squares(
                "pre_num_sum_squares", n, cov.num_sum, cov.num_sum_squares
            ),
            "pre_den_sum_squares": _centred_sum_squares(
                "pre_den_sum_squares", n, cov.den_sum, cov.den_sum_squares
            ),
            "num_sum_squares": _centred_sum_squares(
                "num_sum_squares", n, self.num_sum, self.num_sum_squares
            ),
            "den_sum_squares": _centred_sum_squares(
                "den_sum_squares", n, self.den_sum, self.den_sum_squares
            ),
        }
        pairs = (
            (
                "pre_num_den_sum_products",
                cov.num_den_sum_products,
                cov.num_sum,
                cov.den_sum,
                "pre_num_sum_squares",
                "pre_den_sum_squares",
            ),
            (
                "post_pre_num_sum_products",
                cov.post_num_sum_products,
                self.num_sum,
                cov.num_sum,
                "num_sum_squares",
                "pre_num_sum_squares",
            ),
            (
                "post_pre_den_sum_products",
                cov.post_den_sum_products,
                self.den_sum,
                cov.den_sum,
                "den_sum_squares",
                "pre_den_sum_squares",
            ),
            (
                "num_pre_den_sum_products",
                cov.num_post_den_sum_products,
                self.num_sum,
                cov.den_sum,
                "num_sum_squares",
                "pre_den_sum_squares",
            ),
            (
                "den_pre_num_sum_products",
                cov.den_post_num_sum_products,
                self.den_sum,
                cov.num_sum,
                "den_sum_squares",
                "pre_num_sum_squares",
            ),
        )
        for field, products, sum_a, sum_b, squares_a, squares_b in pairs:
            cab = _centred_products(n, sum_a, sum_b, products)
            _require_cauchy_schwarz(field, cab, centred[squares_a], centred[squares_b])
        gradient = self.pre_gradient
        scale = (
            centred["pre_num_sum_squares"] * gradient[2] ** 2
            + centred["pre_den_sum_squares"] * gradient[3] ** 2
        ) / (n - 1)
        if self.pre_variance <= RELATIVE_TOLERANCE * scale:
            raise StatsInputError("pre_num_sum_squares", COVARIATE_CONSTANT)

    @property
    def means(self) -> tuple[float, float, float, float]:
        """Per-unit means (x̄, ȳ, x̄₀, ȳ₀) of the numerator and denominator, in-test and pre."""
        cov, n = self.covariate, self.n
        return (self.num_sum / n, self.den_sum / n, cov.num_sum / n, cov.den_sum / n)

    @property
    def covariance_matrix(self) -> list[list[float]]:
        """Per-unit 4 × 4 covariance (n − 1) of (x, y, x₀, y₀), from the totals."""
        cov, n = self.covariate, self.n
        sums = (self.num_sum, self.den_sum, cov.num_sum, cov.den_sum)
        products = {
            (0, 0): self.num_sum_squares,
            (1, 1): self.den_sum_squares,
            (2, 2): cov.num_sum_squares,
            (3, 3): cov.den_sum_squares,
            (0, 1): self.num_den_sum_products,
            (2, 3): cov.num_den_sum_products,
            (0, 2): cov.post_num_sum_products,
            (1, 3): cov.post_den_sum_products,
            (0, 3): cov.num_post_den_sum_products,
            (1, 2): cov.den_post_num_sum_products,
        }
        matrix = [[0.0] * 4 for _ in range(4)]
        for (i, j), total in products.items():
            matrix[i][j] = matrix[j][i] = (total - sums[i] * sums[j] / n) / (n - 1)
        return matrix

    @property
    def post_gradient(self) -> tuple[float, float, float, float]:
        """∂R/∂(x̄, ȳ, x̄₀, ȳ₀) with R = x̄/ȳ."""
        mx, my, _, _ = self.means
        return (1 / my, -mx / my**2, 0.0, 0.0)

    @property
    def pre_gradient(self) -> tuple[float, float, float, float]:
        """∂R₀/∂(x̄, ȳ, x̄₀, ȳ₀) with R₀ = x̄₀/ȳ₀."""
        _, _, mx0, my0 = self.means
        return (0.0, 0.0, 1 / my0, -mx0 / my0**2)

    def _quadratic(self, a: tuple, b: tuple) -> float:
        matrix = self.covariance_matrix
        return sum(a[i] * matrix[i][j] * b[j] for i in range(4) for j in range(4))

    @property
    def pre_value(self) -> float:
        """The pre-period ratio R₀ = Σx₀ / Σy₀."""
        return self.covariate.num_sum / self.covariate.den_sum

    @property
    def pre_variance(self) -> float:
        """Per-unit delta-method variance of R₀."""
        return self._quadratic(self.pre_gradient, self.pre_gradient)

    @property
    def post_pre_covariance(self) -> float:
        """Per-unit delta-method covariance of R and R₀."""
        return self._quadratic(self.post_gradient, self.pre_gradient)

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

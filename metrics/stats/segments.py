"""One metric read per segment of a dimension (device, country, …), without fooling anyone.

Each segment is compared with the same engine as the whole test (``analysis.compare``). Three
things keep noise in one of twenty segments from looking like a discovery:

- Benjamini–Hochberg across the segments of a dimension (``corrections.adjust_p_values``
  with ``"bh"``, statsmodels ``multipletests(method="fdr_bh")``), shown beside the raw p-value.
- Cochran's Q, the heterogeneity test of meta-analysis (Cochran 1954, "The combination of
  estimates from different experiments", Biometrics 10:101–129): with segment lifts yᵢ,
  standard errors sᵢ and weights wᵢ = 1/sᵢ², the pooled lift ȳ = Σwᵢyᵢ / Σwᵢ and
  Q = Σwᵢ(yᵢ − ȳ)², χ² with k − 1 df under "the effect is the same in every segment";
  I² = max(0, (Q − df)/Q) (Higgins & Thompson 2002) is the share of spread beyond chance.
- Empirical-Bayes (James–Stein type) shrinkage toward the overall lift: the spread of true
  segment effects τ² by the DerSimonian–Laird moment estimator (1986),
  τ² = max(0, (Q − df) / (Σwᵢ − Σwᵢ²/Σwᵢ)), and each segment's lift pulled toward the
  overall one by its noise: ŷᵢ = ȳ₀ + τ²/(τ² + sᵢ²) · (yᵢ − ȳ₀). With τ² = 0 every segment reads
  as the overall effect: what the data cannot tell apart is not told apart.

SRM is tested in every segment too: a split broken in one segment makes its lift unreadable.
A verdict is never made here: a segment is a lead for the next test, never a result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from metrics.stats import reference
from metrics.stats.analysis import AnalysisInput
from metrics.stats.corrections import adjust_p_values
from metrics.stats.errors import StatsInputError
from metrics.stats.frequentist import TestResult, absolute_difference, fixed_horizon_test
from metrics.stats.relative import relative_lift
from metrics.stats.srm import SrmResult, srm_test

# Heterogeneity is read at the usual 5 %: Q has little power with few segments, so a miss
# is worded as "does not differ detectably", never as proof of the same effect.
HETEROGENEITY_ALPHA = 0.05


@dataclass(frozen=True)
class Heterogeneity:
    """Cochran's Q, its df and p-value, I², the DerSimonian–Laird τ² and the pooled lift."""

    q: float
    df: int
    p_value: float
    i_squared: float
    tau_squared: float
    pooled: float

    @property
    def differs(self) -> bool:
        return self.p_value < HETEROGENEITY_ALPHA


@dataclass(frozen=True)
class SegmentComparison:
    """One segment's treatment against its control: raw, BH-adjusted and shrunk."""

    segment: str
    variant: str
    users: tuple[int, ...]
    absolute: TestResult
    relative: TestResult
    p_value_adjusted: float
    shrunk_relative: float
    srm: SrmResult


@dataclass(frozen=True)
class DimensionResult:
    """Every segment of one dimension for one treatment, and whether their effects differ."""

    dimension: str
    variant: str
    overall_relative: float
    segments: tuple[SegmentComparison, ...]
    heterogeneity: Heterogeneity | None  # None with fewer than two segments
    refused: tuple[str, ...] = ()  # segments the engine could not compare, by name

    def segment(self, name: str) -> SegmentComparison | None:
        return next((s for s in self.segments if s.segment == name), None)


def cochran_q(estimates: Sequence[float], std_errors: Sequence[float]) -> Heterogeneity:
    """Cochran's Q over k estimates with their standard errors (see the module docstring)."""
    if len(estimates) != len(std_errors) or len(estimates) < 2:
        raise StatsInputError("segments", "needs at least two estimates, each with its SE")
    if any(not se > 0 for se in std_errors):
        raise StatsInputError("segments", "every standard error must be above zero")
    weights = [1 / se**2 for se in std_errors]
    total = sum(weights)
    pooled = sum(w * y for w, y in zip(weights, estimates, strict=True)) / total
    q = sum(w * (y - pooled) ** 2 for w, y in zip(weights, estimates, strict=True))
    df = len(estimates) - 1
    scale = total - sum(w**2 for w in weights) / total
    return Heterogeneity(
        q=q,
        df=df,
        p_value=reference.chi_square_sf(q, df),
        i_squared=max(0.0, (q - df) / q) if q > 0 else 0.0,
        tau_squared=max(0.0, (q - df) / scale) if scale > 0 else 0.0,
        pooled=pooled,
    )


def shrunk(
    estimates: Sequence[float], std_errors: Sequence[float], toward: float, tau_squared: float
) -> list[float]:
    """Each estimate pulled toward ``toward`` by its noise: τ²/(τ² + s²) of it is kept."""
    return [
        toward + (tau_squared / (tau_squared + se**2) if tau_squared > 0 else 0.0) * (y - toward)
        for y, se in zip(estimates, std_errors, strict=True)
    ]


@dataclass(frozen=True)
class FixedComparison:
    """The fixed-horizon half of ``analysis.compare``: the absolute difference and the relative
    lift with their tests, and the lift's standard error (the weight in Cochran's Q)."""

    absolute: TestResult
    relative: TestResult
    relative_std_error: float


def fixed_comparison(inp: AnalysisInput, index: int) -> FixedComparison:
    """Variant ``index`` against the control by the same functions as ``analysis.compare``,
    without the sequential, Bayesian and planning readings a segment never shows."""
    control, treatment, settings = inp.control.stats, inp.variants[index].stats, inp.settings
    alpha, alternative = settings.alpha, settings.alternative
    relative = relative_lift(control, treatment)
    return FixedComparison(
        absolute=fixed_horizon_test(absolute_difference(control, treatment), alpha, alternative),
        relative=fixed_horizon_test(relative, alpha, alternative),
        relative_std_error=relative.std_error,
    )


def analyse_dimension(
    dimension: str,
    segments: Sequence[tuple[str, AnalysisInput]],
    overall: AnalysisInput,
    variant_index: int,
) -> DimensionResult:
    """Compare ``variant_index`` with the control in every segment, then correct, test the
    heterogeneity and shrink toward the overall relative lift. A segment the engine refuses
    (StatsInputError: too few users, no variance, no positive control value) is left out and
    named in ``refused``; with none left, StatsInputError."""
    overall_lift = fixed_comparison(overall, variant_index).relative.estimate
    compared, refused = [], []
    for name, inp in segments:
        try:
            compared.append((name, inp, fixed_comparison(inp, variant_index)))
        except StatsInputError:
            refused.append(name)
    if not compared:
        raise StatsInputError("segments", "no segment could be compared")
    adjusted = adjust_p_values([c.relative.p_value for _, _, c in compared], "bh")
    lifts = [c.relative.estimate for _, _, c in compared]
    errors = [c.relative_std_error for _, _, c in compared]
    heterogeneity = cochran_q(lifts, errors) if len(compared) >= 2 else None
    tau = heterogeneity.tau_squared if heterogeneity else 0.0
    pulled = shrunk(lifts, errors, overall_lift, tau)
    results = tuple(
        SegmentComparison(
            segment=name,
            variant=inp.variants[variant_index].name,
            users=tuple(v.stats.n for v in inp.variants),
            absolute=comparison.absolute,
            relative=comparison.relative,
            p_value_adjusted=p,
            shrunk_relative=lift,
            srm=srm_test([v.stats.n for v in inp.variants], inp.split),
        )
        for (name, inp, comparison), p, lift in zip(compared, adjusted, pulled, strict=True)
    )
    return DimensionResult(
        dimension=dimension,
        variant=overall.variants[variant_index].name,
        overall_relative=overall_lift,
        segments=results,
        heterogeneity=heterogeneity,
        refused=tuple(refused),
    )

"""Bayesian reading of the relative lift: a Gaussian posterior.

Likelihood: lift ~ N(L̂, SE²) with L̂ and SE from the delta method (see ``relative``). A flat
prior gives the posterior N(L̂, SE²); a Normal prior N(μ₀, τ²) gives precision 1/SE² + 1/τ² and
mean (L̂/SE² + μ₀/τ²) / precision. With L the lift signed so that positive is good:
chance to win = P(L > 0) = Φ(μ/σ), expected loss if shipped = E[max(−L, 0)]
= σ φ(μ/σ) − μ Φ(−μ/σ), and the credible interval is the central 1 − α one of the raw lift.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from metrics.stats import reference
from metrics.stats.errors import StatsInputError
from metrics.stats.frequentist import Estimate

Direction = Literal["increase", "decrease"]


@dataclass(frozen=True)
class NormalPrior:
    """A proper Normal prior on the relative lift (e.g. mean 0, sd 0.3: ±30% is plausible)."""

    mean: float
    sd: float

    def __post_init__(self) -> None:
        if not self.sd > 0:
            raise StatsInputError("sd", "must be positive")


@dataclass(frozen=True)
class BayesianResult:
    """Chance to beat control, expected relative loss, credible interval, posterior moments."""

    chance_to_win: float
    expected_loss: float
    ci_lower: float
    ci_upper: float
    posterior_mean: float
    posterior_sd: float


def posterior(lift: Estimate, prior: NormalPrior | None) -> tuple[float, float]:
    """(mean, sd) of the Gaussian posterior of the relative lift."""
    if prior is None:
        return lift.value, lift.std_error
    precision = 1 / lift.std_error**2 + 1 / prior.sd**2
    mean = (lift.value / lift.std_error**2 + prior.mean / prior.sd**2) / precision
    return mean, math.sqrt(1 / precision)


def expected_loss(mean: float, sd: float) -> float:
    """E[max(−L, 0)] for L ~ N(mean, sd²): σ φ(μ/σ) − μ Φ(−μ/σ)."""
    z = mean / sd
    return max(sd * reference.normal_pdf(z) - mean * reference.cdf(-z), 0.0)


def bayesian_lift(
    lift: Estimate, alpha: float, direction: Direction, prior: NormalPrior | None = None
) -> BayesianResult:
    """Posterior summaries; ``direction="decrease"`` makes a fall the win."""
    mean, sd = posterior(lift, prior)
    good_mean = mean if direction == "increase" else -mean
    half_width = reference.quantile(1 - alpha / 2) * sd
    return BayesianResult(
        chance_to_win=reference.cdf(good_mean / sd),
        expected_loss=expected_loss(good_mean, sd),
        ci_lower=mean - half_width,
        ci_upper=mean + half_width,
        posterior_mean=mean,
        posterior_sd=sd,
    )

"""Empirical-Bayes (James–Stein) shrinkage of a programme's test lifts, against the winner's curse.

A programme ships the tests whose observed lift was largest, so summing their raw lifts
overstates what was gained: the winners are partly lucky noise. Each test's lift yᵢ with
standard error sᵢ is read as a draw yᵢ ~ N(θᵢ, sᵢ²) with true effects θᵢ ~ N(μ, τ²) shared by
the programme, and every yᵢ is pulled towards the programme's mean by how noisy it is.

Estimates (Morris 1983, "Parametric empirical Bayes inference: theory and applications",
JASA 78:47–65, §3; Efron & Morris 1975, JASA 70:311–319), over k tests:

    ȳ   = (1/k) Σ yᵢ                         S = Σ (yᵢ − ȳ)²
    τ̂²  = max(0, S/(k − 1) − (1/k) Σ sᵢ²)    (moment estimate of the spread of true effects)
    Bᵢ  = min(1, (k − 3)/(k − 1) · sᵢ² / (sᵢ² + τ̂²))
    θ̂ᵢ  = ȳ + (1 − Bᵢ)(yᵢ − ȳ)
    vᵢ  = sᵢ² (1 − (k − 1)/k · Bᵢ) + 2/(k − 3) · Bᵢ² (yᵢ − ȳ)²

With equal sᵢ = σ and τ̂² > 0 this is B = (k − 3)σ²/S, the positive-part James–Stein
estimator; vᵢ is Morris's variance, which adds the uncertainty of ȳ and of B to the naive
posterior variance so the interval θ̂ᵢ ± z·√vᵢ is not too narrow. James–Stein improves on the
raw lifts only from k ≥ 4, so fewer tests are returned unshrunk (B = 0, interval from sᵢ).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from metrics.stats.errors import StatsInputError

MIN_TESTS = 4


@dataclass(frozen=True)
class Shrunk:
    raw: float
    raw_std_error: float
    value: float
    std_error: float
    shrinkage: float  # Bᵢ: 0 keeps the raw lift, 1 replaces it by the programme's mean
    ci_lower: float
    ci_upper: float
    raw_ci_lower: float
    raw_ci_upper: float


def shrink(lifts: list[float], std_errors: list[float], alpha: float = 0.05) -> list[Shrunk]:
    """Shrink each lift towards the programme's mean; one ``Shrunk`` per input, same order."""
    if len(lifts) != len(std_errors):
        raise StatsInputError("std_errors", "needs one standard error for each lift")
    for index, se in enumerate(std_errors):
        if not (se > 0 and math.isfinite(se)):
            raise StatsInputError(f"std_errors[{index}]", "must be a positive number")
    if not 0 < alpha < 1:
        raise StatsInputError("alpha", "must be between 0 and 1")
    z = NormalDist().inv_cdf(1 - alpha / 2)
    k = len(lifts)
    if k < MIN_TESTS:
        return [_result(y, s, y, s, 0.0, z) for y, s in zip(lifts, std_errors, strict=True)]
    mean = sum(lifts) / k
    spread = sum((y - mean) ** 2 for y in lifts)
    tau2 = max(0.0, spread / (k - 1) - sum(s * s for s in std_errors) / k)
    results = []
    for y, s in zip(lifts, std_errors, strict=True):
        b = min(1.0, (k - 3) / (k - 1) * s * s / (s * s + tau2))
        value = mean + (1 - b) * (y - mean)
        variance = s * s * (1 - (k - 1) / k * b) + 2 / (k - 3) * b * b * (y - mean) ** 2
        results.append(_result(y, s, value, math.sqrt(variance), b, z))
    return results


def _result(y: float, s: float, value: float, se: float, b: float, z: float) -> Shrunk:
    return Shrunk(y, s, value, se, b, value - z * se, value + z * se, y - z * s, y + z * s)

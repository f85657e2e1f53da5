"""Properties every honest engine has, checked on random inputs with Hypothesis."""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.stats import BinomialStats, MeanStats, analyse
from metrics.stats.corrections import adjust_p_values
from metrics.stats.frequentist import absolute_difference, fixed_horizon_test
from metrics.stats.relative import relative_lift
from metrics.stats.sequential import sequential_test

SETTINGS = settings(max_examples=200, deadline=None)
ALTERNATIVES = st.sampled_from(["two-sided", "larger", "smaller"])
ALPHAS = st.sampled_from([0.01, 0.05, 0.1, 0.2])


@st.composite
def binomials(draw, min_n=2):
    n = draw(st.integers(min_n, 1_000_000))
    return BinomialStats(n, draw(st.integers(1, n - 1)))


@st.composite
def means(draw, min_n=2):
    n = draw(st.integers(min_n, 100_000))
    mean = draw(st.floats(0.5, 1000))
    sd = draw(st.floats(0.01, 1000))
    return MeanStats(n, n * mean, (n - 1) * sd**2 + n * mean**2)


ARMS = st.one_of(binomials(), means())


@SETTINGS
@given(arm=st.one_of(binomials(), means()))
def test_a_a_test_gives_p_1_and_no_lift(arm):
    for estimate in (absolute_difference(arm, arm), relative_lift(arm, arm)):
        fixed = fixed_horizon_test(estimate, 0.05, "two-sided")
        sequential = sequential_test(estimate, 2 * arm.n, 0.05, "two-sided")
        assert fixed.estimate == 0
        assert fixed.p_value == pytest.approx(1.0)
        assert sequential.p_value == pytest.approx(1.0)


@SETTINGS
@given(a=binomials(), b=binomials(), alpha=ALPHAS)
def test_swapping_arms_flips_the_sign(a, b, alpha):
    forward = fixed_horizon_test(absolute_difference(a, b), alpha, "two-sided")
    backward = fixed_horizon_test(absolute_difference(b, a), alpha, "two-sided")
    assert backward.estimate == -forward.estimate
    assert backward.ci_lower == pytest.approx(-forward.ci_upper, abs=1e-12)
    assert backward.p_value == pytest.approx(forward.p_value, rel=1e-9, abs=1e-300)


@SETTINGS
@given(a=binomials(min_n=50), b=binomials(min_n=50), k=st.integers(2, 400))
def test_scaling_counts_by_k_shrinks_the_interval_by_sqrt_k(a, b, k):
    def width(control, treatment):
        result = fixed_horizon_test(absolute_difference(control, treatment), 0.05, "two-sided")
        return result.ci_upper - result.ci_lower

    scaled = width(
        BinomialStats(a.n * k, a.conversions * k), BinomialStats(b.n * k, b.conversions * k)
    )
    assert scaled == pytest.approx(width(a, b) / math.sqrt(k), rel=1e-9)


@SETTINGS
@given(a=means(min_n=50), b=means(min_n=50), k=st.integers(2, 100))
def test_scaling_users_of_a_mean_metric_shrinks_the_interval_by_about_sqrt_k(a, b, k):
    def scale(s):
        mean, var = s.value, s.variance
        return MeanStats(s.n * k, s.n * k * mean, (s.n * k - 1) * var + s.n * k * mean**2)

    def width(control, treatment):
        result = fixed_horizon_test(absolute_difference(control, treatment), 0.05, "two-sided")
        return result.ci_upper - result.ci_lower

    # the t quantile shrinks a little too: with df ≥ 49 it is at most 2.5% above the normal one
    ratio = width(scale(a), scale(b)) * math.sqrt(k) / width(a, b)
    assert 0.97 < ratio <= 1.0 + 1e-9


@SETTINGS
@given(
    a=ARMS, b=ARMS, alpha=ALPHAS, alternative=ALTERNATIVES, tuning=st.sampled_from([100, 5000, 1e6])
)
def test_sequential_interval_contains_the_fixed_horizon_one(a, b, alpha, alternative, tuning):
    if type(a) is not type(b):
        b = a
    for estimate in (absolute_difference(a, b), relative_lift(a, b)):
        if not estimate.std_error > 0:
            continue
        fixed = fixed_horizon_test(estimate, alpha, alternative)
        sequential = sequential_test(estimate, a.n + b.n, alpha, alternative, tuning)
        assert sequential.ci_lower <= fixed.ci_lower
        assert sequential.ci_upper >= fixed.ci_upper
        assert sequential.p_value >= fixed.p_value


P_VALUES = st.lists(st.floats(0, 1), min_size=1, max_size=40)


@SETTINGS
@given(p_values=P_VALUES, correction=st.sampled_from(["holm", "bh"]))
def test_adjusted_p_values_are_never_below_the_raw_ones(p_values, correction):
    adjusted = adjust_p_values(p_values, correction)
    assert all(adj >= raw for adj, raw in zip(adjusted, p_values, strict=True))
    assert all(adj <= 1 for adj in adjusted)


@settings(max_examples=100, deadline=None)
@given(
    counts=st.lists(
        st.tuples(st.integers(2, 10**6), st.floats(0.001, 0.999)), min_size=2, max_size=4
    ),
    two_sided=st.booleans(),
    direction=st.sampled_from(["increase", "decrease"]),
    correction=st.sampled_from(["none", "holm", "bh"]),
)
def test_every_valid_input_gives_finite_json(counts, two_sided, direction, correction):
    variants = [
        {"name": f"v{i}", "n": n, "conversions": min(max(round(n * rate), 1), n - 1)}
        for i, (n, rate) in enumerate(counts)
    ]
    payload = {
        "metric_type": "binomial",
        "variants": variants,
        "two_sided": two_sided,
        "direction": direction,
        "correction": correction,
        "daily_traffic": 1000,
        "mde_relative": 0.05,
    }
    json.dumps(analyse(payload), allow_nan=False)

import math

import pytest
import scipy.stats

from metrics.stats import BinomialStats, StatsInputError
from metrics.stats.bayesian import NormalPrior, bayesian_lift
from metrics.stats.frequentist import Estimate
from metrics.stats.relative import relative_lift


def test_flat_prior_chance_to_win_is_the_normal_tail():
    # relative lift +12%, SE 6.7066534%
    result = bayesian_lift(Estimate(0.12, 0.067066534), 0.05, "increase")
    assert result.chance_to_win == pytest.approx(scipy.stats.norm.cdf(0.12 / 0.067066534), rel=1e-9)
    z = scipy.stats.norm.ppf(0.975)
    assert result.ci_lower == pytest.approx(0.12 - z * 0.067066534, rel=1e-9)


def test_expected_loss_matches_numerical_integration():
    # E[max(−L, 0)] for L ~ N(0.02, 0.05²), integrated by scipy
    result = bayesian_lift(Estimate(0.02, 0.05), 0.05, "increase")
    theirs = scipy.stats.norm(0.02, 0.05).expect(lambda x: max(-x, 0.0))
    assert result.expected_loss == pytest.approx(theirs, rel=1e-6)
    assert result.expected_loss > 0


def test_decrease_direction_flips_chance_to_win_and_loss():
    lift = Estimate(-0.08, 0.03)  # unsubscribes fell 8%
    down = bayesian_lift(lift, 0.05, "decrease")
    up = bayesian_lift(lift, 0.05, "increase")
    assert down.chance_to_win == pytest.approx(1 - up.chance_to_win)
    assert down.chance_to_win > 0.99
    assert down.expected_loss < up.expected_loss
    assert (down.ci_lower, down.ci_upper) == (up.ci_lower, up.ci_upper)


def test_normal_prior_shrinks_towards_its_mean():
    # likelihood N(0.12, 0.06²), prior N(0, 0.3²): precision 1/0.0036 + 1/0.09
    result = bayesian_lift(Estimate(0.12, 0.06), 0.05, "increase", NormalPrior(0.0, 0.3))
    precision = 1 / 0.06**2 + 1 / 0.3**2
    assert result.posterior_mean == pytest.approx(0.12 / 0.06**2 / precision)
    assert result.posterior_sd == pytest.approx(math.sqrt(1 / precision))
    assert result.posterior_mean < 0.12


def test_prior_needs_a_positive_sd():
    with pytest.raises(StatsInputError) as caught:
        NormalPrior(0.0, 0.0)
    assert caught.value.field == "sd"


def test_bayesian_uses_the_delta_method_lift():
    lift = relative_lift(BinomialStats(10_000, 500), BinomialStats(10_000, 560))
    result = bayesian_lift(lift, 0.05, "increase")
    assert result.posterior_mean == pytest.approx(0.12)
    assert result.posterior_sd == pytest.approx(lift.std_error)

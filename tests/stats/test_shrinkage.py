import math

import pytest

from metrics.stats import StatsInputError
from metrics.stats.shrinkage import shrink


def test_four_tests_shrink_as_computed_by_hand():
    # lifts 10%, 2%, -2%, 6%, each ±4%: ȳ = 4%, S = .0036+.0004+.0036+.0004 = .008
    # τ̂² = .008/3 − .0016 = .0010667; B = (1/3)·.0016/.0026667 = 0.2 (= (k−3)σ²/S = .0016/.008)
    out = shrink([0.10, 0.02, -0.02, 0.06], [0.04] * 4)
    assert [r.shrinkage for r in out] == pytest.approx([0.2] * 4)
    # θ̂ = .04 + .8·(y − .04)
    assert [r.value for r in out] == pytest.approx([0.088, 0.024, -0.008, 0.056])
    # v₁ = .0016·(1 − ¾·.2) + 2/1·.04·.06² = .00136 + .000288 = .001648
    assert out[0].std_error == pytest.approx(math.sqrt(0.001648))
    assert out[0].ci_lower == pytest.approx(0.088 - 1.959964 * math.sqrt(0.001648), abs=1e-6)
    assert out[0].raw_ci_upper == pytest.approx(0.10 + 1.959964 * 0.04, abs=1e-6)


def test_the_biggest_winner_is_pulled_down_most():
    out = shrink([0.30, 0.01, 0.0, -0.01, 0.02], [0.1] * 5)
    assert out[0].value < 0.30
    assert out[0].raw - out[0].value > max(abs(r.raw - r.value) for r in out[1:])


def test_lifts_no_more_spread_than_their_noise_all_go_to_the_mean():
    out = shrink([0.01, -0.01, 0.0, 0.005], [0.05] * 4)
    assert [r.shrinkage for r in out] == pytest.approx([1 / 3] * 4)
    # τ̂² = 0, so B = (k−3)/(k−1) = 1/3: the James–Stein factor, not a full collapse
    assert all(abs(r.value) < abs(r.raw) or r.raw == 0 for r in out)


def test_noisier_tests_shrink_more():
    out = shrink([0.20, 0.05, -0.10, 0.0, 0.15], [0.01, 0.08, 0.02, 0.02, 0.02])
    assert out[1].shrinkage > out[0].shrinkage


def test_fewer_than_four_tests_are_left_as_measured():
    out = shrink([0.1, 0.0, -0.05], [0.02, 0.03, 0.04])
    assert [r.value for r in out] == [0.1, 0.0, -0.05]
    assert [r.shrinkage for r in out] == [0.0] * 3


@pytest.mark.parametrize(
    ("lifts", "errors", "field"),
    [([0.1, 0.2], [0.1], "std_errors"), ([0.1], [0.0], "std_errors[0]")],
)
def test_bad_input_names_the_field(lifts, errors, field):
    with pytest.raises(StatsInputError) as raised:
        shrink(lifts, errors)
    assert raised.value.field == field

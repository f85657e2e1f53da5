import pytest

from metrics.stats import BinomialStats, Covariate, MeanStats, RatioStats, StatsInputError

from .raw import mean_of, ratio_of


def test_mean_and_variance_from_totals():
    # raw values: [2, 4, 4, 4, 5, 5, 7, 9]
    stats = MeanStats(n=8, sum=40, sum_squares=232)
    assert stats.value == 5
    assert stats.variance == pytest.approx(32 / 7)
    assert stats.variance_of_value == pytest.approx(32 / 7 / 8)


def test_binomial_rate_and_variance():
    # 500 of 10 000 users converted
    stats = BinomialStats(n=10_000, conversions=500)
    assert stats.value == 0.05
    assert stats.variance_of_value == pytest.approx(0.05 * 0.95 / 10_000)


def test_ratio_delta_method_variance_matches_a_hand_computation():
    # revenue per order; per user: revenue [10, 0, 30, 20], orders [1, 1, 2, 2]
    stats = ratio_of([10, 0, 30, 20], [1, 1, 2, 2])
    # R = 60/6 = 10; s²x = 500/3, s²y = 1/3, sxy = 20/3 (n − 1 = 3); ȳ = 1.5
    per_unit = (500 / 3 - 2 * 10 * 20 / 3 + 100 * 1 / 3) / 1.5**2
    assert stats.value == 10
    assert stats.variance == pytest.approx(per_unit)
    assert stats.variance_of_value == pytest.approx(per_unit / 4)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"n": 0, "conversions": 0}, "n", "must be at least 1"),
        ({"n": -5, "conversions": 0}, "n", "must not be negative"),
        ({"n": 10, "conversions": -1}, "conversions", "must not be negative"),
        ({"n": 10, "conversions": 11}, "conversions", "cannot exceed n"),
        ({"n": 10, "conversions": 0}, "conversions", "rate of exactly 0 or 1"),
        ({"n": 10, "conversions": 10}, "conversions", "rate of exactly 0 or 1"),
    ],
)
def test_degenerate_binomial_totals_name_the_field(kwargs, field, message):
    with pytest.raises(StatsInputError, match=message) as caught:
        BinomialStats(**kwargs)
    assert caught.value.field == field


def test_sum_squares_below_sum_squared_over_n_is_refused():
    # sum 40 over 8 users needs Σx² ≥ 200; 150 cannot come from real numbers
    with pytest.raises(StatsInputError, match="no set of values has these totals") as caught:
        MeanStats(n=8, sum=40, sum_squares=150)
    assert caught.value.field == "sum_squares"


def test_a_mean_needs_two_users():
    with pytest.raises(StatsInputError) as caught:
        MeanStats(n=1, sum=3, sum_squares=9)
    assert caught.value.field == "n"


def test_covariate_with_zero_variance_is_refused():
    # pre-period value 5 for every user: CUPED has nothing to regress on
    with pytest.raises(StatsInputError, match="zero variance") as caught:
        mean_of([1.0, 2.0, 4.0], pre=[5.0, 5.0, 5.0])
    assert caught.value.field == "pre_sum_squares"


def test_covariate_products_that_imply_correlation_above_one_are_refused():
    # y = x = [1, 2, 3] gives Σyx = 14 at most; 20 is impossible
    with pytest.raises(StatsInputError) as caught:
        MeanStats(3, 6, 14, Covariate(sum=6, sum_squares=14, sum_products=20))
    assert caught.value.field == "post_pre_sum_products"


def test_ratio_needs_a_positive_denominator():
    with pytest.raises(StatsInputError) as caught:
        RatioStats(3, 10, 50, 0, 0, 0)
    assert caught.value.field == "den_sum"


def test_error_message_names_the_field():
    error = StatsInputError("variants[1].n", "must be at least 1")
    assert str(error) == "variants[1].n: must be at least 1"
    assert str(error.within("payloads[0]")) == "payloads[0].variants[1].n: must be at least 1"

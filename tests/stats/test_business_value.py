"""The business case's arithmetic, worked by hand."""

import math

import pytest

from metrics.stats.value import ValueRange, annual_value, projected_value


def test_a_conversion_test_worth_its_expected_lift_for_a_year():
    # 5 % of 4,000 daily users convert = 200 orders a day; +5 % is 10 more a day,
    # 3,650 a year, at 120 SEK each = 438,000 SEK.
    assert annual_value(0.05, 4000, 0.05, 120) == pytest.approx(438_000)


def test_a_revenue_test_counts_the_margin_of_each_unit_of_revenue():
    # 300 SEK per user × 1,000 users = 300,000 SEK a day; +2 % = 6,000; a year = 2,190,000;
    # 30 % of it is margin: 657,000 SEK.
    assert annual_value(300, 1000, 0.02, 0.3) == pytest.approx(657_000)


def test_the_measured_interval_carries_into_money():
    # Same test as above (scale 0.05 × 4000 × 365 × 120 = 8,760,000 per unit of lift):
    # +4 % (+1 % to +7 %) is 350,400 (87,600 to 613,200) SEK a year.
    value = projected_value(0.05, 4000, (0.04, 0.01, 0.07), 120)
    assert value.estimate == pytest.approx(350_400)
    assert value.lower == pytest.approx(87_600)
    assert value.upper == pytest.approx(613_200)


def test_a_lift_that_may_be_negative_may_cost_money():
    value = projected_value(0.05, 4000, (0.01, -0.02, 0.04), 120)
    assert value == ValueRange(
        pytest.approx(87_600), pytest.approx(-175_200), pytest.approx(350_400)
    )


def test_an_open_interval_end_stays_open():
    value = projected_value(0.05, 4000, (0.03, 0.005, math.inf), 120)
    assert value.lower == pytest.approx(43_800)
    assert value.upper == math.inf


def test_nothing_is_worth_nothing_even_with_an_open_interval():
    assert projected_value(0.05, 4000, (0.03, -math.inf, math.inf), 0) == ValueRange(0, 0, 0)

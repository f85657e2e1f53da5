"""The engine's refusals of a metric, as the results page words them for a marketer."""

import pytest

from analysis.services.refusals import refusal_sentence
from metrics.stats import StatsInputError, analyse


def refused(variants: list[dict], metric_type: str = "binomial") -> str:
    payload = {"metric_type": metric_type, "metric_name": "Revenue", "variants": variants}
    with pytest.raises(StatsInputError) as caught:
        analyse(payload)
    return refusal_sentence(caught.value, variants=variants, metric="Revenue")


def test_a_variant_without_users_is_named():
    variants = [
        {"name": "Control", "n": 0, "conversions": 0},
        {"name": "Free shipping", "n": 500, "conversions": 40},
    ]
    assert refused(variants) == "Control has no users yet for Revenue."


def test_a_variant_with_one_user_of_a_mean_metric_says_how_many_are_needed():
    variants = [
        {"name": "Control", "n": 300, "sum": 9000.0, "sum_squares": 400000.0},
        {"name": "B", "n": 1, "sum": 30.0, "sum_squares": 900.0},
    ]
    assert refused(variants, "mean") == (
        "B has only 1 user yet for Revenue; at least 2 are needed."
    )


def test_no_conversion_yet_is_said_without_the_engine_s_words():
    variants = [
        {"name": "Control", "n": 200, "conversions": 0},
        {"name": "B", "n": 200, "conversions": 12},
    ]
    sentence = refused(variants)
    assert sentence.startswith("Either no user or every user of Control converted on Revenue")
    assert "variance" not in sentence and "conversions" not in sentence


def test_more_conversions_than_users_asks_to_check_the_data():
    variants = [
        {"name": "Control", "n": 200, "conversions": 20},
        {"name": "B", "n": 200, "conversions": 250},
    ]
    assert refused(variants) == (
        "B has more conversions than users for Revenue: check the loaded data."
    )


def test_totals_that_cannot_be_real_ask_for_the_data_again():
    variants = [
        {"name": "Control", "n": 300, "sum": 9000.0, "sum_squares": 10.0},
        {"name": "B", "n": 300, "sum": 9100.0, "sum_squares": 400000.0},
    ]
    sentence = refused(variants, "mean")
    assert sentence == (
        "The data loaded for Revenue does not add up, so it cannot be analysed: load it "
        "again, or ask an analyst to check the source."
    )

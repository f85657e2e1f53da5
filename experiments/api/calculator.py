"""The calculator's request bodies: every field of the engine's JSON interface, with its range.

The engine (metrics.stats) checks what depends on several fields (conversions above users, a
rate pushed past 100 %); these serializers document the bodies in the schema and refuse, field
by field, a value out of range before the engine sees it. Rates, lifts, α and power are
fractions here (0.05 for 5 %), as they always were in the API; the calculator page takes
percentages.
"""

from rest_framework import serializers

from metrics.stats.fields import LARGEST, LARGEST_TOTAL, LONGEST_DAYS

MOST_VARIANTS = 26


def total(help_text: str = "") -> serializers.FloatField:
    return serializers.FloatField(
        required=False, min_value=-LARGEST_TOTAL, max_value=LARGEST_TOTAL, help_text=help_text
    )


def users(help_text: str, required: bool = True) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=required, min_value=0, max_value=LARGEST, help_text=help_text
    )


def alpha() -> serializers.FloatField:
    return serializers.FloatField(
        required=False,
        min_value=0.0001,
        max_value=0.5,
        help_text="Significance level, a fraction: 0.05 (the default) for 5 %.",
    )


def power() -> serializers.FloatField:
    return serializers.FloatField(
        required=False,
        min_value=0.5,
        max_value=0.9999,
        help_text="Chance of detecting the effect if it is there, a fraction: 0.8 by default.",
    )


def daily_traffic() -> serializers.FloatField:
    return serializers.FloatField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=LARGEST,
        help_text="Users entering the test per day, all variants together.",
    )


class VariantTotalsSerializer(serializers.Serializer):
    """One variant's sufficient statistics: which ones depend on metric_type."""

    name = serializers.CharField(max_length=100)
    n = users("Users (or units) in the variant.")
    conversions = users("binomial: users who converted.", required=False)
    sum = total("mean: Σx over users.")
    sum_squares = total("mean: Σx².")
    num_sum = total("ratio: Σ numerator.")
    num_sum_squares = total("ratio: Σ numerator².")
    den_sum = total("ratio: Σ denominator.")
    den_sum_squares = total("ratio: Σ denominator².")
    num_den_sum_products = total("ratio: Σ numerator × denominator.")
    pre_sum = total("mean, CUPED: Σ of the pre-period value.")
    pre_sum_squares = total("mean, CUPED: Σ pre-period value².")
    post_pre_sum_products = total("mean, CUPED: Σ value × pre-period value.")


class PriorSerializer(serializers.Serializer):
    mean = serializers.FloatField(required=False, min_value=-1000, max_value=1000)
    sd = serializers.FloatField(min_value=0, max_value=1000, help_text="Above 0.")


class SignificanceInputSerializer(serializers.Serializer):
    """metrics.stats.analyse: one metric, two or more variants."""

    metric_type = serializers.ChoiceField(choices=["binomial", "mean", "ratio"])
    variants = serializers.ListField(
        child=VariantTotalsSerializer(), min_length=2, max_length=MOST_VARIANTS
    )
    control = serializers.CharField(
        required=False, max_length=100, help_text="Name of the control; the first by default."
    )
    expected_split = serializers.ListField(
        child=serializers.FloatField(min_value=0, max_value=LARGEST),
        required=False,
        allow_null=True,
        max_length=MOST_VARIANTS,
        help_text="Planned weights, one per variant (equal by default).",
    )
    alpha = alpha()
    two_sided = serializers.BooleanField(required=False)
    direction = serializers.ChoiceField(choices=["increase", "decrease"], required=False)
    correction = serializers.ChoiceField(choices=["none", "holm", "bh"], required=False)
    sequential_tuning_parameter = serializers.FloatField(
        required=False, min_value=0, max_value=LARGEST
    )
    bayes_prior = PriorSerializer(required=False, allow_null=True)
    role = serializers.ChoiceField(choices=["primary", "secondary", "guardrail"], required=False)
    metric_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    daily_traffic = daily_traffic()
    mde_relative = serializers.FloatField(
        required=False,
        allow_null=True,
        min_value=-1,
        max_value=1000,
        help_text="Smallest relative change worth finding, a fraction: 0.1 for +10 %.",
    )
    power = power()
    planned_days = serializers.IntegerField(required=False, min_value=1, max_value=LONGEST_DAYS)


class SampleSizeInputSerializer(serializers.Serializer):
    """metrics.stats.plan_power: users per variant and days for a planned test."""

    metric_type = serializers.ChoiceField(choices=["binomial", "mean", "ratio"])
    baseline_rate = serializers.FloatField(
        required=False,
        min_value=0,
        max_value=1,
        help_text="binomial: today's conversion rate, a fraction strictly between 0 and 1.",
    )
    baseline_mean = serializers.FloatField(
        required=False,
        min_value=-LARGEST,
        max_value=LARGEST,
        help_text="mean, ratio: today's mean.",
    )
    baseline_sd = serializers.FloatField(
        required=False, min_value=0, max_value=LARGEST, help_text="mean, ratio: its spread."
    )
    mde_relative = serializers.FloatField(
        min_value=-1,
        max_value=1000,
        help_text="Smallest relative change worth finding, a fraction: 0.1 for +10 %.",
    )
    alpha = alpha()
    power = power()
    ratio = serializers.FloatField(
        required=False, min_value=0, max_value=1000, help_text="Treatment users per control user."
    )
    two_sided = serializers.BooleanField(required=False)
    n_variants = serializers.IntegerField(required=False, min_value=2, max_value=MOST_VARIANTS)
    correction = serializers.ChoiceField(choices=["none", "bonferroni"], required=False)
    daily_traffic = daily_traffic()
    sprint_days = serializers.IntegerField(required=False, min_value=1, max_value=LONGEST_DAYS)

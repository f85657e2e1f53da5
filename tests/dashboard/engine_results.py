"""Engine results for the dashboard's tests: real ``analyse`` results from plain counts, read
back as the pages read them (``StoredResult``).

Each builder states its counts, so a test reads what a marketer would see from them.
"""

from datetime import date, timedelta

from metrics.stats import analyse
from metrics.stats.jsonio import result_from_dict

START = date(2025, 3, 3)
PLAN = {"daily_traffic": 2000, "mde_relative": 0.1}


def binomial(name, role, rates, n=20000, direction="increase", split=None, **settings):
    """One metric's stored result: `rates` per variant (control first) on `n` users each."""
    return result_from_dict(binomial_output(name, role, rates, n, direction, split, **settings))


def binomial_output(name, role, rates, n=20000, direction="increase", split=None, **settings):
    """The engine's output dict of one metric, as an analysis run stores it."""
    sizes = n if isinstance(n, list | tuple) else [n] * len(rates)
    names = ["control", "B", "C", "D"][: len(rates)]
    variants = [
        {"name": v, "n": size, "conversions": round(size * rate)}
        for v, size, rate in zip(names, sizes, rates, strict=True)
    ]
    payload = {
        "metric_type": "binomial",
        "metric_name": name,
        "role": role,
        "direction": direction,
        "variants": variants,
        **PLAN,
        **settings,
    }
    if split:
        payload["expected_split"] = split
    return analyse(payload)


def daily(name, role, rates, days=7, per_day=3000, **settings):
    """(day, output) for each of `days` days, counts growing by `per_day` users per variant."""
    return [
        (
            START + timedelta(days=d),
            binomial_output(name, role, rates, per_day * (d + 1), **settings),
        )
        for d in range(days)
    ]


def winner():
    return binomial("Order conversion", "primary", [0.05, 0.06])


def guardrail_harmed():
    return binomial("Unsubscribes", "guardrail", [0.01, 0.014], direction="decrease")


def guardrail_holding():
    return binomial("Unsubscribes", "guardrail", [0.01, 0.0101], direction="decrease")


def metric_result(days):
    """A stored-looking metric from its per-day outputs: the last day is today's answer."""
    from dashboard.charts import series_from_outputs
    from dashboard.selectors import MetricResult

    output = days[-1][1]
    return MetricResult(
        output["metric_name"],
        output["role"],
        output["metric_type"],
        result_from_dict(output),
        series=series_from_outputs(days),
    )


def experiment_results(*metrics_days, **state):
    """ExperimentResults as the selector returns them, computed an hour ago."""
    from django.utils import timezone

    from dashboard.selectors import ExperimentResults

    computed_at = timezone.now() - timedelta(hours=1)
    metrics = [metric_result(days) for days in metrics_days]
    return ExperimentResults(metrics=metrics, computed_at=computed_at, **state)


# Each state of a test, as daily outputs of its metrics (control first, then B).
STATES = {
    "winner": lambda: [
        daily("Order conversion", "primary", [0.05, 0.06], per_day=4000),
        daily("Unsubscribes", "guardrail", [0.01, 0.0101], direction="decrease"),
    ],
    "loser": lambda: [daily("Order conversion", "primary", [0.06, 0.05], per_day=4000)],
    "inconclusive": lambda: [
        daily("Order conversion", "primary", [0.05, 0.0502], days=14, per_day=6000)
    ],
    "srm": lambda: [
        daily("Order conversion", "primary", [0.05, 0.05], per_day=3000, split=[1, 1.2])
    ],
    "guardrail": lambda: [
        daily("Order conversion", "primary", [0.05, 0.06], per_day=4000),
        daily("Unsubscribes", "guardrail", [0.01, 0.014], per_day=4000, direction="decrease"),
    ],
    "too_early": lambda: [daily("Order conversion", "primary", [0.05, 0.052], days=3, per_day=500)],
}

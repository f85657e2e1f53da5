"""Engine outputs for the dashboard's tests: real ``analyse`` results from plain counts.

Each builder states its counts, so a test reads what a marketer would see from them.
"""

from datetime import date, timedelta

from metrics.stats import analyse

START = date(2025, 3, 3)
PLAN = {"daily_traffic": 2000, "mde_relative": 0.1}


def binomial(name, role, rates, n=20000, direction="increase", split=None, **settings):
    """One metric: `rates` per variant (control first) on `n` users each (or `n` per variant)."""
    sizes = n if isinstance(n, list | tuple) else [n] * len(rates)
    names = ["control", "B", "C", "D"][: len(rates)]
    variants = [
        {"name": v, "n": size, "conversions": round(size * rate)}
        for v, size, rate in zip(names, sizes, rates, strict=True)
    ]
    payload = {"metric_type": "binomial", "metric_name": name, "role": role,
               "direction": direction, "variants": variants, **PLAN, **settings}  # fmt: skip
    if split:
        payload["expected_split"] = split
    return analyse(payload)


def daily(name, role, rates, days=7, per_day=3000, **settings):
    """(day, output) for each of `days` days, counts growing by `per_day` users per variant."""
    return [
        (START + timedelta(days=d), binomial(name, role, rates, n=per_day * (d + 1), **settings))
        for d in range(days)
    ]


def winner():
    return binomial("Order conversion", "primary", [0.05, 0.06])


def guardrail_harmed():
    return binomial("Unsubscribes", "guardrail", [0.01, 0.014], direction="decrease")


def guardrail_holding():
    return binomial("Unsubscribes", "guardrail", [0.01, 0.0101], direction="decrease")

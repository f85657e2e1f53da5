"""Time one experiment's full analysis: 3 variants × 10 metrics × 21 daily cumulative looks.

Every look runs every method (fixed horizon, relative, sequential, CUPED, Bayesian), SRM, the
health checks, the verdicts and a Holm correction across treatments × metrics, through the same
``analyse_many`` the app calls. Run: ``.venv/bin/python benchmarks/stats_bench.py``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metrics.stats import analyse_many

VARIANTS, METRICS, DAYS, REPEATS = 3, 10, 21, 7
USERS_PER_DAY = 3000  # per variant


def binomial_variant(name: str, n: int, rate: float) -> dict:
    return {"name": name, "n": n, "conversions": round(n * rate)}


def mean_variant(name: str, n: int, mean: float) -> dict:
    sd, pre_mean, pre_sd, corr = 3 * mean, 0.95 * mean, 3 * mean, 0.6
    return {
        "name": name,
        "n": n,
        "sum": n * mean,
        "sum_squares": (n - 1) * sd**2 + n * mean**2,
        "pre_sum": n * pre_mean,
        "pre_sum_squares": (n - 1) * pre_sd**2 + n * pre_mean**2,
        "post_pre_sum_products": (n - 1) * corr * sd * pre_sd + n * mean * pre_mean,
    }


def ratio_variant(name: str, n: int, value: float) -> dict:
    orders, spend = 1.5, 1.5 * value  # per user: orders and revenue
    return {
        "name": name,
        "n": n,
        "num_sum": n * spend,
        "num_sum_squares": n * (spend**2 + (2 * spend) ** 2),
        "den_sum": n * orders,
        "den_sum_squares": n * (orders**2 + 1.0),
        "num_den_sum_products": n * (spend * orders + 0.5 * 2 * spend),
    }


KINDS = (("binomial", binomial_variant, 0.05), ("mean", mean_variant, 12.0))
KINDS += (("ratio", ratio_variant, 40.0),)


def metric_payload(metric: int, day: int) -> dict:
    kind, variant, base = KINDS[metric % len(KINDS)]
    n = USERS_PER_DAY * day
    variants = [variant(f"v{i}", n + 7 * i * day, base * (1 + 0.02 * i)) for i in range(VARIANTS)]
    return {
        "metric_type": kind,
        "metric_name": f"metric {metric}",
        "role": "guardrail" if metric == METRICS - 1 else "primary",
        "variants": variants,
        "bayes_prior": {"mean": 0, "sd": 0.3} if metric % 2 else None,
        "daily_traffic": VARIANTS * USERS_PER_DAY,
        "mde_relative": 0.05,
    }


def looks() -> list[list[dict]]:
    return [[metric_payload(m, day) for m in range(METRICS)] for day in range(1, DAYS + 1)]


def run_once(all_looks: list[list[dict]]) -> float:
    start = time.perf_counter()
    for payloads in all_looks:
        analyse_many(payloads, correction="holm")
    return time.perf_counter() - start


def main() -> None:
    all_looks = looks()
    run_once(all_looks)  # warm imports and caches
    best = min(run_once(all_looks) for _ in range(REPEATS))
    analyses = DAYS * METRICS
    print(
        f"{VARIANTS} variants x {METRICS} metrics x {DAYS} looks = {analyses} analyses, "
        f"{analyses * (VARIANTS - 1)} comparisons: best of {REPEATS} = {best:.3f} s "
        f"({os.cpu_count()} cores, Python {sys.version.split()[0]})"
    )


if __name__ == "__main__":
    main()

"""Plain per-user rows for ingestion tests, and their statistics computed independently."""

import csv
import io
import random
from collections import defaultdict
from datetime import date, timedelta

import numpy as np

HEADER = ["user_id", "group", "day", "converted", "revenue", "orders", "pre_revenue"]


def user_rows(count: int = 400, seed: int = 7) -> list[list]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        converted = int(rng.random() < 0.3)
        orders = rng.randint(1, 4)
        rows.append(
            [
                f"u{i}",
                rng.choice(["A", "B"]),
                (date(2024, 3, 1) + timedelta(days=i % 3)).isoformat(),
                converted,
                round(rng.uniform(0, 80), 2) * converted,
                orders,
                round(rng.uniform(0, 60), 2),
            ]
        )
    return rows


def csv_bytes(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def expected_totals(rows) -> dict:
    """{(variant, day): {...}} with numpy over the same rows, independent of polars."""
    groups = defaultdict(list)
    for row in rows:
        groups[(row[1], date.fromisoformat(row[2]))].append(row)
    result = {}
    for key, members in groups.items():
        conv, rev, orders, pre = (np.array([float(r[i]) for r in members]) for i in (3, 4, 5, 6))
        result[key] = {
            "n": len(members),
            "conv_sum": conv.sum(),
            "conv_sum_squares": np.dot(conv, conv),
            "rev_sum": rev.sum(),
            "rev_sum_squares": np.dot(rev, rev),
            "pre_sum": pre.sum(),
            "pre_sum_squares": np.dot(pre, pre),
            "post_pre": np.dot(rev, pre),
            "orders_sum": orders.sum(),
            "orders_sum_squares": np.dot(orders, orders),
            "rev_orders": np.dot(rev, orders),
        }
    return result


STATISTICS = (
    "n",
    "sum",
    "sum_squares",
    "den_sum",
    "den_sum_squares",
    "num_den_sum_products",
    "pre_sum",
    "pre_sum_squares",
    "post_pre_sum_products",
)


def expected_cohorts(rows) -> dict:
    """{(metric, variant, day): statistics} stored from these rows under FULL_MAPPING.

    FULL_MAPPING (tests/ingestion/conftest.py) reads conversion from `converted`, revenue with
    `pre_revenue` as its CUPED covariate, and revenue per order; None where a metric has no such
    total.
    """
    result = {}
    for (variant, day), totals in expected_totals(rows).items():
        t = {name: float(value) for name, value in totals.items()}
        empty = dict.fromkeys(STATISTICS)
        result[("Order conversion", variant, day)] = {
            **empty,
            "n": totals["n"],
            "sum": t["conv_sum"],
            "sum_squares": t["conv_sum_squares"],
        }
        result[("Revenue", variant, day)] = {
            **empty,
            "n": totals["n"],
            "sum": t["rev_sum"],
            "sum_squares": t["rev_sum_squares"],
            "pre_sum": t["pre_sum"],
            "pre_sum_squares": t["pre_sum_squares"],
            "post_pre_sum_products": t["post_pre"],
        }
        result[("Revenue per order", variant, day)] = {
            **empty,
            "n": totals["n"],
            "sum": t["rev_sum"],
            "sum_squares": t["rev_sum_squares"],
            "den_sum": t["orders_sum"],
            "den_sum_squares": t["orders_sum_squares"],
            "num_den_sum_products": t["rev_orders"],
        }
    return result

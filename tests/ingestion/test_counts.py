"""Pre-aggregated counts (exports, typed-in tests, pipeline pushes) checked cell by cell."""

from datetime import date

import pytest

from metrics.ingestion.counts import reduce_counts, reduce_counts_file
from metrics.ingestion.problems import RejectedData

METRICS = {"orders": "binomial", "revenue": "mean"}


def counts(rows, metrics=METRICS):
    return reduce_counts(rows, metrics=metrics, known_variants=["A", "B"]).cohorts


def orders(variant, users, conversions, day="2024-03-01"):
    return {
        "metric": "orders",
        "variant": variant,
        "date": day,
        "users": users,
        "conversions": conversions,
    }


def test_users_and_conversions_per_variant_and_day():
    totals = counts([orders("A", "1000", "50"), orders("B", 990, 61)])
    assert [(t.variant, t.exposure_date, t.n, t.sum, t.sum_squares) for t in totals] == [
        ("A", date(2024, 3, 1), 1000, 50, 50),  # 0/1 values: Σx² = Σx
        ("B", date(2024, 3, 1), 990, 61, 61),
    ]


def test_users_sum_and_squares_without_a_day():
    (total,) = counts(
        [{"metric": "revenue", "variant": "B", "users": "4", "sum": "10", "sum_squares": "30"}]
    )
    assert (total.exposure_date, total.n, total.sum, total.sum_squares) == (None, 4, 10.0, 30.0)


def test_each_bad_cell_is_named():
    with pytest.raises(RejectedData) as caught:
        counts(
            [
                {"metric": "orders", "variant": "A", "users": "1,000", "conversions": "5"},
                {"metric": "orders", "variant": "C", "users": "10", "conversions": "11"},
                {
                    "metric": "revenue",
                    "variant": "A",
                    "users": "4",
                    "sum": "10",
                    "sum_squares": "20",
                },
                {"metric": "clicks", "variant": "A", "users": "4"},
            ]
        )
    assert [str(p) for p in caught.value.problems] == [
        "data row 1, column `users`: '1,000' is not a whole number of at least 0",
        "data row 2, column `variant`: unknown variant 'C' (1 rows, first in data row 2); "
        "the experiment's variants are 'A', 'B'",
        "data row 3, column `sum_squares`: is smaller than sum²/users: "
        "no set of values has these totals",
        "data row 4, column `metric`: unknown metric 'clicks'; this experiment's metrics are "
        "'orders', 'revenue'",
    ]


def test_more_conversions_than_users_and_a_repeated_day():
    with pytest.raises(RejectedData) as caught:
        counts([orders("A", 5, 6), orders("B", 5, 1), orders("B", 5, 2)])
    assert [str(p) for p in caught.value.problems] == [
        "data row 1, column `conversions`: 6 conversions is more than the 5 users",
        "data row 3, column `variant`: variant 'B' on 2024-03-01 for this metric already appeared "
        "in data row 2",
    ]


def test_counts_file_needs_its_columns(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("variant,users\nA,10\n")
    with pytest.raises(RejectedData) as caught:
        reduce_counts_file(
            path, metric="orders", kind="binomial", known_variants=["A"], work_dir=tmp_path
        )
    assert str(caught.value) == (
        "no column for conversions was found or picked; the file's columns are "
        "`variant`, `users`. Pick the column that holds conversions"
    )


def test_counts_file_rows_are_numbered_like_a_spreadsheet(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("variant,date,users,conversions\nA,2024-03-01,10,3\nB,2024-03-01,ten,3\n")
    with pytest.raises(RejectedData, match=r"data row 2, column `users`: 'ten' is not a whole"):
        reduce_counts_file(
            path, metric="orders", kind="binomial", known_variants=["A", "B"], work_dir=tmp_path
        )

"""A ratio metric's pre-period (CUPED) from a per-user file: mapped, reduced, stored, analysed."""

from datetime import date

import numpy as np
import pytest
import sqlalchemy as sa
from django.core.exceptions import ValidationError
from django.core.management import CommandError

from metrics.ingestion.mapping import mapping_from_json
from metrics.ingestion.parse import Mapping, MetricColumns, reduce_file
from metrics.ingestion.problems import RejectedData
from metrics.ingestion.sql import pull
from metrics.models import OutcomeCohort
from metrics.stats import RatioCovariate, RatioStats
from metrics.stats.cuped import cuped_estimates
from tests.ingestion.rows import csv_bytes
from tests.ingestion.test_command import run as run_command
from tests.ingestion.test_load import load_csv
from tests.ingestion.test_pages import signed_in, upload
from tests.ingestion.test_push import push
from tests.ingestion.test_sql import database_url

pytestmark = pytest.mark.django_db

HEADER = ["user_id", "group", "day", "revenue", "orders", "pre_revenue", "pre_orders"]
RATIO_MAPPING = {
    "user": "user_id",
    "variant": "group",
    "date": "day",
    "metrics": {
        "Revenue per order": {
            "column": "revenue",
            "denominator": "orders",
            "pre": "pre_revenue",
            "pre_denominator": "pre_orders",
        },
    },
}
# The stored column of each total, and how to compute it from (x, y, x₀, y₀) = the rows'
# revenue, orders, pre-period revenue and pre-period orders.
STORED = {
    "n": lambda x, y, x0, y0: len(x),
    "sum": lambda x, y, x0, y0: x.sum(),
    "sum_squares": lambda x, y, x0, y0: x @ x,
    "den_sum": lambda x, y, x0, y0: y.sum(),
    "den_sum_squares": lambda x, y, x0, y0: y @ y,
    "num_den_sum_products": lambda x, y, x0, y0: x @ y,
    "pre_sum": lambda x, y, x0, y0: x0.sum(),
    "pre_sum_squares": lambda x, y, x0, y0: x0 @ x0,
    "pre_den_sum": lambda x, y, x0, y0: y0.sum(),
    "pre_den_sum_squares": lambda x, y, x0, y0: y0 @ y0,
    "pre_num_den_sum_products": lambda x, y, x0, y0: x0 @ y0,
    "post_pre_sum_products": lambda x, y, x0, y0: x @ x0,
    "post_pre_den_sum_products": lambda x, y, x0, y0: y @ y0,
    "num_pre_den_sum_products": lambda x, y, x0, y0: x @ y0,
    "den_pre_num_sum_products": lambda x, y, x0, y0: y @ x0,
}


def order_rows(count=300, seed=11):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(count):
        pre_orders = int(rng.integers(1, 5))
        orders = max(1, pre_orders + int(rng.integers(-1, 2)))
        pre_revenue = round(pre_orders * float(rng.gamma(2, 15)), 2)
        revenue = round(max(0.0, 0.7 * pre_revenue / pre_orders * orders + rng.normal(0, 8)), 2)
        group = "A" if i % 2 else "B"
        rows.append([f"u{i}", group, "2024-03-01", revenue, orders, pre_revenue, pre_orders])
    return rows


def expected(rows, group):
    members = [r for r in rows if r[1] == group]
    x, y, x0, y0 = (np.array([float(r[i]) for r in members]) for i in (3, 4, 5, 6))
    return {name: total(x, y, x0, y0) for name, total in STORED.items()}


def test_a_file_is_reduced_to_the_ratio_pre_period_totals(tmp_path):
    rows = order_rows()
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_bytes(rows, HEADER))
    metric = MetricColumns(
        key="rpo",
        kind="ratio",
        column="revenue",
        denominator="orders",
        pre="pre_revenue",
        pre_denominator="pre_orders",
    )
    reduction = reduce_file(path, Mapping("user_id", "group", "day", (metric,)), ["A", "B"])
    for cohort in reduction.cohorts:
        for name, value in expected(rows, cohort.variant).items():
            assert getattr(cohort, name) == pytest.approx(value, rel=1e-12), name


def test_an_uploaded_file_stores_the_pre_period_and_cuped_reads_it(
    outcome_experiment, people, django_capture_on_commit_callbacks
):
    rows = order_rows()
    load = load_csv(
        outcome_experiment,
        people.owner,
        csv_bytes(rows, HEADER),
        django_capture_on_commit_callbacks,
        mapping=RATIO_MAPPING,
    )
    assert load.status == "succeeded", load.error
    stored = {
        c.variant.name: c
        for c in OutcomeCohort.objects.filter(experiment=outcome_experiment).select_related(
            "variant"
        )
    }
    assert {c.exposure_date for c in stored.values()} == {date(2024, 3, 1)}
    for group in ("A", "B"):
        for name, value in expected(rows, group).items():
            assert getattr(stored[group], name) == pytest.approx(value, rel=1e-12), name
    arms = [
        RatioStats(
            *(expected(rows, g)[k] for k in list(STORED)[:6]),
            covariate=RatioCovariate(*(expected(rows, g)[k] for k in list(STORED)[6:])),
        )
        for g in ("A", "B")
    ]
    assert 0 < cuped_estimates(*arms).variance_reduction < 1


@pytest.mark.parametrize("given", ["pre", "pre_denominator"])
def test_half_a_ratio_pre_period_is_refused_naming_the_other_half(outcome_experiment, given):
    columns = {"column": "revenue", "denominator": "orders", given: "pre_x"}
    data = {**RATIO_MAPPING, "metrics": {"Revenue per order": columns}}
    with pytest.raises(ValidationError) as caught:
        mapping_from_json(outcome_experiment, data)
    missing = "denominator" if given == "pre" else "numerator"
    assert f"the pre-period {missing} of Revenue per order" in caught.value.messages[0]


def pushed_day(rows, group):
    """One pushed aggregate of revenue per order, in the push's field names."""
    totals = expected(rows, group)
    users = totals.pop("n")
    return {
        "date": "2024-03-01",
        "variant": group,
        "metric": "Revenue per order",
        "users": users,
        **totals,
    }


def test_a_pushed_ratio_pre_period_is_stored(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    rows = order_rows()
    aggregates = [pushed_day(rows, "A"), pushed_day(rows, "B")]
    response = push(
        client, outcome_experiment, aggregates, django_capture_on_commit_callbacks, people.owner
    )
    assert response.status_code == 202
    cohort = OutcomeCohort.objects.get(experiment=outcome_experiment, variant__name="B")
    for name, value in expected(rows, "B").items():
        assert getattr(cohort, name) == pytest.approx(value, rel=1e-12), name


def test_a_push_with_half_a_ratio_pre_period_is_a_400_naming_the_missing_total(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    rows = order_rows()
    partial = pushed_day(rows, "B")
    del partial["pre_den_sum"]
    response = push(
        client,
        outcome_experiment,
        [pushed_day(rows, "A"), partial],
        django_capture_on_commit_callbacks,
        people.owner,
    )
    assert response.status_code == 400
    assert [e["text"] for e in response.json()["errors"]] == [
        "data row 2, column `pre_den_sum`: is empty"
    ]
    assert not OutcomeCohort.objects.filter(experiment=outcome_experiment).exists()


def test_a_pushed_pre_period_denominator_squares_below_its_sum_is_refused(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    rows = order_rows()
    impossible = {**pushed_day(rows, "A"), "pre_den_sum_squares": 1.0}
    response = push(
        client,
        outcome_experiment,
        [impossible, pushed_day(rows, "B")],
        django_capture_on_commit_callbacks,
        people.owner,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["text"].startswith(
        "data row 1, column `pre_den_sum_squares`: is smaller than sum²/users"
    )


@pytest.fixture
def order_warehouse():
    """The per-user order rows as a committed table any connection sees."""
    rows = order_rows()
    engine = sa.create_engine(database_url())
    with engine.begin() as db:
        db.execute(sa.text("DROP TABLE IF EXISTS sql_orders"))
        db.execute(
            sa.text(
                "CREATE TABLE sql_orders (user_id text, grp text, day date, revenue float,"
                " orders int, pre_revenue float, pre_orders int)"
            )
        )
        db.execute(
            sa.text("INSERT INTO sql_orders VALUES (:u, :g, :d, :r, :o, :p, :q)"),
            [dict(zip("ugdropq", row, strict=True)) for row in rows],
        )
    yield rows
    with engine.begin() as db:
        db.execute(sa.text("DROP TABLE IF EXISTS sql_orders"))
    engine.dispose()


SQL_METRIC = MetricColumns(
    key="Revenue per order",
    kind="ratio",
    column="revenue",
    denominator="orders",
    pre="pre_revenue",
    pre_denominator="pre_orders",
)
SQL_ORDERS = Mapping("user_id", "grp", "day", (SQL_METRIC,))


def test_the_sql_push_down_sums_the_ratio_pre_period(order_warehouse):
    query = "SELECT * FROM sql_orders"
    cohorts = {c.variant: c for c in pull(database_url(), query, SQL_ORDERS, ["A", "B"]).cohorts}
    for group in ("A", "B"):
        for name, value in expected(order_warehouse, group).items():
            assert getattr(cohorts[group], name) == pytest.approx(value, rel=1e-12), name


def test_a_pre_period_missing_for_one_arm_in_sql_is_refused(order_warehouse):
    query = (
        "SELECT user_id, grp, day, revenue, orders, pre_revenue,"
        " CASE WHEN grp = 'B' THEN NULL ELSE pre_orders END AS pre_orders FROM sql_orders"
    )
    with pytest.raises(RejectedData) as caught:
        pull(database_url(), query, SQL_ORDERS, ["A", "B"])
    assert [str(p) for p in caught.value.problems] == ["150 rows have no value"]


CLI_MAPS = [
    "user=user_id",
    "variant=group",
    "date=day",
    "Revenue per order=revenue",
    "Revenue per order.denominator=orders",
    "Revenue per order.pre=pre_revenue",
    "Revenue per order.pre_denominator=pre_orders",
]


@pytest.mark.django_db(transaction=True)  # the command commits, like in production
def test_the_command_line_loads_the_ratio_pre_period(outcome_experiment, tmp_path):
    rows = order_rows()
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_bytes(rows, HEADER))
    run_command(outcome_experiment, path, CLI_MAPS)
    cohort = OutcomeCohort.objects.get(experiment=outcome_experiment, variant__name="A")
    for name, value in expected(rows, "A").items():
        assert getattr(cohort, name) == pytest.approx(value, rel=1e-12), name


@pytest.mark.django_db(transaction=True)
def test_the_command_line_refuses_half_a_ratio_pre_period(outcome_experiment, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_bytes(order_rows(), HEADER))
    with pytest.raises(CommandError, match="the pre-period denominator of Revenue per order"):
        run_command(outcome_experiment, path, CLI_MAPS[:-1])
    assert not OutcomeCohort.objects.exists()


def test_the_mapping_page_offers_and_stores_the_ratio_pre_period(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    signed_in(client, people.owner)
    rows = order_rows(40)
    response = upload(client, outcome_experiment, csv_bytes(rows, HEADER))
    page = client.get(response.url).content.decode()
    assert "Revenue per order: pre-period denominator (CUPED, optional)" in page
    posted = {
        "user": "user_id",
        "variant": "group",
        "date": "day",
        "m2_column": "revenue",
        "m2_denominator": "orders",
        "m2_pre": "pre_revenue",
        "m2_pre_denominator": "pre_orders",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, posted)
    cohort = OutcomeCohort.objects.get(experiment=outcome_experiment, variant__name="B")
    assert cohort.pre_den_sum == pytest.approx(expected(rows, "B")["pre_den_sum"])
    half = client.post(
        upload(client, outcome_experiment, csv_bytes(rows, HEADER)).url,
        {**posted, "m2_pre_denominator": ""},
    )
    assert half.status_code == 400
    assert "Pick the column for the pre-period denominator of Revenue per order." in (
        half.content.decode()
    )

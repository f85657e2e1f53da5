"""The other outcome sources through PostgreSQL, Redis and a real `celery worker` (not eager):
a tracking pipeline's push, counts typed in or uploaded as a file, a SQL data source's
"refresh now", and `manage.py load_outcomes` run as its own process.

Each test computes the statistics it expects from per-user rows with numpy
(tests/ingestion/rows.py), independently of the product's reducers, and compares them with
the rows the worker stored.
"""

import csv
import html
import io
import secrets
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa
from django.db import connection
from django.urls import resolve, reverse
from django.utils import timezone

from experiments.models import Experiment
from metrics.ingestion.sources import data_source_save, experiment_query_save
from metrics.models import DataLoad, DataSource, OutcomeCohort
from tests.api.conftest import token_client
from tests.ingestion.conftest import FULL_MAPPING
from tests.ingestion.rows import csv_bytes, expected_cohorts, user_rows
from tests.ingestion.test_command import MAPS
from tests.ingestion.test_pages import signed_in
from tests.integration.conftest import ROOT, WAIT_SECONDS, assert_stored, finished

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

FIRST_DAY = date(2024, 3, 1)  # user_rows() spreads users over 2024-03-01 .. 03
METRICS = 3  # the outcome experiment's conversion, revenue and revenue per order
UNKNOWN_C = (
    "unknown variant 'C' (1 rows, first in data row {row}); the experiment's variants are 'A', 'B'"
)


def load_behind(response) -> DataLoad:
    """The load a page redirected to (its progress page)."""
    assert response.status_code == 302, response.content.decode()[:2000]
    match = resolve(response.url)
    assert match.view_name == "metrics:load_detail"
    return DataLoad.objects.get(pk=match.kwargs["pk"])


# --- Push from a tracking pipeline ------------------------------------------------------------


def aggregates(expected: dict) -> list[dict]:
    """What a pipeline that summed the rows itself pushes: one item per metric, variant and day."""
    items = []
    for (metric, variant, day), statistics in expected.items():
        totals = {k: v for k, v in statistics.items() if v is not None and k != "n"}
        if metric == "Order conversion":
            totals = {"conversions": int(totals["sum"])}
        items.append(
            {
                "date": day.isoformat(),
                "variant": variant,
                "metric": metric,
                "users": statistics["n"],
                **totals,
            }
        )
    return items


def push(client, experiment, items):
    url = f"/api/v1/experiments/{experiment.pk}/aggregates/"
    return client.post(url, {"aggregates": items}, format="json")


def pushed(client, experiment, items, worker) -> DataLoad:
    response = push(client, experiment, items)
    assert response.status_code == 202, response.json()
    return finished(DataLoad.objects.get(pk=response.json()["id"]), worker)


def test_a_push_is_stored_and_a_re_push_of_a_day_replaces_that_day(
    worker, people, outcome_experiment
):
    client = token_client(people.owner)
    expected = expected_cohorts(user_rows(600))
    load = pushed(client, outcome_experiment, aggregates(expected), worker)
    assert (load.kind, load.status, load.cohorts_written) == ("push", "succeeded", len(expected))
    assert_stored(outcome_experiment, expected, source="push")

    again = pushed(client, outcome_experiment, aggregates(expected), worker)
    assert (again.status, again.pk != load.pk) == ("succeeded", True)
    assert_stored(outcome_experiment, expected, source="push")

    # The pipeline corrects its first day: that day is replaced, the other two stay.
    corrected = {
        key: statistics
        for key, statistics in expected_cohorts(user_rows(600, seed=8)).items()
        if key[2] == FIRST_DAY
    }
    pushed(client, outcome_experiment, aggregates(corrected), worker)
    assert_stored(outcome_experiment, {**expected, **corrected}, source="push")


def test_a_push_naming_an_unknown_variant_is_a_400_and_writes_nothing(
    worker, people, outcome_experiment
):
    items = aggregates(expected_cohorts(user_rows(100)))
    items[3]["variant"] = "C"
    response = push(token_client(people.owner), outcome_experiment, items)
    assert response.status_code == 400
    assert [e["text"] for e in response.json()["errors"]] == [
        "data row 4, column `variant`: " + UNKNOWN_C.format(row=4)
    ]
    assert not DataLoad.objects.exists()
    assert not OutcomeCohort.objects.exists()


# --- Pre-aggregated counts: typed in, or an export file ---------------------------------------


def typed_counts(expected: dict, metric: str, day: date) -> dict:
    """The counts form as a marketer fills it in; its first variant is the control, A."""
    data = {"metric": metric, "date": day.isoformat()}
    for index, variant in enumerate(("A", "B")):
        statistics = expected[(metric, variant, day)]
        data[f"v{index}_users"] = statistics["n"]
        if metric == "Order conversion":
            data[f"v{index}_conversions"] = int(statistics["sum"])
        else:
            data[f"v{index}_sum"] = statistics["sum"]
            data[f"v{index}_sum_squares"] = statistics["sum_squares"]
    return data


def test_counts_typed_in_are_stored_by_the_worker(worker, client, people, outcome_experiment):
    everything = expected_cohorts(user_rows(300))
    url = reverse("experiment:outcome_counts", args=[outcome_experiment.pk])
    signed_in(client, people.owner)
    for metric in ("Order conversion", "Revenue"):
        page = client.post(url, typed_counts(everything, metric, FIRST_DAY))
        load = finished(load_behind(page), worker)
        assert (load.kind, load.status, load.cohorts_written) == ("counts", "succeeded", 2)
    no_covariate = dict.fromkeys(("pre_sum", "pre_sum_squares", "post_pre_sum_products"))
    expected = {
        key: {**statistics, **no_covariate}
        for key, statistics in everything.items()
        if key[0] in ("Order conversion", "Revenue") and key[2] == FIRST_DAY
    }
    assert_stored(outcome_experiment, expected, source="counts")
    detail = client.get(reverse("metrics:load_detail", args=[load.pk]))
    assert "2 rows of counts, 2 variants, 1 exposure day: 2 totals stored" in (
        detail.content.decode()
    )


def revenue_export(expected: dict) -> bytes:
    """An analytics tool's export of revenue per variant and day, with the CUPED totals."""
    columns = ["sum", "sum_squares", "pre_sum", "pre_sum_squares", "post_pre_sum_products"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["variant", "date", "users", *columns])
    for (_, variant, day), statistics in expected.items():
        writer.writerow(
            [
                variant,
                day.isoformat(),
                statistics["n"],
                *(repr(statistics[name]) for name in columns),
            ]
        )
    return out.getvalue().encode()


def test_a_counts_file_is_stored_by_the_worker_and_a_second_upload_changes_nothing(
    worker, client, people, outcome_experiment
):
    expected = {k: v for k, v in expected_cohorts(user_rows(600)).items() if k[0] == "Revenue"}
    url = reverse("experiment:outcome_counts_file", args=[outcome_experiment.pk])
    signed_in(client, people.owner)

    def upload():
        export = io.BytesIO(revenue_export(expected))
        export.name = "revenue.csv"
        return finished(
            load_behind(client.post(url, {"metric": "Revenue", "file": export})), worker
        )

    load = upload()
    assert (load.kind, load.status, load.original_name) == ("counts", "succeeded", "revenue.csv")
    assert load.cohorts_written == len(expected) == 6  # variants x days
    assert_stored(outcome_experiment, expected, source="counts")
    again = upload()
    assert (again.status, again.pk != load.pk) == ("succeeded", True)
    assert_stored(outcome_experiment, expected, source="counts")


# --- A SQL data source: the test database as the warehouse ------------------------------------

TABLE = "worker_outcomes"
QUERY = f"SELECT user_id, grp, day, converted, revenue, orders, pre_revenue FROM {TABLE}"
SQL_MAPPING = {**FULL_MAPPING, "variant": "grp"}


def warehouse_url(username: str, password: str) -> str:
    conf = connection.settings_dict
    return sa.URL.create(
        "postgresql+psycopg",
        username=username,
        password=password,
        host=conf["HOST"] or "127.0.0.1",
        port=conf["PORT"] or 5432,
        database=conf["NAME"],
    ).render_as_string(hide_password=False)


@dataclass
class Warehouse:
    rows: list[list]
    reader: str  # a read-only account, as an analyst would connect with
    password: str
    owner: sa.Engine  # the test database's owner, to change grants behind the reader's back

    @property
    def url(self) -> str:
        return warehouse_url(self.reader, self.password)


@pytest.fixture
def warehouse():
    """A committed table of per-user rows, and a reader account with its own password."""
    conf = connection.settings_dict
    owner = sa.create_engine(warehouse_url(conf["USER"], conf["PASSWORD"]))
    reader, password = f"growthlab_reader_{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(16)
    rows = user_rows(300)
    with owner.begin() as db:
        db.execute(
            sa.text(
                f"CREATE TABLE {TABLE} (user_id text, grp text, day date, converted int,"
                " revenue float, orders int, pre_revenue float)"
            )
        )
        db.execute(
            sa.text(f"INSERT INTO {TABLE} VALUES (:u, :g, :d, :c, :r, :o, :p)"),
            [dict(zip("ugdcrop", row, strict=True)) for row in rows],
        )
        db.execute(sa.text(f"CREATE ROLE {reader} LOGIN PASSWORD '{password}'"))
        db.execute(sa.text(f"GRANT SELECT ON {TABLE} TO {reader}"))
    yield Warehouse(rows, reader, password, owner)
    with owner.begin() as db:
        db.execute(sa.text(f"DROP TABLE {TABLE}"))
        db.execute(sa.text(f"DROP ROLE {reader}"))
    owner.dispose()


@pytest.fixture
def running_with_sql_source(people, outcome_experiment, warehouse) -> Experiment:
    source = data_source_save(
        source=DataSource(name="Warehouse", team=people.team),
        url=warehouse.url,
        user=people.analyst,
    )
    experiment_query_save(
        experiment=outcome_experiment,
        source=source,
        query=QUERY,
        mapping=SQL_MAPPING,
        user=people.analyst,
    )
    Experiment.objects.filter(pk=outcome_experiment.pk).update(
        status=Experiment.Status.RUNNING, started_at=timezone.now()
    )
    return outcome_experiment


def refresh_now(client, experiment, worker) -> DataLoad:
    url = reverse("experiment:outcome_sql_refresh", args=[experiment.pk])
    return finished(load_behind(client.post(url)), worker)


def test_refresh_now_stores_the_statistics_of_the_warehouse_rows(
    worker, client, people, warehouse, running_with_sql_source
):
    signed_in(client, people.owner)
    load = refresh_now(client, running_with_sql_source, worker)
    assert (load.kind, load.status, load.rows_read) == ("sql", "succeeded", len(warehouse.rows))
    # Each row the warehouse sends back is one variant and day, and becomes one cohort per
    # metric: so variants x days rows travelled, not one per user.
    variants_x_days = len({(row[1], row[2]) for row in warehouse.rows})
    assert load.cohorts_written == METRICS * variants_x_days == METRICS * 6
    expected = expected_cohorts(warehouse.rows)
    assert_stored(running_with_sql_source, expected, source="sql")

    again = refresh_now(client, running_with_sql_source, worker)
    assert (again.status, again.pk != load.pk) == ("succeeded", True)
    assert_stored(running_with_sql_source, expected, source="sql")


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        # The warehouse's owner takes the table away from the reader: the query fails.
        ("REVOKE SELECT ON {table} FROM {reader}", f"permission denied for table {TABLE}"),
        # The reader's password is rotated: the connection fails, naming the user.
        (
            "ALTER ROLE {reader} PASSWORD 'rotated-by-the-dba'",
            'password authentication failed for user "***"',
        ),
    ],
    ids=["table revoked", "password rotated"],
)
def test_a_failing_pull_shows_the_database_s_error_without_credentials_and_keeps_the_statistics(
    worker, client, people, warehouse, running_with_sql_source, breakage, message
):
    signed_in(client, people.owner)
    assert refresh_now(client, running_with_sql_source, worker).status == "succeeded"
    with warehouse.owner.begin() as db:
        db.execute(sa.text(breakage.format(table=TABLE, reader=warehouse.reader)))

    load = refresh_now(client, running_with_sql_source, worker)
    assert load.status == "failed"
    [error] = [e["text"] for e in load.errors]
    assert error.startswith("The query failed: ") and error.endswith(message)
    assert_stored(running_with_sql_source, expected_cohorts(warehouse.rows), source="sql")
    page = client.get(reverse("metrics:load_detail", args=[load.pk])).content.decode()
    assert html.escape(error) in page
    progress = client.get(reverse("metrics:load_status", args=[load.pk])).content.decode()
    for text in (error, page, progress, worker.log.read_text()):
        assert warehouse.password not in text
        assert warehouse.reader not in text


# --- The command line: manage.py load_outcomes in its own process -----------------------------


def load_outcomes(worker, experiment, path) -> subprocess.CompletedProcess:
    """Run as a scheduled job would: the same database, Redis and media folder as the worker."""
    maps = [arg for pair in MAPS for arg in ("--map", pair)]
    return subprocess.run(
        [sys.executable, "manage.py", "load_outcomes", str(experiment.pk), str(path), *maps],
        cwd=ROOT,
        env=worker.env,
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
    )


def test_load_outcomes_queues_the_file_waits_for_the_worker_and_exits_0(
    worker, people, outcome_experiment, tmp_path
):
    rows = user_rows(400)
    path = tmp_path / "outcomes.csv"
    path.write_bytes(csv_bytes(rows))
    received = worker.tasks_received()
    done = load_outcomes(worker, outcome_experiment, path)
    load = DataLoad.objects.get()
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "Read as Plain CSV: commas, decimal points, dates as year-month-day (2026-12-06), UTF-8.\n"
        f"Load #{load.pk}: 400 users read, 2 variants, 3 exposure days: 18 totals stored.\n"
    )
    assert (load.kind, load.status, load.original_name) == ("cli", "succeeded", "outcomes.csv")
    # The command queued the load on Redis and waited; it does not run it in its own process.
    assert worker.tasks_received() == received + 1
    assert_stored(outcome_experiment, expected_cohorts(rows), source="file")


def test_load_outcomes_exits_1_with_the_message_on_rejected_data_and_writes_nothing(
    worker, people, outcome_experiment, tmp_path
):
    rows = user_rows(400)
    rows[0][1] = "C"
    path = tmp_path / "outcomes.csv"
    path.write_bytes(csv_bytes(rows))
    done = load_outcomes(worker, outcome_experiment, path)
    assert done.returncode == 1
    assert done.stdout == (  # how it was read; nothing says it was stored
        "Read as Plain CSV: commas, decimal points, dates as year-month-day (2026-12-06), UTF-8.\n"
    )
    assert done.stderr.splitlines()[-2:] == [
        "column `group`: " + UNKNOWN_C.format(row=1),
        "CommandError: Nothing was saved.",
    ]
    assert DataLoad.objects.get().status == "failed"
    assert not OutcomeCohort.objects.exists()

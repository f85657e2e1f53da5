"""A ratio metric's pre-period through PostgreSQL, Redis and a real `celery worker`: a
per-user file, a pipeline push and a SQL source's refresh each store the same totals, computed
from the rows with numpy (tests/ingestion/test_ratio_pre_period.py)."""

import pytest
import sqlalchemy as sa
from django.utils import timezone

from experiments.models import Experiment
from metrics.ingestion.services import data_load_create, upload_store
from metrics.ingestion.sources import data_source_save, experiment_query_save, sql_refresh
from metrics.models import DataLoad, DataSource, OutcomeCohort
from tests.api.conftest import token_client
from tests.ingestion.rows import csv_bytes
from tests.ingestion.test_ratio_pre_period import (
    HEADER,
    RATIO_MAPPING,
    expected,
    order_rows,
    pushed_day,
)
from tests.ingestion.test_sql import database_url
from tests.integration.conftest import finished

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def assert_ratio_pre_period_stored(experiment, rows, source):
    stored = OutcomeCohort.objects.filter(experiment=experiment).select_related("variant")
    assert {c.variant.name for c in stored} == {"A", "B"} and len(stored) == 2
    for cohort in stored:
        assert cohort.source == source
        for name, value in expected(rows, cohort.variant.name).items():
            assert getattr(cohort, name) == pytest.approx(value, rel=1e-12), name


def test_a_file_with_a_ratio_pre_period_is_stored_by_the_worker(worker, people, outcome_experiment):
    rows = order_rows()
    stored_name, digest = upload_store(chunks=[csv_bytes(rows, HEADER)])
    load = data_load_create(
        experiment=outcome_experiment,
        user=people.owner,
        kind=DataLoad.Kind.FILE,
        stored_name=stored_name,
        content_sha256=digest,
        mapping=RATIO_MAPPING,
    )
    assert finished(load, worker).status == "succeeded", load.error
    assert_ratio_pre_period_stored(outcome_experiment, rows, "file")


def test_a_pushed_ratio_pre_period_is_stored_by_the_worker(worker, people, outcome_experiment):
    rows = order_rows()
    url = f"/api/v1/experiments/{outcome_experiment.pk}/aggregates/"
    items = [pushed_day(rows, "A"), pushed_day(rows, "B")]
    response = token_client(people.owner).post(url, {"aggregates": items}, format="json")
    assert response.status_code == 202, response.json()
    load = finished(DataLoad.objects.get(pk=response.json()["id"]), worker)
    assert load.status == "succeeded", load.error
    assert_ratio_pre_period_stored(outcome_experiment, rows, "push")


@pytest.fixture
def order_table():
    rows = order_rows()
    engine = sa.create_engine(database_url())
    with engine.begin() as db:
        db.execute(sa.text("DROP TABLE IF EXISTS sql_orders_worker"))
        db.execute(
            sa.text(
                "CREATE TABLE sql_orders_worker (user_id text, grp text, day date, revenue float,"
                " orders int, pre_revenue float, pre_orders int)"
            )
        )
        db.execute(
            sa.text("INSERT INTO sql_orders_worker VALUES (:u, :g, :d, :r, :o, :p, :q)"),
            [dict(zip("ugdropq", row, strict=True)) for row in rows],
        )
    yield rows
    with engine.begin() as db:
        db.execute(sa.text("DROP TABLE IF EXISTS sql_orders_worker"))
    engine.dispose()


def test_a_sql_refresh_stores_the_ratio_pre_period(worker, people, outcome_experiment, order_table):
    source = data_source_save(
        source=DataSource(name="Warehouse", team=people.team),
        url=database_url(),
        user=people.analyst,
    )
    experiment_query_save(
        experiment=outcome_experiment,
        source=source,
        query="SELECT * FROM sql_orders_worker",
        mapping={**RATIO_MAPPING, "variant": "grp"},
        user=people.analyst,
    )
    Experiment.objects.filter(pk=outcome_experiment.pk).update(
        status=Experiment.Status.RUNNING, started_at=timezone.now()
    )
    outcome_experiment.refresh_from_db()
    load = sql_refresh(experiment=outcome_experiment, user=people.analyst)
    assert finished(load, worker).status == "succeeded", load.error
    assert_ratio_pre_period_stored(outcome_experiment, order_table, "sql")

"""SQL data sources: the push-down aggregation against real PostgreSQL, read-only and timed,
other dialects compiled, credentials never shown, refreshes collapsed, pages by role."""

import logging
from datetime import date

import pytest
import sqlalchemy as sa
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from sqlalchemy.dialects import mssql, sqlite

from accounts.models import Role
from accounts.services import user_create
from experiments.models import Experiment
from metrics.ingestion import sources
from metrics.ingestion.parse import Mapping, MetricColumns
from metrics.ingestion.problems import RejectedData
from metrics.ingestion.sources import data_source_save, experiment_query_save, sql_refresh_all
from metrics.ingestion.sql import pull, pushdown
from metrics.models import DataLoad, DataSource, ExperimentQuery, OutcomeCohort
from metrics.tasks import scheduled_sql_refresh_task
from tests.conftest import PASSWORD
from tests.ingestion.conftest import FULL_MAPPING
from tests.ingestion.rows import expected_totals, user_rows
from tests.ingestion.test_pages import signed_in

pytestmark = pytest.mark.django_db

MAPPING = Mapping(
    user="user_id",
    variant="grp",
    date="day",
    metrics=(
        MetricColumns(key="conv", kind="binomial", column="converted"),
        MetricColumns(key="rev", kind="mean", column="revenue", pre="pre_revenue"),
        MetricColumns(key="rpo", kind="ratio", column="revenue", denominator="orders"),
    ),
)
QUERY = "SELECT user_id, grp, day, converted, revenue, orders, pre_revenue FROM sql_outcomes"
SECRET = "s3cret-Pa55"
SQL_MAPPING = {**FULL_MAPPING, "variant": "grp"}


def database_url(password=None) -> str:
    conf = connection.settings_dict
    return sa.URL.create(
        "postgresql+psycopg",
        username=conf["USER"],
        password=password or conf["PASSWORD"],
        host=conf["HOST"] or "127.0.0.1",
        port=conf["PORT"] or 5432,
        database=conf["NAME"],
    ).render_as_string(hide_password=False)


@pytest.fixture
def warehouse():
    """A committed table of per-user rows in the test database, seen by any connection."""
    rows = user_rows(300)
    engine = sa.create_engine(database_url())
    with engine.begin() as db:
        db.execute(sa.text("DROP TABLE IF EXISTS sql_outcomes"))
        db.execute(sa.text("CREATE SEQUENCE IF NOT EXISTS sql_outcomes_seq"))
        db.execute(
            sa.text(
                "CREATE TABLE sql_outcomes (user_id text, grp text, day date, converted int,"
                " revenue float, orders int, pre_revenue float)"
            )
        )
        db.execute(
            sa.text("INSERT INTO sql_outcomes VALUES (:u, :g, :d, :c, :r, :o, :p)"),
            [dict(zip("ugdcrop", row, strict=True)) for row in rows],
        )
    yield rows
    with engine.begin() as db:
        db.execute(sa.text("DROP TABLE IF EXISTS sql_outcomes"))
        db.execute(sa.text("DROP SEQUENCE IF EXISTS sql_outcomes_seq"))
    engine.dispose()


def by_key(cohorts, metric):
    return {(c.variant, c.exposure_date): c for c in cohorts if c.metric == metric}


def test_pushdown_gives_the_statistics_of_the_rows(warehouse):
    cohorts = pull(database_url(), QUERY, MAPPING, ["A", "B"]).cohorts
    expected = expected_totals(warehouse)
    rev, rpo, conv = (by_key(cohorts, key) for key in ("rev", "rpo", "conv"))
    assert set(rev) == {(v, date.fromisoformat(d)) for v, d in {(r[1], r[2]) for r in warehouse}}
    for (variant, day), want in expected.items():
        key = (variant, day)
        assert rev[key].n == want["n"]
        assert conv[key].sum == pytest.approx(want["conv_sum"])
        assert rev[key].sum_squares == pytest.approx(want["rev_sum_squares"])
        assert rev[key].post_pre_sum_products == pytest.approx(want["post_pre"])
        assert rpo[key].den_sum_squares == pytest.approx(want["orders_sum_squares"])
        assert rpo[key].num_den_sum_products == pytest.approx(want["rev_orders"])


def test_only_variants_times_days_rows_travel(warehouse):
    engine = sa.create_engine(database_url())
    with engine.connect() as db:
        rows = db.execute(pushdown(QUERY, MAPPING)).all()
    engine.dispose()
    assert len(rows) == len({(r[1], r[2]) for r in warehouse}) == 6


def test_the_query_compiles_for_other_dialects():
    statement = pushdown("SELECT * FROM events", MAPPING)
    # (Not MySQL: SQLAlchemy leaves out its casts to a float type, with a warning.)
    for dialect in (sqlite.dialect(), mssql.dialect()):
        sql = str(statement.compile(dialect=dialect))
        assert "FROM (SELECT * FROM events) AS per_user GROUP BY" in sql
        assert "count(*) AS n" in sql
        assert "sum(CAST(per_user.revenue AS FLOAT))" in sql
    assert "CAST(per_user.day AS DATE)" in str(statement.compile(dialect=sqlite.dialect()))


def test_the_query_runs_read_only(warehouse):
    query = QUERY.replace("day,", "day + (nextval('sql_outcomes_seq') * 0)::int AS day,")
    with pytest.raises(RejectedData) as caught:
        pull(database_url(), query, MAPPING, ["A", "B"])
    assert str(caught.value) == (
        "The query failed: cannot execute nextval() in a read-only transaction"
    )
    engine = sa.create_engine(database_url())
    with engine.connect() as db:
        assert db.execute(sa.text("SELECT last_value FROM sql_outcomes_seq")).scalar() == 1
        assert not db.execute(sa.text("SELECT is_called FROM sql_outcomes_seq")).scalar()
    engine.dispose()


def test_a_slow_query_is_stopped(warehouse):
    query = f"SELECT s.* FROM ({QUERY}) s, pg_sleep(3)"
    with pytest.raises(RejectedData) as caught:
        pull(database_url(), query, MAPPING, ["A", "B"], timeout=1)
    assert str(caught.value) == "The query ran longer than 1 s and was stopped."


def test_bad_rows_and_unknown_variants_are_named(warehouse):
    query = (
        "SELECT user_id, CASE WHEN user_id = 'u3' THEN 'C' ELSE grp END AS grp, day,"
        " CASE WHEN user_id = 'u5' THEN 2 ELSE converted END AS converted, revenue,"
        " orders, NULLIF(pre_revenue, pre_revenue) AS pre_revenue FROM sql_outcomes"
    )
    with pytest.raises(RejectedData) as caught:
        pull(database_url(), query, MAPPING, ["A", "B"])
    assert [str(p) for p in caught.value.problems] == [
        "300 rows have no value",
        "1 rows hold a value other than 0 or 1",
        "column `grp`: unknown variant 'C'; the experiment's variants are 'A', 'B'",
    ]


@pytest.fixture
def source(people, outcome_experiment, warehouse):
    source = data_source_save(
        source=DataSource(name="Warehouse", team=people.team),
        url=database_url(),
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
    outcome_experiment.refresh_from_db()
    return source


def test_the_url_is_encrypted_at_rest(source):
    stored = DataSource.objects.get(pk=source.pk).url_encrypted
    assert connection.settings_dict["PASSWORD"] not in stored
    assert "postgresql" not in stored


def test_refresh_now_stores_the_statistics(
    client, people, source, outcome_experiment, warehouse, django_capture_on_commit_callbacks
):
    url = reverse("metrics:outcome_sql_refresh", args=[outcome_experiment.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, people.owner).post(url)
    load = DataLoad.objects.get(experiment=outcome_experiment)
    assert response.status_code == 302 and response.url == reverse(
        "metrics:load_detail", args=[load.pk]
    )
    assert (load.kind, load.status, load.rows_read) == ("sql", "succeeded", 300)
    stored = OutcomeCohort.objects.filter(experiment=outcome_experiment, source="sql")
    assert stored.count() == 6 * 3
    expected = expected_totals(warehouse)
    revenue = stored.filter(metric__name="Revenue")
    assert sorted((c.variant.name, c.exposure_date, c.n) for c in revenue) == sorted(
        (v, d, want["n"]) for (v, d), want in expected.items()
    )


def test_two_refreshes_at_once_collapse_into_one(people, source, outcome_experiment):
    with transaction.atomic():  # the first has not run yet when the second is asked for
        assert sql_refresh_all() == 1
        assert sql_refresh_all() == 1
    assert DataLoad.objects.filter(experiment=outcome_experiment, kind="sql").count() == 1


def test_a_scheduled_pull_that_meets_a_database_blip_is_retried(
    people, source, outcome_experiment, monkeypatch, django_capture_on_commit_callbacks
):
    pull_all, calls = sources.sql_refresh_all, []

    def blip_then_pull() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return pull_all()

    monkeypatch.setattr(sources, "sql_refresh_all", blip_then_pull)
    with django_capture_on_commit_callbacks(execute=False):
        scheduled_sql_refresh_task.apply(throw=False)  # as a worker runs it: retried, not raised
    queued = DataLoad.objects.filter(experiment=outcome_experiment, kind="sql", status="queued")
    assert (len(calls), queued.count()) == (2, 1)


def test_the_schedule_pulls_only_running_experiments(people, source, outcome_experiment):
    Experiment.objects.filter(pk=outcome_experiment.pk).update(status=Experiment.Status.DRAFT)
    assert sql_refresh_all() == 0
    assert not DataLoad.objects.exists()


def test_credentials_appear_in_no_page_message_or_log(
    client, people, source, outcome_experiment, caplog, django_capture_on_commit_callbacks
):
    data_source_save(source=source, url=database_url(password=SECRET), user=people.analyst)
    caplog.set_level(logging.DEBUG)
    signed_in(client, people.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("metrics:outcome_sql_refresh", args=[outcome_experiment.pk]))
    load = DataLoad.objects.get(experiment=outcome_experiment)
    assert load.status == "failed"
    assert load.errors[0]["message"].startswith("The query failed: connection failed:")
    pages = [
        reverse("metrics:load_detail", args=[load.pk]),
        reverse("metrics:load_status", args=[load.pk]),
        reverse("metrics:source_list"),
        reverse("metrics:source_edit", args=[source.pk]),
        reverse("metrics:outcome_sql", args=[outcome_experiment.pk]),
    ]
    texts = [client.get(page).text for page in pages] + [str(load.errors), caplog.text]
    user = connection.settings_dict["USER"]
    for text in texts:
        assert SECRET not in text
        assert f"{user}:" not in text and f'user "{user}"' not in text


def test_an_analyst_adds_a_source_and_a_marketer_may_not(client, people):
    data = {
        "name": "Shop warehouse",
        "team": people.team.pk,
        "url": "postgresql+psycopg://reader:pw-123@db.example.com/shop",
    }
    denied = signed_in(client, people.owner).post(reverse("metrics:source_create"), data)
    assert denied.status_code == 403
    assert not DataSource.objects.exists()
    client.logout()
    response = signed_in(client, people.analyst).post(reverse("metrics:source_create"), data)
    assert response.status_code == 302
    saved = DataSource.objects.get()
    assert (saved.name, saved.team, saved.created_by) == (
        "Shop warehouse",
        people.team,
        people.analyst,
    )
    listing = client.get(reverse("metrics:source_list")).text
    assert "postgresql+psycopg://***@db.example.com/shop" in listing
    assert "pw-123" not in listing and "reader" not in listing


def test_editing_without_a_url_keeps_the_saved_connection(client, people, source):
    before = DataSource.objects.get(pk=source.pk).url_encrypted
    url = reverse("metrics:source_edit", args=[source.pk])
    response = signed_in(client, people.analyst).post(
        url, {"name": "Renamed", "team": people.team.pk, "url": ""}
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.name, source.url_encrypted) == ("Renamed", before)


def test_an_analyst_attaches_a_query_with_its_mapping(client, people, outcome_experiment, source):
    ExperimentQuery.objects.all().delete()
    data = {
        "source": source.pk,
        "query": QUERY + ";",
        "user": "user_id",
        "variant": "grp",
        "date": "day",
        "m0_column": "converted",
        "m1_column": "revenue",
        "m2_column": "revenue",
        "m2_denominator": "orders",
    }
    url = reverse("metrics:outcome_sql", args=[outcome_experiment.pk])
    response = signed_in(client, people.analyst).post(url, data)
    assert response.status_code == 302
    attached = ExperimentQuery.objects.get(experiment=outcome_experiment)
    assert attached.query == QUERY
    assert attached.mapping["variant"] == "grp"
    per_order = attached.mapping["metrics"]["Revenue per order"]
    assert per_order == {"column": "revenue", "denominator": "orders"}


def test_a_query_that_is_not_a_select_is_refused(client, people, outcome_experiment, source):
    data = {
        "source": source.pk,
        "query": "DELETE FROM sql_outcomes",
        "user": "user_id",
        "variant": "grp",
        "date": "day",
        "m0_column": "converted",
    }
    url = reverse("metrics:outcome_sql", args=[outcome_experiment.pk])
    response = signed_in(client, people.analyst).post(url, data)
    assert response.status_code == 400
    assert "The query must be a single SELECT (or WITH … SELECT) statement." in response.text
    assert ExperimentQuery.objects.get(experiment=outcome_experiment).query == QUERY


def test_a_marketer_may_not_attach_a_query_and_a_viewer_may_not_refresh(
    client, people, outcome_experiment, source
):
    attach = reverse("metrics:outcome_sql", args=[outcome_experiment.pk])
    data = {"source": source.pk, "query": "SELECT 1", "user": "a", "variant": "b", "date": "c"}
    assert signed_in(client, people.owner).post(attach, data).status_code == 403
    client.logout()
    refresh = reverse("metrics:outcome_sql_refresh", args=[outcome_experiment.pk])
    assert signed_in(client, people.viewer).post(refresh).status_code == 403
    assert ExperimentQuery.objects.get(experiment=outcome_experiment).query == QUERY
    assert not DataLoad.objects.exists()


def test_an_analyst_of_another_team_may_not_attach_their_source_to_this_test(
    client, people, outcome_experiment, source
):
    outside_analyst = user_create(
        username="outside_analyst", password=PASSWORD, team=people.other_team, role=Role.ANALYST
    )
    theirs = data_source_save(
        source=DataSource(name="CRM", team=people.other_team),
        url=database_url(),
        user=outside_analyst,
    )
    attach = reverse("metrics:outcome_sql", args=[outcome_experiment.pk])
    data = {
        "source": theirs.pk,
        "query": QUERY,
        "user": "user_id",
        "variant": "grp",
        "date": "day",
        "m0_column": "converted",
    }
    assert signed_in(client, outside_analyst).get(attach).status_code == 403
    assert client.post(attach, data).status_code == 403
    assert ExperimentQuery.objects.get(experiment=outcome_experiment).source == source

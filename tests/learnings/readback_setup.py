"""A shipped test read from a real PostgreSQL "warehouse" table, for the read-back tests.

The table holds one row per customer of the test (variant A control, B shipped): conversion
during the test and a lifetime-value column that the read-back re-reads; a test changes the
table as months of customer behaviour would.
"""

import random
from datetime import date, timedelta

import sqlalchemy as sa
from django.utils import timezone

from experiments.models import Decision, Experiment
from metrics.ingestion.load import cohorts_replace
from metrics.ingestion.mapping import mapping_from_json
from metrics.ingestion.sources import data_source_save, experiment_query_save
from metrics.ingestion.sql import pull
from metrics.models import DataSource, Metric, MetricKind
from tests.factories import experiment_make, metric_make
from tests.ingestion.test_sql import database_url

TABLE = "readback_customers"
QUERY = f"SELECT user_id, grp, day, converted, clv FROM {TABLE}"
MAPPING = {
    "user": "user_id",
    "variant": "grp",
    "date": "day",
    "metrics": {"Order conversion": {"column": "converted"}},
}
PER_ARM = 150
SHIPPED_DAYS_AGO = 75


def customers(shipped_gain: float, per_arm: int = PER_ARM, seed: int = 3) -> list[dict]:
    """Rows of the test's customers; B's lifetime value is A's plus `shipped_gain` on average."""
    rng = random.Random(seed)
    rows = []
    for arm in ("A", "B"):
        for i in range(per_arm):
            rows.append(
                {
                    "u": f"{arm}{i}",
                    "g": arm,
                    "d": date(2024, 3, 1) + timedelta(days=i % 2),
                    "c": int(rng.random() < (0.3 if arm == "A" else 0.36)),
                    "v": rng.uniform(50, 150) + (shipped_gain if arm == "B" else 0.0),
                }
            )
    return rows


def warehouse_fill(rows: list[dict]) -> None:
    engine = sa.create_engine(database_url())
    with engine.begin() as db:
        db.execute(sa.text(f"DROP TABLE IF EXISTS {TABLE}"))
        db.execute(
            sa.text(
                f"CREATE TABLE {TABLE} (user_id text, grp text, day date, converted int, clv float)"
            )
        )
        db.execute(sa.text(f"INSERT INTO {TABLE} VALUES (:u, :g, :d, :c, :v)"), rows)
    engine.dispose()


def warehouse_run(statement: str) -> None:
    engine = sa.create_engine(database_url())
    with engine.begin() as db:
        db.execute(sa.text(statement))
    engine.dispose()


def warehouse_drop() -> None:
    warehouse_run(f"DROP TABLE IF EXISTS {TABLE}")


def shipped_from_sql(people, title: str = "Free shipping banner on the cart page") -> Experiment:
    """A test read from the warehouse, its cohorts stored, concluded "ship" 75 days ago."""
    experiment = experiment_make(people, ready=True, title=title)
    source = data_source_save(
        source=DataSource(name="Customer warehouse", team=people.team),
        url=database_url(),
        user=people.analyst,
    )
    experiment_query_save(
        experiment=experiment, source=source, query=QUERY, mapping=MAPPING, user=people.analyst
    )
    mapping = mapping_from_json(experiment, MAPPING)
    cohorts = pull(database_url(), QUERY, mapping, ["A", "B"])
    cohorts_replace(experiment=experiment, source="sql", cohorts=cohorts)
    return shipped(experiment)


def shipped(experiment: Experiment) -> Experiment:
    concluded = timezone.now() - timedelta(days=SHIPPED_DAYS_AGO)
    Experiment.objects.filter(pk=experiment.pk).update(
        status=Experiment.Status.CONCLUDED,
        decision=Decision.SHIP,
        learning="Free shipping in the cart brings more first orders.",
        started_at=concluded - timedelta(days=21),
        concluded_at=concluded,
    )
    experiment.refresh_from_db()
    return experiment


def lifetime_value():
    found = Metric.objects.filter(name="Customer lifetime value").first()
    return found or metric_make("Customer lifetime value", MetricKind.MEAN, unit="SEK")

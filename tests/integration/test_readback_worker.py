"""Read-backs through Redis and a real `celery worker`: beat's sweep sent twice and every
read-back's message sent twice still read each test back once, with one alert."""

import time

import pytest

from learnings.readbacks import readback_plan_save
from learnings.tasks import readback_execute_task, scheduled_readback_sweep_task
from notifications.models import Alert, Kind
from tests.integration.conftest import WAIT_SECONDS, worker_start
from tests.learnings.readback_setup import (
    TABLE,
    customers,
    lifetime_value,
    shipped_from_sql,
    warehouse_drop,
    warehouse_fill,
    warehouse_run,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def readback_worker(tmp_path):
    worker = worker_start(tmp_path, queues="celery,scheduled", concurrency=2)
    yield worker.process, worker.log
    worker.stop()
    print(worker.log.read_text()[-4000:])


@pytest.fixture
def warehouse():
    warehouse_fill(customers(shipped_gain=12.0))
    yield
    warehouse_drop()


def wait_until(process, done) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not done() and time.monotonic() < deadline:
        assert process.poll() is None, "the worker exited"
        time.sleep(0.3)


def received(log, task: str) -> int:
    return sum(f"{task}[" in line and "received" in line for line in log.read_text().splitlines())


def test_each_read_back_runs_once_though_sweep_and_job_are_sent_twice(
    people, warehouse, readback_worker
):
    process, log = readback_worker
    experiment = shipped_from_sql(people)  # shipped 75 days ago: 30 and 60 are due
    plan = readback_plan_save(
        experiment=experiment, user=people.lead, metric=lifetime_value(), column="clv"
    )
    warehouse_run(f"UPDATE {TABLE} SET clv = clv - 40 WHERE grp = 'B'")  # the win reversed
    scheduled_readback_sweep_task.delay()
    scheduled_readback_sweep_task.delay()  # beat's entry sent again (a restart, a retry)
    due = plan.readbacks.filter(days__in=[30, 60])
    wait_until(process, lambda: due.filter(status="queued").count() + done(due) == 2)
    for readback in due:
        readback_execute_task.delay(readback.id)  # a second message for the same job
    wait_until(process, lambda: done(due) == 2 and received(log, "readback_execute_task") >= 4)
    time.sleep(3)  # a later copy would have been taken by now
    rows = list(plan.readbacks.order_by("days"))
    assert [(r.days, r.status, r.outcome, r.attempts) for r in rows] == [
        (30, "succeeded", "reversed", 1),
        (60, "succeeded", "reversed", 1),
        (90, "scheduled", "", 0),
    ]
    assert received(log, "readback_execute_task") == 4
    assert received(log, "scheduled_readback_sweep_task") == 2
    assert Alert.objects.filter(kind=Kind.READBACK, experiment=experiment).count() == 1


def done(rows) -> int:
    return rows.filter(status="succeeded").count()

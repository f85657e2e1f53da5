"""A per-user file with a device column through PostgreSQL, Redis and a real `celery worker`:
the worker stores the segments, analyses the test, and the page reads the effect per device."""

import time

import pytest
from django.utils import timezone

from analysis.models import AnalysisRun
from dashboard.segments import segment_views
from experiments.services.lifecycle import experiment_transition
from metrics.ingestion.segments import NONE_SEGMENT
from metrics.ingestion.services import data_load_create, upload_store
from metrics.models import DataLoad, OutcomeCohort, OutcomeSegment
from tests.factories import experiment_make
from tests.ingestion.rows import csv_bytes
from tests.integration.conftest import WAIT_SECONDS, finished, worker_start

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

HEADER = ["user_id", "group", "day", "converted", "device"]
MAPPING = {
    "user": "user_id",
    "variant": "group",
    "date": "day",
    "metrics": {"Order conversion": {"column": "converted"}},
    "dimensions": ["device"],
}
# Converters per 1,000 users of each device: B doubles mobile, leaves desktop as it is.
RATES = {("A", "mobile"): 100, ("A", "desktop"): 100, ("B", "mobile"): 200, ("B", "desktop"): 100}


@pytest.fixture(scope="module")
def ingestion_worker(django_db_setup, tmp_path_factory):
    """One worker on the ingestion and analysis queues: the load, then its analysis."""
    worker = worker_start(tmp_path_factory.mktemp("segments-worker"), "ingestion,analysis")
    yield worker
    worker.stop()


def per_user_rows(day: str) -> list[list]:
    rows = []
    for (variant, device), converters in RATES.items():
        for i in range(1000):
            rows.append([f"{variant}-{device}-{i}", variant, day, int(i < converters), device])
    for variant in ("A", "B"):  # no device recorded: its own segment
        rows += [[f"{variant}-none-{i}", variant, day, int(i < 3), ""] for i in range(20)]
    rows.append(["kiosk-1", "A", day, 1, "kiosk"])  # one user: left out of the device segments
    return rows


def analysed(experiment, worker) -> AnalysisRun:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        run = AnalysisRun.objects.filter(experiment=experiment, status="succeeded").first()
        if run is not None:
            return run
        assert worker.process.poll() is None, "the worker exited"
        time.sleep(0.2)
    pytest.fail(f"no analysis succeeded after {WAIT_SECONDS} s")


def test_the_worker_stores_segments_and_the_page_reads_the_effect_per_device(worker, people):
    experiment = experiment_transition(
        experiment=experiment_make(people, ready=True), user=people.owner, action="start"
    )
    day = timezone.localtime(experiment.started_at).date()
    rows = per_user_rows(day.isoformat())
    stored_name, digest = upload_store(chunks=[csv_bytes(rows, HEADER)])
    load = data_load_create(
        experiment=experiment,
        user=people.owner,
        kind=DataLoad.Kind.FILE,
        stored_name=stored_name,
        content_sha256=digest,
        mapping=MAPPING,
    )
    load = finished(load, worker)
    assert load.status == "succeeded", load.errors
    notes = [note["message"] for note in load.notes]  # English, with its words and parameters
    assert notes == ["device = “kiosk”: fewer than two users in A; this segment is left out."]
    overall = dict(OutcomeCohort.objects.filter(load=load).values_list("variant__name", "n"))
    assert overall == {"A": 2021, "B": 2020}
    segments = OutcomeSegment.objects.filter(load=load, dimension="device")
    assert sorted(segments.values_list("segment", "variant__name", "n", "sum")) == [
        (NONE_SEGMENT, "A", 20, 3.0),
        (NONE_SEGMENT, "B", 20, 3.0),
        ("desktop", "A", 1000, 100.0),
        ("desktop", "B", 1000, 100.0),
        ("mobile", "A", 1000, 100.0),
        ("mobile", "B", 1000, 200.0),
    ]

    analysed(experiment, worker)
    (view,) = segment_views(experiment)
    lifts = {row.segment: row.lift for row in view.rows}
    assert lifts["mobile"] == pytest.approx(200 / 100 - 1)
    assert lifts["desktop"] == pytest.approx(0.0, abs=1e-12)
    assert lifts[NONE_SEGMENT] == pytest.approx(0.0, abs=1e-12)
    assert (view.dimension, view.variant, view.best) == ("device", "B", "mobile")
    assert view.differs  # Cochran's Q finds that mobile gains more than desktop
    assert "kiosk" not in lifts

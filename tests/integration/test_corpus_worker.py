"""Every file of the corpus through a real `celery worker`: the dialect the mapping page
detects (and the person's choices) travels with the load, the worker reads the file with it,
and a refused file writes nothing and leaves no copy behind."""

import pytest
from django.core.exceptions import ValidationError

from metrics.ingestion.parse import preview
from metrics.ingestion.problems import RejectedData
from metrics.ingestion.services import data_load_create, upload_path, upload_store
from metrics.models import DataLoad, OutcomeCohort
from tests.ingestion.corpus import bad_entries, entries, good_entries
from tests.ingestion.rows import expected_cohorts
from tests.integration.conftest import assert_stored, finished

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BY_NAME = {entry.name: entry for entry in entries()}


def queued(entry, experiment, user) -> DataLoad:
    """The load the mapping page would queue: the detected dialect with the person's choices."""
    stored_name, digest = upload_store(chunks=[entry.data])
    mapping = entry.mapping()
    try:
        shown = preview(upload_path(stored_name), entry.choices)
    except RejectedData:
        shown = None  # the page refuses it; the worker must refuse it the same way
    if shown is not None and shown.sniffed is not None:
        mapping["dialect"] = shown.dialect.as_json()
    return data_load_create(
        experiment=experiment,
        user=user,
        kind=DataLoad.Kind.FILE,
        stored_name=stored_name,
        content_sha256=digest,
        original_name=entry.name,
        mapping=mapping,
    )


def uploads_left(worker) -> list:
    folder = worker.media / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("name", [entry.name for entry in good_entries()])
def test_the_worker_stores_the_exact_statistics_of_each_good_file(
    worker, people, outcome_experiment, name
):
    entry = BY_NAME[name]
    load = finished(queued(entry, outcome_experiment, people.owner), worker)
    assert (load.status, load.rows_read) == ("succeeded", len(entry.rows)), load.errors
    assert_stored(outcome_experiment, expected_cohorts(entry.rows), source="file")


@pytest.mark.parametrize("name", [entry.name for entry in bad_entries()])
def test_the_worker_refuses_each_bad_file_with_its_messages_and_keeps_no_copy(
    worker, people, outcome_experiment, name
):
    entry = BY_NAME[name]
    try:
        load = finished(queued(entry, outcome_experiment, people.owner), worker)
    except ValidationError as refused:  # refused before anything is queued, as on the page
        assert tuple(refused.messages) == entry.problems
        assert not DataLoad.objects.exists()
    else:
        assert load.status == "failed"
        assert tuple(error["text"] for error in load.errors) == entry.problems
        assert uploads_left(worker) == []
    assert not OutcomeCohort.objects.exists()

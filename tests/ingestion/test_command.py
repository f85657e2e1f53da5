"""load_outcomes: the upload service from the command line, with exit status 1 on bad data."""

from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from metrics.management.commands import load_outcomes
from metrics.models import DataLoad, OutcomeCohort
from tests.ingestion.rows import csv_bytes, user_rows

pytestmark = pytest.mark.django_db(transaction=True)  # the command commits, like in production

MAPS = [
    "user=user_id",
    "variant=group",
    "date=day",
    "Order conversion=converted",
    "Revenue=revenue",
    "Revenue.pre=pre_revenue",
    "Revenue per order=revenue",
    "Revenue per order.denominator=orders",
]


def run(experiment, path, maps=MAPS):
    args = [str(experiment.pk), str(path)]
    for pair in maps:
        args += ["--map", pair]
    call_command("load_outcomes", *args)


def test_file_is_loaded(outcome_experiment, tmp_path, capsys):
    path = tmp_path / "outcomes.csv"
    path.write_bytes(csv_bytes(user_rows(40)))
    run(outcome_experiment, path)
    load = DataLoad.objects.get()
    assert capsys.readouterr().out == (
        "Read as Plain CSV: commas, decimal points, dates as year-month-day (2026-12-06), UTF-8.\n"
        f"Load #{load.pk}: 40 users read, 2 variants, 3 exposure days: 18 totals stored.\n"
    )
    assert OutcomeCohort.objects.filter(load=load).count() == 18


def test_rejected_file_exits_1_with_the_same_messages(outcome_experiment, tmp_path, capsys):
    rows = user_rows(40)
    rows[0][1] = "C"
    path = tmp_path / "outcomes.csv"
    path.write_bytes(csv_bytes(rows))
    with pytest.raises(CommandError, match=r"Nothing was saved\.") as caught:
        run(outcome_experiment, path)
    assert caught.value.returncode == 1
    assert capsys.readouterr().err == (
        "column `group`: unknown variant 'C' (1 rows, first in data row 1); "
        "the experiment's variants are 'A', 'B'\n"
    )
    assert not OutcomeCohort.objects.exists()


def test_a_misspelt_metric_is_refused_before_anything_is_stored(
    outcome_experiment, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "outcomes.csv"
    path.write_bytes(csv_bytes(user_rows(40)))
    with pytest.raises(CommandError) as caught:
        run(outcome_experiment, path, [*MAPS[:3], "Revnue=revenue"])
    assert str(caught.value) == (
        "Not attached to this experiment: “Revnue”; its metrics are “Order conversion”, "
        "“Revenue”, “Revenue per order”."
    )
    assert not DataLoad.objects.exists()
    assert not any((tmp_path / "media").rglob("*.*"))  # the file was not copied


def test_a_load_no_worker_took_in_time_is_reported_as_still_queued(
    outcome_experiment, tmp_path, monkeypatch
):
    monkeypatch.setattr(load_outcomes, "WAIT_SECONDS", 0)
    no_worker = SimpleNamespace(delay_on_commit=lambda load_id: None)  # the message is never taken
    monkeypatch.setattr("metrics.tasks.data_load_execute_task", no_worker)
    path = tmp_path / "outcomes.csv"
    path.write_bytes(csv_bytes(user_rows(40)))
    with pytest.raises(CommandError) as caught:
        run(outcome_experiment, path)
    load = DataLoad.objects.get()
    assert str(caught.value) == (
        f"Load #{load.pk} is still queued after 0 minutes; "
        "it goes on in the background and saves when it finishes."
    )
    assert (caught.value.returncode, load.status) == (1, "queued")

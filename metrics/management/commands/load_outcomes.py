"""python manage.py load_outcomes EXPERIMENT FILE [--map variant=COL ...]

The same service as the upload page: same checks, same messages; exit status 1 on rejected data.
"""

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from experiments.models import Experiment
from metrics.ingestion.mapping import mapping_from_json, remembered_mapping
from metrics.ingestion.services import data_load_create, upload_store
from metrics.models import DataLoad

WAIT_SECONDS = 60 * 60
ROLES = ("user", "variant", "date")


def parse_maps(pairs: list[str], base: dict) -> dict:
    """--map user=COL, variant=COL, date=COL, 'Metric name=COL', 'Metric name.pre=COL'."""
    mapping = {**base, "metrics": {k: dict(v) for k, v in (base.get("metrics") or {}).items()}}
    for pair in pairs:
        target, sep, column = pair.partition("=")
        if not sep:
            raise CommandError(f"--map takes ROLE=COLUMN, not '{pair}'.")
        if target in ROLES:
            mapping[target] = column
            continue
        name, _, part = target.partition(".")
        mapping["metrics"].setdefault(name, {})[part or "column"] = column
    return mapping


class Command(BaseCommand):
    help = "Load a per-user outcome file (CSV, .csv.gz, Parquet, XLSX) into an experiment."

    def add_arguments(self, parser):
        parser.add_argument("experiment", type=int, help="The experiment's id.")
        parser.add_argument("file", type=Path)
        parser.add_argument("--map", action="append", default=[], metavar="ROLE=COLUMN")

    def handle(self, *args, experiment, file, map, **options):
        experiment = Experiment.objects.filter(pk=experiment).first()
        if experiment is None:
            raise CommandError("No experiment has that id.")
        mapping = parse_maps(map, remembered_mapping(experiment))
        try:
            mapping_from_json(experiment, mapping)  # before the copy: a refused map stores nothing
            with open(file, "rb") as handle:
                stored, digest = upload_store(chunks=iter(lambda: handle.read(1 << 20), b""))
            load = data_load_create(
                experiment=experiment, user=None, kind=DataLoad.Kind.CLI, stored_name=stored,
                original_name=file.name, content_sha256=digest, mapping=mapping,
            )  # fmt: skip
        except (OSError, ValidationError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
        load = self.wait(load)
        if not load.is_done:  # it may still save: "Nothing was saved" would be untrue
            raise CommandError(
                f"Load #{load.pk} is still {load.get_status_display().lower()} after "
                f"{WAIT_SECONDS // 60:,} minutes; "
                "it goes on in the background and saves when it finishes.",
                returncode=1,
            )
        if load.status != DataLoad.Status.SUCCEEDED:
            for error in load.errors:
                self.stderr.write(error["text"])
            if load.errors_more:
                self.stderr.write(f"… and {load.errors_more:,} more problems.")
            raise CommandError("Nothing was saved.", returncode=1)
        self.stdout.write(
            f"Load #{load.pk}: {load.rows_read:,} rows, {load.cohorts_written} cohorts stored."
        )

    def wait(self, load: DataLoad) -> DataLoad:
        deadline = time.monotonic() + WAIT_SECONDS
        load.refresh_from_db()
        while not load.is_done and time.monotonic() < deadline:
            time.sleep(0.5)
            load.refresh_from_db()
        return load

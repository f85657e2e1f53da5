"""python manage.py load_outcomes EXPERIMENT FILE [--map variant=COL ...] [--dimension COL ...]
[--separator ';' ...]

The same service as the upload page: same checks, same messages; exit status 1 on rejected data.
The file's dialect is detected as on the mapping page, printed in the same words, and each
part of it can be set with the options the page offers (--encoding, --separator, --decimal,
--thousands, --date-order, --header-line, --sheet). Each --dimension names a column whose value
splits the results into segments, checked as the mapping page checks it; without any, the
dimensions remembered from the last upload are kept.
"""

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from experiments.models import Experiment
from metrics.ingestion.dialect import DATE_ORDERS, DECIMALS, ENCODINGS, SEPARATORS, THOUSANDS
from metrics.ingestion.mapping import mapping_from_json, remembered_mapping
from metrics.ingestion.parse import preview
from metrics.ingestion.problems import RejectedData
from metrics.ingestion.services import (
    data_load_create,
    upload_discard,
    upload_path,
    upload_store,
)
from metrics.ingestion.wording import note_text
from metrics.models import DataLoad

WAIT_SECONDS = 60 * 60
ROLES = ("user", "variant", "date")


def parse_maps(pairs: list[str], base: dict) -> dict:
    """--map user=COL, variant=COL, date=COL, 'Metric name=COL', 'Metric name.pre=COL'.

    A ratio metric also takes 'Metric name.denominator=COL' and, for CUPED, both
    'Metric name.pre=COL' and 'Metric name.pre_denominator=COL'.
    """
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
        parser.add_argument(
            "--dimension",
            action="append",
            default=[],
            metavar="COLUMN",
            help="A column whose value splits the results into segments (device, country …).",
        )
        parser.add_argument("--encoding", choices=list(ENCODINGS))
        parser.add_argument(
            "--separator", choices=list(SEPARATORS), help="',' ';' '|' or a tab ($'\\t')."
        )
        parser.add_argument("--decimal", choices=list(DECIMALS))
        parser.add_argument(
            "--thousands", choices=list(THOUSANDS), help="'' for none, ' ', '.' or ','."
        )
        parser.add_argument("--date-order", dest="date_order", choices=list(DATE_ORDERS))
        parser.add_argument("--header-line", dest="header_line", type=int, metavar="LINE")
        parser.add_argument("--sheet", help="The workbook's sheet (XLSX); else the one that maps.")

    def handle(self, *args, experiment, file, map, dimension, **options):
        experiment = Experiment.objects.filter(pk=experiment).first()
        if experiment is None:
            raise CommandError("No experiment has that id.")
        remembered = remembered_mapping(experiment)
        remembered.pop("dialect", None)
        mapping = parse_maps(map, remembered)
        if dimension:
            mapping["dimensions"] = dimension
        try:
            mapping_from_json(experiment, mapping)  # before the copy: a refused map stores nothing
            with open(file, "rb") as handle:
                stored, digest = upload_store(
                    chunks=iter(lambda: handle.read(1 << 20), b""), size=file.stat().st_size
                )
            mapping["dialect"] = self.dialect(stored, options)
            load = data_load_create(
                experiment=experiment,
                user=None,
                kind=DataLoad.Kind.CLI,
                stored_name=stored,
                original_name=file.name,
                content_sha256=digest,
                mapping=mapping,
            )
        except (OSError, ValidationError) as error:
            if "stored" in locals():
                upload_discard(stored)
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
        brought = load.cohorts.aggregate(
            days=Count("exposure_date", distinct=True), variants=Count("variant", distinct=True)
        )
        self.stdout.write(
            f"Load #{load.pk}: {load.rows_read:,} users read, {brought['variants']} variants, "
            f"{brought['days']} exposure days: {load.cohorts_written:,} totals stored."
        )
        for note in load.notes:
            self.stdout.write(note_text(note))

    def dialect(self, stored: str, options: dict) -> dict | None:
        """The dialect detected as on the mapping page, with the options given; printed."""
        names = (
            "encoding",
            "separator",
            "decimal",
            "thousands",
            "date_order",
            "header_line",
            "sheet",
        )
        choices = {name: options[name] for name in names if options.get(name) is not None}
        try:
            shown = preview(upload_path(stored), choices)
        except RejectedData as rejected:
            upload_discard(stored)
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError("Nothing was saved.", returncode=1) from None
        if shown.sniffed is None:
            return None  # Parquet states its own types
        self.stdout.write(f"Read as {shown.dialect.describe()}.")
        return shown.dialect.as_json()

    def wait(self, load: DataLoad) -> DataLoad:
        deadline = time.monotonic() + WAIT_SECONDS
        load.refresh_from_db()
        while not load.is_done and time.monotonic() < deadline:
            time.sleep(0.5)
            load.refresh_from_db()
        return load

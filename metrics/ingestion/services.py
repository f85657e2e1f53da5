"""Outcome loads: store the input, enqueue the work after commit, run it with progress.

The web request, the command line and the push endpoint all go through data_load_create();
the Celery task calls data_load_execute(). A rejected or failed load writes no cohort and
keeps the previous good statistics.
"""

import hashlib
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from experiments.models import Experiment
from jobs.attempt import Attempt, Delivery
from jobs.services import job_execute, job_send
from metrics.ingestion.counts import reduce_counts, reduce_counts_file
from metrics.ingestion.dialect import Dialect
from metrics.ingestion.load import cohorts_replace
from metrics.ingestion.mapping import experiment_metric_kinds, mapping_from_json
from metrics.ingestion.parse import reduce_file
from metrics.ingestion.problems import Problem, RejectedData, message_stored
from metrics.ingestion.ranges import cohort_range_problems
from metrics.ingestion.sql import pull
from metrics.ingestion.vault import url_decrypt
from metrics.jobs import DATA_LOADS
from metrics.models import DataLoad, ExperimentQuery, OutcomeSource

FILE_TOO_LARGE = _("The file is {size} bytes, over the limit of {limit} bytes.")
FILE_OVER_LIMIT = _("The file is over the limit of {limit} bytes.")
UPLOAD_DIR = "uploads"
SOURCE_OF_KIND = {
    DataLoad.Kind.FILE: OutcomeSource.FILE,
    DataLoad.Kind.CLI: OutcomeSource.FILE,
    DataLoad.Kind.COUNTS: OutcomeSource.COUNTS,
    DataLoad.Kind.PUSH: OutcomeSource.PUSH,
    DataLoad.Kind.SQL: OutcomeSource.SQL,
}


def grouped(number: int) -> str:
    return number_format(number, force_grouping=True)


def upload_path(stored_name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR / stored_name


def upload_store(*, chunks, limit: int | None = None, size: int | None = None) -> tuple[str, str]:
    """Write the chunks under a server-generated name; return (stored name, sha256).

    `size` is the whole file's, when known: a refusal quotes it, not where reading stopped.
    """
    limit = settings.UPLOAD_MAX_BYTES if limit is None else limit
    if size is not None and size > limit:
        raise ValidationError(FILE_TOO_LARGE.format(size=grouped(size), limit=grouped(limit)))
    stored_name = f"{uuid.uuid4().hex}.upload"
    path = upload_path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with open(path, "wb") as sink:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                sink.close()
                path.unlink()
                raise ValidationError(FILE_OVER_LIMIT.format(limit=grouped(limit)))
            digest.update(chunk)
            sink.write(chunk)
    return stored_name, digest.hexdigest()


@transaction.atomic
def data_load_create(
    *,
    experiment: Experiment,
    user,
    kind: str,
    stored_name: str = "",
    original_name: str = "",
    content_sha256: str = "",
    mapping: dict | None = None,
    payload: list | None = None,
) -> DataLoad:
    """Record a load and enqueue it after commit; the same request while one waits collapses.

    A file load needs `mapping`, checked here so a bad choice fails in the form, not the worker.
    """
    if kind in (DataLoad.Kind.FILE, DataLoad.Kind.CLI):
        mapping_from_json(experiment, mapping or {})
    fields = {
        "kind": kind,
        "content_sha256": content_sha256,
        "mapping": mapping or {},
        "payload": payload or [],
    }
    # Lock the experiment so two identical requests cannot both miss each other.
    Experiment.objects.select_for_update().get(pk=experiment.pk)
    waiting = experiment.data_loads.filter(
        status__in=[DataLoad.Status.QUEUED, DataLoad.Status.RUNNING], **fields
    ).first()
    if waiting is not None:
        if stored_name and stored_name != waiting.stored_name:
            # The same content already waits under its own copy: this one would be orphaned.
            transaction.on_commit(lambda: upload_path(stored_name).unlink(missing_ok=True))
        return waiting
    load = DataLoad.objects.create(
        experiment=experiment,
        created_by=user,
        stored_name=stored_name,
        original_name=original_name[:255],
        sent_at=timezone.now(),
        **fields,
    )
    job_send(DATA_LOADS, [load.id])
    return load


def counts_file_load(
    *,
    experiment: Experiment,
    user,
    upload,
    metric: str,
    columns: dict | None = None,
    dimensions: list[str] | None = None,
) -> DataLoad:
    """Store a counts file, check it now (RejectedData names every problem), then enqueue.

    `columns` names the file column of a role ({"sum": "revenue_sum"}); others are guessed.
    Each of the `dimensions` columns holds the row's segment of that dimension.
    A rejected file is deleted: nothing of it is kept, in the database or on disk.
    """
    stored_name, digest = upload_store(chunks=upload.chunks(), size=upload.size)
    path = upload_path(stored_name)
    kind = experiment_metric_kinds(experiment)[metric]
    variants = list(experiment.variants.values_list("name", flat=True))
    columns = {role: column for role, column in (columns or {}).items() if column}
    dimensions = list(dict.fromkeys(d for d in dimensions or () if d))
    mapping = {"metric": metric, "columns": columns}
    if dimensions:
        mapping["dimensions"] = dimensions
    try:
        counts_file_reduce(path, mapping=mapping, kind=kind, variants=variants)
    except RejectedData:
        path.unlink()
        raise
    return data_load_create(
        experiment=experiment,
        user=user,
        kind=DataLoad.Kind.COUNTS,
        stored_name=stored_name,
        original_name=upload.name,
        content_sha256=digest,
        mapping=mapping,
    )


def aggregates_push(*, experiment: Experiment, user, rows: list[dict]) -> DataLoad:
    """Check pushed daily aggregates now (RejectedData names every problem), then enqueue."""
    return counts_rows_load(experiment=experiment, user=user, rows=rows, kind=DataLoad.Kind.PUSH)


def counts_rows_load(*, experiment: Experiment, user, rows: list[dict], kind: str) -> DataLoad:
    """Check rows of counts (pushed, or typed on the counts page) now, as the worker will:
    RejectedData names every problem and nothing is stored; else enqueue their load."""
    metrics = experiment_metric_kinds(experiment)
    variants = list(experiment.variants.values_list("name", flat=True))
    reduce_counts(rows, metrics=metrics, known_variants=variants)
    return data_load_create(experiment=experiment, user=user, kind=kind, payload=rows)


def data_load_execute(*, load_id: int, delivery: Delivery | None = None) -> None:
    """Run a queued load: reduce, then replace the statistics in one transaction.

    Raise JobBusy while another load of the same experiment runs (a partial unique index).
    """
    job_execute(DATA_LOADS, job_id=load_id, delivery=delivery, work=data_load_run)


def data_load_run(attempt: Attempt) -> None:
    load = DataLoad.objects.select_related("experiment").get(id=attempt.job_id)
    try:
        rows, cohorts = reduce_input(load, attempt)
        if out_of_range := cohort_range_problems(cohorts):
            raise RejectedData(out_of_range)
    except RejectedData as rejected:
        data_load_fail(load, attempt, rejected.problems, rejected.more)
        return
    data_load_save(load, attempt, rows, cohorts)


def data_load_save(load: DataLoad, attempt: Attempt, rows: int, cohorts) -> None:
    """Replace the statistics and mark the load done, only while this worker holds it."""
    with transaction.atomic():
        # First, so the row stays locked to this worker until the statistics are committed.
        attempt.finish(phase=gettext_noop("done"), progress_percent=100, rows_read=rows)
        written = cohorts_replace(
            experiment=load.experiment, source=SOURCE_OF_KIND[load.kind], cohorts=cohorts, load=load
        )
        # The analysis app hears of the new statistics through `jobs.signals.job_done`.
        DataLoad.objects.filter(id=load.id).update(cohorts_written=written, notes=load.notes)


def data_load_progress(attempt: Attempt):
    """A progress sink for the parser; raise JobLost once the load was queued again."""

    def report(phase: str, percent: int, rows: int) -> None:
        attempt.update(
            phase=phase, progress_percent=percent, rows_read=rows, heartbeat_at=timezone.now()
        )

    return report


def reduce_input(load: DataLoad, attempt: Attempt):
    """Return (rows read, cohort totals) for the load's kind; raise RejectedData."""
    experiment = load.experiment
    variants = list(experiment.variants.values_list("name", flat=True))
    progress = data_load_progress(attempt)
    if load.kind in (DataLoad.Kind.FILE, DataLoad.Kind.CLI):
        mapping = mapping_from_json(experiment, load.mapping)
        path = upload_path(load.stored_name)
        dialect = load_dialect(load)
        reduction = reduce_file(path, mapping, variants, progress=progress, dialect=dialect)
    elif load.kind == DataLoad.Kind.SQL:
        progress(gettext_noop("querying the warehouse"), 10, 0)
        reduction = sql_reduce(load, variants)
    else:
        metrics = experiment_metric_kinds(experiment)
        if load.stored_name:  # a counts file: one metric, named in the mapping
            kind = metrics.get(load.mapping["metric"], "binomial")
            path = upload_path(load.stored_name)
            reduction = counts_file_reduce(path, mapping=load.mapping, kind=kind, variants=variants)
        else:
            reduction = reduce_counts(load.payload, metrics=metrics, known_variants=variants)
    # With their words and parameters, whatever the kind, so each reader reads them in their
    # own language; saved by data_load_save.
    load.notes = [message_stored(note) for note in reduction.notes]
    return reduction.rows, reduction.cohorts


def load_dialect(load: DataLoad) -> Dialect | None:
    """The dialect the person confirmed on the mapping page or the command line, if any."""
    chosen = load.mapping.get("dialect")
    return Dialect.from_json(chosen) if chosen else None


def counts_file_reduce(path: Path, *, mapping: dict, kind: str, variants: list[str]):
    """Check and reduce a counts file as `mapping` ({metric, columns, dimensions}) says; a
    gzipped one unpacks into its own temporary folder."""
    with tempfile.TemporaryDirectory(dir=path.parent) as work_dir:
        return reduce_counts_file(
            path,
            metric=mapping["metric"],
            kind=kind,
            known_variants=variants,
            work_dir=Path(work_dir),
            columns=mapping.get("columns"),
            dimensions=mapping.get("dimensions") or (),
        )


def sql_reduce(load: DataLoad, variants: list[str]):
    """Push the aggregation down to the experiment's warehouse; only cohorts come back."""
    attached = ExperimentQuery.objects.select_related("source").get(experiment=load.experiment)
    mapping = mapping_from_json(load.experiment, attached.mapping)
    try:
        url = url_decrypt(attached.source.url_encrypted)
    except ValidationError as error:
        raise RejectedData([Problem(message) for message in error.messages]) from None
    return pull(url, attached.query, mapping, variants)


def data_load_fail(load: DataLoad, attempt: Attempt, problems: list[Problem], more: int) -> None:
    """Record the problems; the refused file is deleted, as nothing of it will be read again."""
    failed = attempt.fail(
        phase=gettext_noop("rejected"),
        errors=[problem.as_dict() for problem in problems],
        errors_more=more,
    )
    if failed and load.stored_name:
        upload_discard(load.stored_name)


def upload_discard(stored_name: str) -> None:
    """Delete a stored upload unless a load still waiting for it or done with it owns it."""
    owners = DataLoad.objects.filter(stored_name=stored_name).exclude(status=DataLoad.Status.FAILED)
    if not owners.exists():
        upload_path(stored_name).unlink(missing_ok=True)

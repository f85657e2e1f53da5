"""Outcome pages: upload, map columns, watch progress, read the statistics; typed counts."""

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts import access
from experiments.models import Experiment
from growthlab.web.forms import service_error_to_form
from metrics.ingestion.counts import OPTIONAL, REQUIRED
from metrics.ingestion.forms import (
    CountsFileForm,
    CountsForm,
    DialectForm,
    MappingForm,
    UploadForm,
    variant_values_text,
)
from metrics.ingestion.mapping import experiment_metric_kinds, mapping_remember, remembered_mapping
from metrics.ingestion.names import guess_mapping
from metrics.ingestion.parse import Preview, preview
from metrics.ingestion.problems import RejectedData
from metrics.ingestion.services import (
    counts_file_load,
    counts_rows_load,
    data_load_create,
    upload_discard,
    upload_path,
    upload_store,
)
from metrics.ingestion.source_views import query_sources
from metrics.ingestion.wording import note_text, problem_lines
from metrics.models import DataLoad, MetricKind

UPLOAD_EXPIRED = _("This upload is no longer waiting for a mapping; upload the file again.")


def experiment_for_upload(request, pk: int) -> Experiment:
    experiment = get_object_or_404(Experiment, pk=pk)
    access.require(access.can_edit_experiment(request.user, experiment))
    return experiment


@require_http_methods(["GET", "POST"])
def upload(request, pk: int):
    experiment = experiment_for_upload(request, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            stored_name, digest = upload_store(chunks=file.chunks(), size=file.size)
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            token = uuid.uuid4().hex
            request.session[f"upload:{token}"] = {
                "stored_name": stored_name,
                "sha256": digest,
                "original_name": file.name,
                "experiment": experiment.pk,
            }
            return redirect("experiment:outcome_map", pk=experiment.pk, token=token)
    status = 400 if form.is_bound else 200
    context = {"experiment": experiment, "form": form, "loads": past_loads(experiment)}
    context["can_attach_query"] = bool(query_sources(request.user))
    return render(request, "metrics/outcome_upload.html", context, status=status)


def past_loads(experiment: Experiment, limit: int = 10):
    """The experiment's last loads with what they brought: users read, days and variants."""
    return experiment.data_loads.annotate(
        days=Count("cohorts__exposure_date", distinct=True),
        variants=Count("cohorts__variant", distinct=True),
    ).order_by("-created_at", "-id")[:limit]


@require_http_methods(["GET", "POST"])
def map_columns(request, pk: int, token: str):
    experiment = experiment_for_upload(request, pk)
    pending = request.session.get(f"upload:{token}")
    if not pending or pending["experiment"] != experiment.pk:
        context = {"experiment": experiment, "message": UPLOAD_EXPIRED}
        return render(request, "metrics/outcome_message.html", context, status=404)
    posted = request.POST if request.method == "POST" else None
    try:
        shown, dialect_form = file_preview(pending["stored_name"], posted)
    except RejectedData as rejected:
        # A file that cannot be read is not kept: the person uploads a corrected one.
        upload_discard(pending["stored_name"])
        del request.session[f"upload:{token}"]
        context = {
            "experiment": experiment,
            "problems": problem_lines(rejected.problems, rejected.more),
        }
        return render(request, "metrics/outcome_message.html", context, status=400)
    metrics = experiment_metric_kinds(experiment)
    rereading = posted is not None and "reread" in posted
    form = MappingForm(
        None if rereading else posted,
        columns=shown.columns,
        metrics=metrics,
        initial=mapping_initial(experiment, shown, metrics),
    )
    if posted is not None and not rereading and dialect_form.is_valid() and form.is_valid():
        mapping = {**form.mapping(), "dialect": shown.dialect.as_json()}
        try:
            load = data_load_create(
                experiment=experiment,
                user=request.user,
                kind=DataLoad.Kind.FILE,
                stored_name=pending["stored_name"],
                original_name=pending["original_name"],
                content_sha256=pending["sha256"],
                mapping=mapping,
            )
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            mapping_remember(experiment=experiment, mapping=form.mapping(), user=request.user)
            del request.session[f"upload:{token}"]
            return redirect("metrics:load_detail", pk=load.pk)
    context = {
        "experiment": experiment,
        "form": form,
        "dialect_form": dialect_form,
        "preview": shown,
        "dialect_summary": shown.dialect.describe(gettext),
        "rows": shown.rows[:5],
        "loads": past_loads(experiment),
    }
    failed = form.errors or dialect_form.errors
    return render(request, "metrics/outcome_map.html", context, status=400 if failed else 200)


def file_preview(stored_name: str, posted) -> tuple[Preview, DialectForm]:
    """The file's first rows read as detected, or as the person chose on the page."""
    path = upload_path(stored_name)
    shown = preview(path)
    if posted is None:
        initial = shown.dialect.as_json()
        return shown, DialectForm(initial=initial, sheets=shown.sheets)
    dialect_form = DialectForm(posted, sheets=shown.sheets)
    if dialect_form.is_valid():
        shown = preview(path, dialect_form.choices())
    return shown, dialect_form


def mapping_initial(experiment: Experiment, shown: Preview, metrics: dict[str, str]) -> dict:
    """The last mapping when its columns are in this file, else one guessed from the names."""
    remembered = remembered_mapping(experiment)
    columns = set(shown.columns)
    if not (remembered and {remembered.get(r) for r in ("user", "variant", "date")} <= columns):
        remembered = guess_mapping(shown.columns, metrics)
    initial = MappingForm.initial_from(remembered, metrics)
    initial["variant_values"] = variant_values_text(
        suggested_values(shown, remembered.get("variant"), experiment)
    )
    return initial


def suggested_values(shown: Preview, column: str | None, experiment: Experiment) -> dict:
    """File values in the first rows that match a variant in another case only."""
    if column not in shown.columns:
        return {}
    index = shown.columns.index(column)
    seen = {row[index].strip() for row in shown.rows if len(row) > index and row[index]}
    by_lower = {name.lower(): name for name in experiment.variants.values_list("name", flat=True)}
    return {
        value: by_lower[value.lower()]
        for value in sorted(seen)
        if value.lower() in by_lower and by_lower[value.lower()] != value
    }


@require_http_methods(["GET", "POST"])
def counts(request, pk: int):
    experiment = experiment_for_upload(request, pk)
    variants = list(experiment.variants.values_list("name", flat=True))
    metrics = experiment_metric_kinds(experiment)
    more = request.POST.get("more_rows", "")
    if more.isdigit():
        # "More rows" is a button of the same form: the page comes back with what was typed
        # and room for more; nothing is checked or saved until "Save the counts".
        form = CountsForm(
            initial=request.POST.dict(), metrics=metrics, variants=variants, rows=int(more)
        )
        context = {"experiment": experiment, "form": form, "more_rows": form.rows + 10}
        return render(request, "metrics/outcome_counts.html", context)
    form = CountsForm(
        request.POST or None, metrics=metrics, variants=variants, rows=asked_rows(request)
    )
    if request.method == "POST" and form.is_valid():
        try:
            load = counts_rows_load(
                experiment=experiment,
                user=request.user,
                rows=form.payload(),
                kind=DataLoad.Kind.COUNTS,
            )
        except RejectedData as rejected:
            form.problems_show(rejected.problems, rejected.more)
        else:
            return redirect("metrics:load_detail", pk=load.pk)
    status = 400 if form.is_bound else 200
    context = {"experiment": experiment, "form": form, "more_rows": form.rows + 10}
    return render(request, "metrics/outcome_counts.html", context, status=status)


def asked_rows(request) -> int | None:
    """?rows=30: how many rows the page offers before anything is typed."""
    text = request.GET.get("rows", "")
    return int(text) if text.isdigit() else None


@require_http_methods(["GET", "POST"])
def counts_file(request, pk: int):
    experiment = experiment_for_upload(request, pk)
    form = CountsFileForm(
        request.POST or None, request.FILES or None, metrics=experiment_metric_kinds(experiment)
    )
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            load = counts_file_load(
                experiment=experiment,
                user=request.user,
                upload=form.cleaned_data["file"],
                metric=form.cleaned_data["metric"],
                columns=form.columns(),
                dimensions=form.cleaned_data["dimensions"],
            )
        except RejectedData as rejected:
            problems = problem_lines(rejected.problems, rejected.more)
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            return redirect("metrics:load_detail", pk=load.pk)
    context = {
        "experiment": experiment,
        "form": form,
        "problems": problems,
        "columns": counts_columns(),
    }
    return render(
        request, "metrics/outcome_counts_file.html", context, status=400 if form.is_bound else 200
    )


def counts_columns() -> list[tuple[str, str]]:
    """(metric kind, its columns) for the page: what each kind of export must contain."""

    def optional(name: str) -> str:
        return gettext("{column} (optional)").format(column=name)

    return [
        (
            MetricKind(kind).label,
            ", ".join(
                (
                    "variant",
                    optional("date"),
                    "users",
                    *needed,
                    *map(optional, OPTIONAL.get(kind, ())),
                )
            ),
        )
        for kind, needed in REQUIRED.items()
    ]


def load_detail(request, pk: int):
    load = get_object_or_404(DataLoad.objects.select_related("experiment"), pk=pk)
    cohorts = load.cohorts.select_related("metric", "variant").order_by(
        "metric__name", "exposure_date", "variant__name"
    )
    brought = cohorts.aggregate(
        days=Count("exposure_date", distinct=True), variants=Count("variant", distinct=True)
    )
    errors = problem_lines(load.errors, load.errors_more)
    notes = [note_text(note) for note in load.notes]
    context = {
        "load": load,
        "phase": gettext(load.phase) if load.phase else "",  # stored in English, like the notes
        "cohorts": cohorts,
        "errors": errors,
        "notes": notes,
        **brought,
    }
    return render(request, "metrics/load_detail.html", context)


def load_status(request, pk: int):
    load = get_object_or_404(DataLoad, pk=pk)
    return JsonResponse(
        {
            "status": load.status,
            "status_label": load.get_status_display(),
            "phase": gettext(load.phase) if load.phase else "",
            "percent": load.progress_percent,
            "rows_read": load.rows_read,
            "done": load.is_done,
        }
    )

"""Outcome pages: upload, map columns, watch progress, read the statistics; typed counts."""

import uuid

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts import access
from experiments.forms import service_error_to_form
from experiments.models import Experiment
from metrics.ingestion.counts import OPTIONAL, REQUIRED
from metrics.ingestion.forms import CountsFileForm, CountsForm, MappingForm, UploadForm
from metrics.ingestion.mapping import experiment_metric_kinds, mapping_remember, remembered_mapping
from metrics.ingestion.parse import preview
from metrics.ingestion.problems import RejectedData
from metrics.ingestion.services import (
    counts_file_load,
    data_load_create,
    upload_path,
    upload_store,
)
from metrics.ingestion.source_views import query_sources
from metrics.models import DataLoad

UPLOAD_EXPIRED = "This upload is no longer waiting for a mapping; upload the file again."


def experiment_for_upload(request, pk: int) -> Experiment:
    experiment = get_object_or_404(Experiment, pk=pk)
    access.require(access.can_edit_experiment(request.user, experiment))
    return experiment


@require_http_methods(["GET", "POST"])
def upload(request, pk: int):
    experiment = experiment_for_upload(request, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            stored_name, digest = upload_store(chunks=form.cleaned_data["file"].chunks())
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            token = uuid.uuid4().hex
            request.session[f"upload:{token}"] = {
                "stored_name": stored_name, "sha256": digest,
                "original_name": form.cleaned_data["file"].name, "experiment": experiment.pk,
            }  # fmt: skip
            return redirect("metrics:outcome_map", pk=experiment.pk, token=token)
    status = 400 if form.is_bound else 200
    context = {"experiment": experiment, "form": form, "loads": experiment.data_loads.all()[:10]}
    context["can_attach_query"] = bool(query_sources(request.user))
    return render(request, "metrics/outcome_upload.html", context, status=status)


@require_http_methods(["GET", "POST"])
def map_columns(request, pk: int, token: str):
    experiment = experiment_for_upload(request, pk)
    pending = request.session.get(f"upload:{token}")
    if not pending or pending["experiment"] != experiment.pk:
        context = {"experiment": experiment, "message": UPLOAD_EXPIRED}
        return render(request, "metrics/outcome_message.html", context, status=404)
    try:
        columns, rows = preview(upload_path(pending["stored_name"]))
    except RejectedData as rejected:
        context = {"experiment": experiment, "problems": rejected.problems}
        return render(request, "metrics/outcome_message.html", context, status=400)
    metrics = experiment_metric_kinds(experiment)
    initial = MappingForm.initial_from(remembered_mapping(experiment), metrics)
    form = MappingForm(request.POST or None, columns=columns, metrics=metrics, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            load = data_load_create(
                experiment=experiment, user=request.user, kind=DataLoad.Kind.FILE,
                stored_name=pending["stored_name"], original_name=pending["original_name"],
                content_sha256=pending["sha256"], mapping=form.mapping(),
            )  # fmt: skip
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            mapping_remember(experiment=experiment, mapping=form.mapping(), user=request.user)
            del request.session[f"upload:{token}"]
            return redirect("metrics:load_detail", pk=load.pk)
    context = {"experiment": experiment, "form": form, "columns": columns, "rows": rows}
    return render(request, "metrics/outcome_map.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def counts(request, pk: int):
    experiment = experiment_for_upload(request, pk)
    variants = list(experiment.variants.values_list("name", flat=True))
    form = CountsForm(request.POST or None, metrics=experiment_metric_kinds(experiment),
                      variants=variants)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        load = data_load_create(experiment=experiment, user=request.user,
                                kind=DataLoad.Kind.COUNTS, payload=form.payload())  # fmt: skip
        return redirect("metrics:load_detail", pk=load.pk)
    status = 400 if form.is_bound else 200
    return render(request, "metrics/outcome_counts.html",
                  {"experiment": experiment, "form": form}, status=status)  # fmt: skip


@require_http_methods(["GET", "POST"])
def counts_file(request, pk: int):
    experiment = experiment_for_upload(request, pk)
    form = CountsFileForm(request.POST or None, request.FILES or None,
                          metrics=experiment_metric_kinds(experiment))  # fmt: skip
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            load = counts_file_load(experiment=experiment, user=request.user,
                                    upload=form.cleaned_data["file"],
                                    metric=form.cleaned_data["metric"])  # fmt: skip
        except RejectedData as rejected:
            problems = [*map(str, rejected.problems), *more_problems(rejected.more)]
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            return redirect("metrics:load_detail", pk=load.pk)
    context = {"experiment": experiment, "form": form, "problems": problems,
               "columns": counts_columns()}  # fmt: skip
    return render(request, "metrics/outcome_counts_file.html", context,
                  status=400 if form.is_bound else 200)  # fmt: skip


def more_problems(count: int) -> list[str]:
    return [f"… and {count:,} more problems."] if count else []


def counts_columns() -> list[tuple[str, str]]:
    """(metric kind, its columns) for the page: what each kind of export must contain."""
    return [(kind, ", ".join(("variant", "date (optional)", "users", *needed,
                              *(f"{name} (optional)" for name in OPTIONAL.get(kind, ())))))
            for kind, needed in REQUIRED.items()]  # fmt: skip


def load_detail(request, pk: int):
    load = get_object_or_404(DataLoad.objects.select_related("experiment"), pk=pk)
    cohorts = load.cohorts.select_related("metric", "variant").order_by(
        "metric__name", "exposure_date", "variant__name"
    )
    return render(request, "metrics/load_detail.html", {"load": load, "cohorts": cohorts})


def load_status(request, pk: int):
    load = get_object_or_404(DataLoad, pk=pk)
    return JsonResponse({
        "status": load.status, "status_label": load.get_status_display(),
        "phase": load.phase, "percent": load.progress_percent,
        "rows_read": load.rows_read, "done": load.is_done,
    })  # fmt: skip

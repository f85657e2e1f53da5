"""SQL data source pages: analysts save connections and attach queries; anyone who may edit
the experiment asks for a refresh. No page ever shows a password (sources.url_shown)."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from experiments.models import Experiment
from growthlab.web.forms import service_error_to_form
from metrics.ingestion.forms import DataSourceForm, ExperimentQueryForm
from metrics.ingestion.mapping import experiment_metric_kinds
from metrics.ingestion.sources import (
    data_source_save,
    experiment_query_save,
    sql_refresh,
    url_shown,
)
from metrics.models import DataSource, ExperimentQuery


def source_list(request):
    sources = DataSource.objects.select_related("team")
    rows = [(source, url_shown(source)) for source in sources]
    may_add = bool(access.teams_where(request.user, "data_source"))
    return render(request, "metrics/source_list.html", {"rows": rows, "may_add": may_add})


@require_http_methods(["GET", "POST"])
def source_edit(request, pk: int | None = None):
    source = DataSource() if pk is None else get_object_or_404(DataSource, pk=pk)
    teams = access.teams_where(request.user, "data_source")
    access.require(bool(teams) if pk is None else access.can_edit_data_source(request.user, source))
    form = DataSourceForm(request.POST or None, instance=source, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            data_source_save(source=form.instance, url=form.cleaned_data["url"], user=request.user)
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            return redirect("metrics:source_list")
    context = {"form": form, "source": source, "shown": url_shown(source) if pk else ""}
    return render(request, "metrics/source_form.html", context, status=400 if form.errors else 200)


def query_sources(user) -> list[DataSource]:
    """The SQL sources this person may attach a test's query to; none hides the link."""
    return [s for s in DataSource.objects.all() if access.can_edit_data_source(user, s)]


@require_http_methods(["GET", "POST"])
def outcome_sql(request, pk: int):
    experiment = get_object_or_404(Experiment, pk=pk)
    # Where a test's data comes from is part of the test: it takes the right to change both.
    access.require(access.can_edit_experiment(request.user, experiment))
    sources = query_sources(request.user)
    access.require(bool(sources))
    attached = ExperimentQuery.objects.filter(experiment=experiment).first()
    metrics = experiment_metric_kinds(experiment)
    form = ExperimentQueryForm(
        request.POST or None, sources=sources, metrics=metrics, attached=attached
    )
    if request.method == "POST" and form.is_valid():
        try:
            experiment_query_save(experiment=experiment, user=request.user, **form.values())
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            return redirect("experiment:outcome_upload", pk=experiment.pk)
    context = {"experiment": experiment, "form": form}
    return render(request, "metrics/outcome_sql.html", context, status=400 if form.errors else 200)


@require_POST
def outcome_sql_refresh(request, pk: int):
    experiment = get_object_or_404(Experiment, pk=pk)
    access.require(access.can_edit_experiment(request.user, experiment))
    try:
        load = sql_refresh(experiment=experiment, user=request.user)
    except ValidationError as error:
        context = {"experiment": experiment, "message": " ".join(error.messages)}
        return render(request, "metrics/outcome_message.html", context, status=400)
    return redirect("metrics:load_detail", pk=load.pk)

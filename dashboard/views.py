"""The calculator and the results page: read-only for everyone signed in."""

from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify

from analysis.api.results import FlatResultSerializer, current_result_ids, flat_row, result_rows
from dashboard import calculator as calc
from dashboard import charts
from dashboard.results import results_context
from experiments.models import Experiment
from growthlab.rest.export import columns_of, csv_download, dialect_of


def calculator(request):
    """Three quick questions, answered from the query string so an answer is a shareable link."""
    question = request.GET.get("question", "")
    forms, answer = calc.answer(question, request.GET or None)
    context = {"forms": forms, "question": question, "answer": answer, "figures": {}}
    if question == "significance" and answer:
        result = answer["result"]
        context["figures"] = {"significance": charts.forest_figure(result, mde=None)}
        context["table"] = charts.forest_table(result)
    refused = question in calc.QUESTIONS and answer is None
    return render(request, "dashboard/calculator.html", context, status=400 if refused else 200)


def results_csv(request, pk: int):
    """This test's current results, one row per variant × metric, as the API's flat export;
    ``?dialect=local`` for the reader's spreadsheet."""
    experiment = get_object_or_404(Experiment, pk=pk)
    ids = list(current_result_ids().filter(experiment_id=experiment.pk))
    rows = (flat_row(row) for row in result_rows(ids))
    filename = f"results-{experiment.pk}-{slugify(experiment.title)}"
    columns = columns_of(FlatResultSerializer())
    return csv_download(columns, rows, filename, dialect_of(request))


def results(request, pk: int):
    """One test's answer: headline, every metric's chart and numbers, health and data state."""
    experiment = get_object_or_404(Experiment.objects.select_related("team", "owner"), pk=pk)
    context = results_context(experiment, request.GET.get("segment"))
    status = 400 if context["segment_refused"] else 200
    return render(request, "dashboard/results.html", context, status=status)

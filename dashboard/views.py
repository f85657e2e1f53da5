"""The calculator and the results page: read-only for everyone signed in."""

from django.shortcuts import get_object_or_404, render

from dashboard import calculator as calc
from dashboard import charts
from dashboard.results import results_context
from experiments.models import Experiment
from metrics.stats.jsonio import result_from_dict


def calculator(request):
    """Three quick questions, answered from the query string so an answer is a shareable link."""
    question = request.GET.get("question", "")
    forms, answer = calc.answer(question, request.GET or None)
    context = {"forms": forms, "question": question, "answer": answer, "figures": {}}
    if question == "significance" and answer:
        result = result_from_dict(answer["output"])
        context["figures"] = {"significance": charts.forest_figure(result, mde=None)}
        context["table"] = charts.forest_table(result)
    refused = question in calc.QUESTIONS and answer is None
    return render(request, "dashboard/calculator.html", context, status=400 if refused else 200)


def results(request, pk: int):
    """One test's answer: headline, every metric's chart and numbers, health and data state."""
    experiment = get_object_or_404(Experiment.objects.select_related("team", "owner"), pk=pk)
    return render(request, "dashboard/results.html", results_context(experiment))

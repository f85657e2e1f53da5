"""The learnings library: search and filters for everyone; links by people who may document."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts import access
from accounts.models import Team
from experiments.models import Channel, Decision, Tag
from growthlab.web.forms import service_error_to_form
from learnings import charts, selectors
from learnings.forms import LearningLinkForm
from learnings.impact import programme_impact, quarterly_figures
from learnings.services import learning_link_create
from learnings.templatetags.learnings import lift_label
from metrics.models import Metric

PAGE_SIZE = 20
# What a form sends as the user types; longer text adds nothing to the match but cost.
SIMILAR_TEXT_LIMIT = 1000


def library(request):
    filters = selectors.LibraryFilters.from_query(request.GET)
    page = Paginator(selectors.library(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "learnings": page,
        "filters": filters,
        "full_text": selectors.full_text(),
        "teams": Team.objects.all(),
        "channels": Channel.choices,
        "decisions": Decision.choices,
        "results": [("won", "Won"), ("lost", "Lost"), ("inconclusive", "Inconclusive")],
        "metrics": Metric.objects.order_by("name"),
        "tags": Tag.objects.all(),
        "querystring": query.urlencode(),
    }
    return render(request, "learnings/library.html", context)


def detail_context(request, learning, form=None) -> dict:
    can_link = access.can_edit(request.user, "experiment", None)
    return {
        "learning": learning,
        "form": form or LearningLinkForm(learning=learning),
        "can_link": can_link,
    }


def learning_detail(request, pk: int):
    learning = get_object_or_404(selectors.learnings(), pk=pk)
    return render(request, "learnings/detail.html", detail_context(request, learning))


@require_POST
def learning_link(request, pk: int):
    learning = get_object_or_404(selectors.learnings(), pk=pk)
    form = LearningLinkForm(request.POST, learning=learning)
    if form.is_valid():
        later = form.cleaned_data["later_test"]
        # The link is evidence from the later test, so its team's documenting roles add it.
        access.require(access.can_edit_experiment(request.user, later))
        try:
            learning_link_create(learning=learning, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            messages.success(request, "Link saved.")
            return redirect("learnings:detail", pk=pk)
    context = detail_context(request, learning, form)
    return render(request, "learnings/detail.html", context, status=400)


@require_GET
def similar(request):
    """Concluded tests like the text being typed in an idea or experiment form, as JSON."""
    text = request.GET.get("q", "")[:SIMILAR_TEXT_LIMIT]
    exclude = request.GET.get("exclude", "")
    tests = selectors.similar_tests(text, exclude_pk=int(exclude) if exclude.isdigit() else None)
    results = [
        {
            "id": test.pk,
            "title": test.title,
            "decision": test.decision,
            "decision_label": str(test.get_decision_display()),
            "learning": test.learning,
            "lift_label": lift_label(test.lift),
            "url": reverse("learnings:detail", args=[test.pk]),
        }
        for test in tests
    ]
    return JsonResponse({"results": results})


def programme(request):
    """What shipped tests added per KPI node and team, raw beside shrunk for the winner's curse."""
    nodes = programme_impact()
    context = {"nodes": nodes, "figures": charts.figures(nodes), "quarters": quarterly_figures()}
    return render(request, "learnings/programme.html", context)

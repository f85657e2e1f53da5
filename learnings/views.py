"""The learnings library: search and filters for everyone; links by people who may document."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts import access
from accounts.models import Team
from experiments.models import Channel, Decision, Tag
from growthlab.web.forms import service_error_to_form
from learnings import charts, selectors
from learnings.forms import LearningLinkForm, ReadBackPlanForm, ReadBackPostmortemForm
from learnings.impact import programme_impact, quarterly_figures
from learnings.models import ReadBack, ReadBackPlan
from learnings.readbacks import (
    readback_plan_save,
    readback_postmortem_write,
    readback_retry,
    users_in_plan,
)
from learnings.services import learning_link_create
from learnings.templatetags.learnings import lift_label
from metrics.models import Metric

PAGE_SIZE = 20
# What a form sends as the user types; longer text adds nothing to the match but cost.
SIMILAR_TEXT_LIMIT = 1000

RESULTS = [
    ("won", gettext_lazy("Won")),
    ("lost", gettext_lazy("Lost")),
    ("inconclusive", gettext_lazy("Inconclusive")),
]


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
        "results": RESULTS,
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
    return learning_page(request, get_object_or_404(selectors.learnings(), pk=pk))


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
            messages.success(request, _("Link saved."))
            return redirect("learnings:detail", pk=pk)
    context = {**detail_context(request, learning, form), **readback_context(request, learning)}
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


# --- Did the win hold -------------------------------------------------------------------------


def readback_context(request, experiment, *, on_test_page=False, form=None, postmortem=None):
    """What the "Did the win hold?" card shows: the plan, each read-back, the forms allowed."""
    plan = ReadBackPlan.objects.filter(experiment=experiment).select_related("metric").first()
    can_plan = access.can_conclude_experiment(request.user, experiment)
    if form is None and can_plan:
        initial = {"days": "30, 60, 90"}
        if plan is not None:
            days = ", ".join(str(r.days) for r in plan.readbacks.all())
            initial = {"metric": plan.metric, "column": plan.column, "days": days}
        form = ReadBackPlanForm(initial=initial)
    return {
        "experiment": experiment,
        "plan": plan,
        "readbacks": list(plan.readbacks.all()) if plan else [],
        "users_in_test": users_in_plan(plan) if plan else {},
        "can_plan": can_plan,
        "can_retry": access.can_edit_experiment(request.user, experiment),
        "plan_form": form,
        "postmortem_form": postmortem or ReadBackPostmortemForm(),
        "on_test_page": on_test_page,
    }


def learning_page(request, learning, status=200, **forms):
    context = {**detail_context(request, learning), **readback_context(request, learning, **forms)}
    return render(request, "learnings/detail.html", context, status=status)


@require_POST
def readback_plan(request, pk: int):
    learning = get_object_or_404(selectors.learnings(), pk=pk)
    access.require(access.can_conclude_experiment(request.user, learning))
    form = ReadBackPlanForm(request.POST)
    if form.is_valid():
        try:
            readback_plan_save(experiment=learning, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            messages.success(request, _("The read-backs are scheduled."))
            return redirect("learnings:detail", pk=pk)
    return learning_page(request, learning, status=400, form=form)


@require_POST
def readback_try_again(request, pk: int):
    readback = get_object_or_404(ReadBack.objects.select_related("plan__experiment"), pk=pk)
    experiment = readback.plan.experiment
    access.require(access.can_edit_experiment(request.user, experiment))
    try:
        readback_retry(readback=readback, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The read-back is queued again."))
    return redirect("learnings:detail", pk=experiment.pk)


@require_POST
def readback_postmortem(request, pk: int):
    learning = get_object_or_404(selectors.learnings(), pk=pk)
    access.require(access.can_conclude_experiment(request.user, learning))
    plan = get_object_or_404(ReadBackPlan, experiment=learning)
    form = ReadBackPostmortemForm(request.POST)
    if form.is_valid():
        try:
            readback_postmortem_write(plan=plan, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            messages.success(request, _("The post-mortem is saved."))
            return redirect("learnings:detail", pk=pk)
    return learning_page(request, learning, status=400, postmortem=form)

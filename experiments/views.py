"""Pages for the backlog and the experiments. Each view validates, calls a service, renders."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from accounts.models import Team
from dashboard.results import measured_result
from experiments import selectors
from experiments.api.rows import experiment_csv_columns, experiment_list_rows, experiment_rows
from experiments.api.serializers import ExperimentSerializer
from experiments.business_case import business_cases
from experiments.forms import (
    AttachMetricForm,
    ConcludeForm,
    ExperimentForm,
    IdeaForm,
    SampleSizePlanForm,
    VariantForm,
)
from experiments.models import (
    Channel,
    CustomField,
    Decision,
    Experiment,
    ExperimentMetric,
    ExperimentTemplate,
    Idea,
    Variant,
)
from experiments.services.experiments import (
    FROZEN_STATUSES,
    VARIANTS_LOCKED_STATUSES,
    experiment_create,
    experiment_metric_attach,
    experiment_metric_detach,
    experiment_update,
    variant_remove,
    variant_save,
)
from experiments.services.ideas import idea_create, idea_turn_into_test, idea_update
from experiments.services.lifecycle import (
    TRANSITIONS,
    available_transitions,
    experiment_conclude,
    experiment_transition,
    start_blockers,
)
from experiments.services.planning import (
    experiment_plan_sample_size,
    plan_method_of,
    plan_rule,
)
from experiments.services.signoff import (
    edit_needs_signoff,
    policy_of,
    proposal_dump,
    proposal_lines,
    signoff_request,
)
from growthlab.rest.export import chunked_rows, csv_download
from growthlab.web.forms import service_error_to_form
from metrics.models import MetricKind

PAGE_SIZE = 25
CHANGE_WAITS_FOR_SIGNOFF = gettext_lazy(
    "Your change waits for a team lead's sign-off: it is applied when a lead approves it."
)
LIFECYCLE = [
    ("idea", gettext_lazy("Idea")),
    *((value, label) for value, label in Experiment.Status.choices),
]


def page_of(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def filter_context(request) -> dict:
    return {
        "teams": Team.objects.all(),
        "channels": Channel.choices,
        "decisions": Decision.choices,
        "query": request.GET,
        "querystring": request.GET.copy().urlencode() if "page" not in request.GET else "",
    }


def home(request):
    running = selectors.experiment_list(selectors.ListFilters(status="running"))[:10]
    learnings = selectors.experiment_list(selectors.ListFilters(status="concluded"))[:5]
    ideas = selectors.backlog(
        selectors.ListFilters(status="new"), my_team_ids=access.roles_by_team(request.user)
    )[:5]
    return render(
        request,
        "experiments/home.html",
        {
            "running": running,
            "learnings": learnings,
            "ideas": ideas,
            "can_create_idea": bool(access.teams_where(request.user, "idea")),
            "can_create_experiment": bool(access.teams_where(request.user, "experiment")),
        },
    )


def backlog(request):
    filters = selectors.ListFilters.from_query(request.GET)
    my_team_ids = access.roles_by_team(request.user)
    ideas = page_of(request, selectors.backlog(filters, my_team_ids=my_team_ids))
    context = {"ideas": ideas, "statuses": Idea.Status.choices, **filter_context(request)}
    context["can_create"] = bool(access.teams_where(request.user, "idea"))
    context["my_team_ids"] = list(my_team_ids)
    return render(request, "experiments/backlog.html", context)


def idea_detail(request, pk: int):
    idea = get_object_or_404(Idea.objects.select_related("team", "author"), pk=pk)
    return render(
        request,
        "experiments/idea_detail.html",
        {
            "idea": idea,
            "experiments": idea.experiments.select_related("owner"),
            "history": idea.history.select_related("user"),
            "can_edit": access.can_edit_idea(request.user, idea),
            "once_key": uuid.uuid4().hex,  # "Turn into a test" makes one test per page drawn
        },
    )


@require_http_methods(["GET", "POST"])
def idea_edit(request, pk: int | None = None):
    idea = get_object_or_404(Idea, pk=pk) if pk else None
    if idea is not None:
        access.require(access.can_edit_idea(request.user, idea))
    else:
        access.require(bool(access.teams_where(request.user, "idea")))
    form = IdeaForm(request.POST or None, instance=idea, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("team", "tags")}
        try:
            if idea is None:
                idea = idea_create(
                    team=form.cleaned_data["team"],
                    author=request.user,
                    data=data,
                    tags=form.cleaned_data["tags"],
                )
            else:
                idea = idea_update(
                    idea=idea, user=request.user, data=data, tags=form.cleaned_data["tags"]
                )
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            messages.success(request, _("Idea saved."))
            return redirect(idea)
    status = 400 if form.is_bound else 200
    context = {"form": form, "idea": idea}
    return render(request, "experiments/idea_form.html", context, status=status)


@require_POST
def idea_to_experiment(request, pk: int):
    idea = get_object_or_404(Idea, pk=pk)
    access.require(access.can_edit_experiment(request.user, idea))
    try:
        experiment, created = idea_turn_into_test(
            idea=idea, user=request.user, once_key=request.POST.get("once_key", "")[:255]
        )
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
        return redirect(idea)
    if created:
        messages.success(
            request,
            _("The idea is now a draft test. Write the hypothesis, then plan and start it."),
        )
    return redirect("experiments:experiment_edit", pk=experiment.pk)


def experiment_list(request):
    filters = selectors.ListFilters.from_query(request.GET)
    experiments = page_of(request, selectors.experiment_list(filters))
    context = {
        "experiments": experiments,
        "statuses": Experiment.Status.choices,
        **filter_context(request),
    }
    context["can_create"] = bool(access.teams_where(request.user, "experiment"))
    context["csv_query"] = experiment_list_csv_query(request)
    context["custom_filters"] = [
        (field, request.GET.get(f"cf_{field.key}", "")) for field in CustomField.objects.all()
    ]
    return render(request, "experiments/experiment_list.html", context)


def experiment_list_csv(request):
    """Every test the list shows with these filters (all pages), as the API's CSV export."""
    filters = selectors.ListFilters.from_query(request.GET)
    ids = selectors.experiment_list(filters).values_list("id", flat=True)
    columns = experiment_csv_columns(ExperimentSerializer(context={"request": request}))
    rows = chunked_rows(
        ids, lambda chunk: experiment_rows(list(experiment_list_rows(chunk)), request=request)
    )
    return csv_download(columns, rows, "experiments")


def experiment_list_csv_query(request) -> str:
    """The list's filters as the CSV link's query string: no page, no empty value."""
    query = request.GET.copy()
    query.pop("page", None)
    for name in [name for name, value in query.items() if not value.strip()]:
        query.pop(name)
    return query.urlencode()


def experiment_detail(request, pk: int):
    try:
        experiment = selectors.experiment_detail(pk)
    except Experiment.DoesNotExist:
        return render(request, "404.html", status=404)
    return render(
        request, "experiments/experiment_detail.html", detail_context(request, experiment)
    )


def lifecycle_steps(experiment: Experiment) -> list[tuple[str, bool, bool]]:
    """(label, done, current) per lifecycle step; only steps the test really took are done."""
    taken = {
        "idea": experiment.idea_id is not None,
        Experiment.Status.DRAFT: True,
        Experiment.Status.PLANNED: experiment.sprint_id is not None,
        Experiment.Status.RUNNING: experiment.started_at is not None,
        Experiment.Status.ANALYSING: experiment.stopped_at is not None,
        Experiment.Status.CONCLUDED: experiment.concluded_at is not None,
        Experiment.Status.ARCHIVED: experiment.archived_at is not None,
    }
    return [
        (label, taken[value] and value != experiment.status, value == experiment.status)
        for value, label in LIFECYCLE
    ]


def detail_context(request, experiment: Experiment, **extra) -> dict:
    can_edit = access.can_edit_experiment(request.user, experiment)
    return {
        "experiment": experiment,
        "can_edit": can_edit,
        "can_conclude": access.can_conclude_experiment(request.user, experiment),
        "variants_open": can_edit and experiment.status not in VARIANTS_LOCKED_STATUSES,
        "documentation_open": can_edit and experiment.status not in FROZEN_STATUSES,
        "transitions": available_transitions(experiment) if can_edit else [],
        "blockers": start_blockers(experiment) if experiment.status in ("draft", "planned") else [],
        "lifecycle": lifecycle_steps(experiment),
        "metric_form": AttachMetricForm(experiment=experiment),
        "plan_baseline": plan_baseline_text(experiment),
        "business_case": business_cases([experiment])[experiment.pk],
        "plan_rule": plan_rule(experiment),
        **process_context(request, experiment),
        **extra,
    }


def process_context(request, experiment: Experiment) -> dict:
    """The test-process parts of the page: custom values, checklist, sign-off, templates."""
    values = dict(experiment.custom_values.values_list("field__key", "value"))
    signoffs = list(experiment.signoff_requests.select_related("requested_by", "decided_by"))
    for signoff in signoffs:
        signoff.lines = proposal_lines(signoff)
    policy = policy_of(experiment.team)
    can_edit = access.can_edit_experiment(request.user, experiment)
    waiting_start = any(s.kind == "start" and s.status == "pending" for s in signoffs)
    approved_start = any(s.kind == "start" and s.status == "approved" for s in signoffs)
    return {
        "custom_values": [
            (field, values.get(field.key, "")) for field in CustomField.objects.all()
        ],
        "checklist": list(experiment.checklist.select_related("done_by")),
        "signoffs": signoffs,
        "signoff_policy": policy,
        "can_sign_off": access.can_sign_off(request.user, experiment),
        "can_ask_start_signoff": can_edit
        and policy.before_start
        and experiment.status in ("draft", "planned")
        and not waiting_start
        and not approved_start,
        "can_save_template": access.can_edit_template(
            request.user, ExperimentTemplate(team=experiment.team)
        ),
        "is_admin": access.is_admin(request.user),
    }


def plan_baseline_text(experiment: Experiment) -> str:
    """The plan's baseline as a marketer reads it: a conversion rate in percent."""
    if experiment.plan_baseline is None:
        return "–"
    metric = selectors.primary_metric(experiment)
    if metric is not None and metric.kind == MetricKind.BINOMIAL:
        return f"{experiment.plan_baseline * 100:.4g}%"
    return f"{experiment.plan_baseline:,.4g}"


@require_http_methods(["GET", "POST"])
def experiment_edit(request, pk: int | None = None):
    experiment = get_object_or_404(Experiment, pk=pk) if pk else None
    if experiment is not None:
        access.require(access.can_edit_experiment(request.user, experiment))
    else:
        access.require(bool(access.teams_where(request.user, "experiment")))
    form = ExperimentForm(request.POST or None, instance=experiment, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in ("team", "tags") and not k.startswith("cf_")
        }
        tags = form.cleaned_data["tags"]
        try:
            custom = form.custom_values()
            if experiment is None:
                team = form.cleaned_data["team"]
                experiment = experiment_create(
                    team=team, user=request.user, data=data, tags=tags, custom_values=custom
                )
            elif edit_needs_signoff(experiment, request.user):
                proposal = proposal_dump(data, tags, custom)
                signoff_request(
                    experiment=experiment, user=request.user, kind="edit", proposal=proposal
                )
                messages.info(request, str(CHANGE_WAITS_FOR_SIGNOFF))
                return redirect(experiment)
            else:
                experiment = experiment_update(
                    experiment=experiment,
                    user=request.user,
                    data=data,
                    tags=tags,
                    custom_values=custom,
                )
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            messages.success(request, _("Documentation saved."))
            return redirect(experiment)
    status = 400 if form.is_bound else 200
    context = {"form": form, "experiment": experiment}
    return render(request, "experiments/experiment_form.html", context, status=status)


def plan_defaults(experiment: Experiment) -> dict:
    """Start an empty plan from the primary metric's baseline in the catalogue."""
    metric = selectors.primary_metric(experiment)
    if metric is None or experiment.plan_baseline is not None:
        return {}
    return {"plan_baseline": metric.baseline_value, "plan_baseline_sd": metric.baseline_sd}


@require_http_methods(["GET", "POST"])
def experiment_plan(request, pk: int):
    experiment = get_object_or_404(Experiment, pk=pk)
    access.require(access.can_edit_experiment(request.user, experiment))
    metric = selectors.primary_metric(experiment)
    form = SampleSizePlanForm(
        request.POST or None,
        instance=experiment,
        initial=plan_defaults(experiment),
        rate_in_percent=metric is not None and metric.kind == MetricKind.BINOMIAL,
    )
    if request.method == "POST" and form.is_valid():
        try:
            experiment_plan_sample_size(
                experiment=experiment, user=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            messages.success(request, _("Sample-size plan saved."))
            return redirect(experiment)
    experiment.refresh_from_db()
    status = 400 if form.is_bound else 200
    context = {"form": form, "experiment": experiment, "plan_method": plan_method_of(experiment)}
    return render(request, "experiments/plan_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def variant_edit(request, pk: int, variant_pk: int | None = None):
    experiment = get_object_or_404(Experiment, pk=pk)
    access.require(access.can_edit_experiment(request.user, experiment))
    variant = (
        get_object_or_404(Variant, pk=variant_pk, experiment=experiment)
        if variant_pk
        else Variant(experiment=experiment)
    )
    form = VariantForm(request.POST or None, request.FILES or None, instance=variant)
    if request.method == "POST" and form.is_valid():
        try:
            variant_save(variant=form.save(commit=False), user=request.user)
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            messages.success(request, _("Variant %(name)s saved.") % {"name": variant.name})
            return redirect(experiment)
    status = 400 if form.is_bound else 200
    context = {"form": form, "experiment": experiment, "variant": variant}
    return render(request, "experiments/variant_form.html", context, status=status)


@require_POST
def variant_delete(request, pk: int, variant_pk: int):
    variant = get_object_or_404(Variant, pk=variant_pk, experiment_id=pk)
    access.require(access.can_edit_experiment(request.user, variant.experiment))
    try:
        variant_remove(variant=variant, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("experiments:experiment_detail", pk=pk)
    messages.success(request, _("Variant %(name)s removed.") % {"name": variant.name})
    return redirect("experiments:experiment_detail", pk=pk)


def variant_screenshot(request, pk: int, variant_pk: int):
    """Serve a screenshot to signed-in people only; media is never public."""
    variant = get_object_or_404(Variant, pk=variant_pk, experiment_id=pk)
    if not variant.screenshot:
        raise Http404(_("This variant has no screenshot."))
    response = FileResponse(variant.screenshot.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
def metric_attach(request, pk: int):
    experiment = get_object_or_404(Experiment, pk=pk)
    access.require(access.can_edit_experiment(request.user, experiment))
    form = AttachMetricForm(request.POST, experiment=experiment)
    if form.is_valid():
        try:
            experiment_metric_attach(experiment=experiment, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            messages.success(
                request, _("%(metric)s attached.") % {"metric": form.cleaned_data["metric"]}
            )
            return redirect(experiment)
    experiment = selectors.experiment_detail(pk)
    context = detail_context(request, experiment, metric_form=form)
    return render(request, "experiments/experiment_detail.html", context, status=400)


@require_POST
def metric_detach(request, pk: int, link_pk: int):
    link = get_object_or_404(
        ExperimentMetric.objects.select_related("metric"), pk=link_pk, experiment_id=pk
    )
    access.require(access.can_edit_experiment(request.user, link.experiment))
    try:
        experiment_metric_detach(link=link, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("experiments:experiment_detail", pk=pk)


@require_POST
def experiment_move(request, pk: int, action: str):
    experiment = get_object_or_404(Experiment, pk=pk)
    if action not in TRANSITIONS or action == "conclude":
        return render(request, "404.html", status=404)
    access.require(access.can_edit_experiment(request.user, experiment))
    try:
        experiment = experiment_transition(experiment=experiment, user=request.user, action=action)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        experiment = selectors.experiment_detail(pk)
        return render(
            request,
            "experiments/experiment_detail.html",
            detail_context(request, experiment),
            status=409,
        )
    status = experiment.get_status_display().lower()
    messages.success(request, _("The test is now %(status)s.") % {"status": status})
    return redirect(experiment)


@require_http_methods(["GET", "POST"])
def experiment_conclude_view(request, pk: int):
    experiment = get_object_or_404(Experiment, pk=pk)
    access.require(access.can_conclude_experiment(request.user, experiment))
    measured = measured_result(experiment)
    form = ConcludeForm(request.POST or None, initial={"what_happened": measured.summary})
    if request.method == "POST" and form.is_valid():
        try:
            experiment_conclude(experiment=experiment, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            messages.success(request, _("Concluded. The learning is now in the library."))
            return redirect(experiment)
    status = 400 if form.is_bound else 200
    context = {"form": form, "experiment": experiment, "measured": measured}
    return render(request, "experiments/conclude_form.html", context, status=status)

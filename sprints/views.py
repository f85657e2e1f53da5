"""Sprint pages: list, planning, board, review and programme health. Validate, call, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from accounts.models import Team
from experiments.models import Experiment, Idea
from experiments.services.lifecycle import TRANSITIONS, available_transitions
from growthlab.web.forms import service_error_to_form
from sprints import charts, selectors
from sprints.forms import CloseReviewForm, PullForm, SprintForm
from sprints.models import Sprint
from sprints.planning import competition_warnings, days_left, fit_check
from sprints.services import (
    experiment_add_to_sprint,
    experiment_remove_from_sprint,
    idea_add_to_sprint,
    sprint_activate,
    sprint_board_move,
    sprint_close,
    sprint_create,
    sprint_start_review,
    sprint_update,
)


def sprint_or_404(pk: int) -> Sprint:
    return get_object_or_404(Sprint.objects.select_related("team", "goal_metric"), pk=pk)


def sprint_list(request):
    sprints = selectors.sprint_list()
    team = request.GET.get("team", "")
    if team.isdigit():
        sprints = sprints.filter(team_id=int(team))
    context = {
        "sprints": sprints,
        "teams": Team.objects.all(),
        "query": request.GET,
        "can_create": bool(access.teams_where(request.user, "sprint")),
    }
    return render(request, "sprints/sprint_list.html", context)


@require_http_methods(["GET", "POST"])
def sprint_edit(request, pk: int | None = None):
    sprint = sprint_or_404(pk) if pk else None
    teams = access.teams_where(request.user, "sprint")
    access.require(access.can_manage_sprint(request.user, sprint) if sprint else bool(teams))
    form = SprintForm(request.POST or None, instance=sprint, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "team"}
        try:
            if sprint is None:
                team = form.cleaned_data["team"]
                sprint = sprint_create(team=team, user=request.user, data=data)
            else:
                sprint = sprint_update(sprint=sprint, user=request.user, data=data)
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            messages.success(request, _("Sprint {number} saved.").format(number=sprint.number))
            return redirect(sprint)
    status = 400 if form.is_bound else 200
    context = {"form": form, "sprint": sprint}
    return render(request, "sprints/sprint_form.html", context, status=status)


def planning_context(request, sprint: Sprint, **extra) -> dict:
    today = timezone.localdate()
    experiments = selectors.experiments_of(sprint)
    can_manage = access.can_manage_sprint(request.user, sprint) and not sprint.is_frozen
    return {
        "sprint": sprint,
        "checks": [fit_check(e, sprint, today) for e in experiments],
        "warnings": competition_warnings(experiments),
        "days_left": days_left(sprint, today),
        "can_manage": can_manage,
        "candidate_experiments": selectors.candidate_experiments(sprint) if can_manage else [],
        "candidate_ideas": selectors.candidate_ideas(sprint) if can_manage else [],
        **extra,
    }


def sprint_detail(request, pk: int):
    sprint = sprint_or_404(pk)
    return render(request, "sprints/sprint_detail.html", planning_context(request, sprint))


def refused(request, sprint: Sprint, error: ValidationError):
    """Re-render the planning page with the service's words and a 400."""
    for message in error.messages:
        messages.error(request, message)
    context = planning_context(request, sprint)
    return render(request, "sprints/sprint_detail.html", context, status=400)


@require_POST
def sprint_pull(request, pk: int):
    sprint = sprint_or_404(pk)
    access.require(access.can_manage_sprint(request.user, sprint))
    form = PullForm(request.POST)
    if not form.is_valid():
        return refused(request, sprint, ValidationError(form.non_field_errors()))
    try:
        title = pull(request, sprint, form.cleaned_data)
    except ValidationError as error:
        return refused(request, sprint, error)
    messages.success(
        request, _("“{title}” is now in sprint {number}.").format(title=title, number=sprint.number)
    )
    return redirect(sprint)


def pull(request, sprint: Sprint, data: dict) -> str:
    if data["idea"]:
        idea = get_object_or_404(Idea, pk=data["idea"])
        return idea_add_to_sprint(sprint=sprint, idea=idea, user=request.user).title
    experiment = get_object_or_404(Experiment, pk=data["experiment"])
    return experiment_add_to_sprint(sprint=sprint, experiment=experiment, user=request.user).title


@require_POST
def sprint_remove(request, pk: int, experiment_pk: int):
    sprint = sprint_or_404(pk)
    access.require(access.can_manage_sprint(request.user, sprint))
    experiment = get_object_or_404(Experiment, pk=experiment_pk)
    try:
        experiment_remove_from_sprint(sprint=sprint, experiment=experiment, user=request.user)
    except ValidationError as error:
        return refused(request, sprint, error)
    messages.success(
        request,
        _("“{title}” left sprint {number}.").format(title=experiment.title, number=sprint.number),
    )
    return redirect(sprint)


@require_POST
def sprint_step(request, pk: int, step: str):
    """Start the sprint, or send it to its review."""
    sprint = sprint_or_404(pk)
    access.require(access.can_manage_sprint(request.user, sprint))
    service = {"activate": sprint_activate, "review": sprint_start_review}[step]
    try:
        sprint = service(sprint=sprint, user=request.user)
    except ValidationError as error:
        return refused(request, sprint, error)
    status = sprint.get_status_display().lower()
    messages.success(
        request, _("Sprint {number} is now {status}.").format(number=sprint.number, status=status)
    )
    return redirect("sprints:review" if step == "review" else "sprints:board", pk=sprint.pk)


def board_context(request, sprint: Sprint) -> dict:
    today = timezone.localdate()
    experiments = selectors.experiments_of(sprint)
    can_move = access.can_manage_sprint(request.user, sprint) and not sprint.is_frozen
    for experiment in experiments:
        experiment.days_left, experiment.ends_with_sprint = selectors.days_left_of(
            experiment, today, sprint
        )
        experiment.moves = available_transitions(experiment) if can_move else []
    return {
        "sprint": sprint,
        "experiments": experiments,  # for the result badges: one query for every card
        "columns": selectors.board_columns(experiments),
        "can_move": can_move,
    }


def sprint_board(request, pk: int):
    sprint = sprint_or_404(pk)
    return render(request, "sprints/sprint_board.html", board_context(request, sprint))


@require_POST
def sprint_board_move_view(request, pk: int, experiment_pk: int, action: str):
    sprint = sprint_or_404(pk)
    if action not in TRANSITIONS or action == "conclude":
        return render(request, "404.html", status=404)
    access.require(access.can_manage_sprint(request.user, sprint))
    experiment = get_object_or_404(Experiment, pk=experiment_pk)
    try:
        moved = sprint_board_move(
            sprint=sprint, experiment=experiment, user=request.user, action=action
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(
                request, _("“{title}”: {message}").format(title=experiment.title, message=message)
            )
        context = board_context(request, sprint)
        return render(request, "sprints/sprint_board.html", context, status=409)
    status = moved.get_status_display().lower()
    messages.success(
        request, _("“{title}” is now {status}.").format(title=moved.title, status=status)
    )
    return redirect("sprints:board", pk=sprint.pk)


def programme_context(team_id: int, up_to: int | None = None) -> dict:
    spans, facts = selectors.programme_facts(team_id, up_to)
    rows = charts.programme(spans, facts)
    impact = charts.cumulative_impact(spans, facts)
    return {
        "rows": rows,
        "impact": impact,
        "impact_rows": impact_table(rows, impact),
        "unmeasured_wins": charts.unmeasured_wins(spans, facts),
        "figures": charts.figures(rows, impact),
    }


def impact_table(rows: list, impact: dict[str, list[float]]) -> list[tuple[str, list[float]]]:
    """Per sprint, each KPI's summed lift in percent, as the chart draws it."""
    if not impact:
        return []
    return [
        (row.label, [round(100 * lifts[i], 2) for lifts in impact.values()])
        for i, row in enumerate(rows)
    ]


def review_context(request, sprint: Sprint, **extra) -> dict:
    can_close = (
        access.can_manage_sprint(request.user, sprint) and sprint.status == Sprint.Status.IN_REVIEW
    )
    return {
        "sprint": sprint,
        "review": selectors.sprint_review(sprint),
        "can_close": can_close,
        "form": extra.pop("form", None) or CloseReviewForm(),
        **programme_context(sprint.team_id, sprint.number),
        **extra,
    }


@require_http_methods(["GET", "POST"])
def sprint_review(request, pk: int):
    sprint = sprint_or_404(pk)
    if request.method == "GET":
        return render(request, "sprints/sprint_review.html", review_context(request, sprint))
    access.require(access.can_manage_sprint(request.user, sprint))
    form = CloseReviewForm(request.POST)
    if form.is_valid():
        try:
            sprint_close(sprint=sprint, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            messages.success(
                request,
                _("Review closed. Sprint {number} is now on record.").format(number=sprint.number),
            )
            return redirect("sprints:review", pk=sprint.pk)
    context = review_context(request, sprint, form=form)
    return render(request, "sprints/sprint_review.html", context, status=400)


def sprint_review_print(request, pk: int):
    sprint = sprint_or_404(pk)
    context = review_context(request, sprint, printable=True)
    return render(request, "sprints/sprint_review_print.html", context)


def sprint_review_pdf(request, pk: int):
    from sprints.pdf import review_pdf_response  # reportlab loads only when a PDF is asked for

    sprint = sprint_or_404(pk)
    return review_pdf_response(
        selectors.sprint_review(sprint), programme_context(sprint.team_id, sprint.number)
    )


def programme(request, team_pk: int):
    team = get_object_or_404(Team, pk=team_pk)
    context = {"team": team, **programme_context(team.pk)}
    return render(request, "sprints/programme.html", context)

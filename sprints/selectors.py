"""Reading sprints: lists, the planning page, the board and the review agenda."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from experiments.models import Experiment, ExperimentMetric, Idea, MetricRole
from experiments.selectors import ListFilters, backlog, primary_links, primary_metric
from sprints.charts import ExperimentFact, SprintSpan
from sprints.models import Sprint

Status = Experiment.Status
BOARD_COLUMNS = [Status.DRAFT, Status.PLANNED, Status.RUNNING, Status.ANALYSING, Status.CONCLUDED]
CANDIDATE_LIMIT = 10
# What each decision means for the review's "how did it end" (no result store exists yet).
OUTCOMES = {
    "ship": "Won",
    "iterate": "Lost: iterating",
    "abandon": "Abandoned",
    "inconclusive": "Inconclusive",
}


def sprint_list() -> QuerySet[Sprint]:
    return Sprint.objects.select_related("team", "goal_metric").order_by("team__name", "-number")


def sprint_detail(pk: int) -> Sprint:
    return Sprint.objects.select_related("team", "goal_metric").get(pk=pk)


def experiments_of(sprint: Sprint) -> list[Experiment]:
    """The sprint's tests with what the cards and checks read, in one round of queries."""
    queryset = (
        Experiment.objects.filter(sprint=sprint)
        .select_related("team", "owner", "idea")
        .prefetch_related("variants", primary_links())
        .order_by("title")
    )
    return list(queryset)


def candidate_experiments(sprint: Sprint) -> list[Experiment]:
    """The team's tests not in any sprint that could still be pulled in."""
    queryset = Experiment.objects.filter(
        team_id=sprint.team_id,
        sprint__isnull=True,
        status__in=[Status.DRAFT, Status.PLANNED, Status.RUNNING, Status.ANALYSING],
    )
    return list(queryset.select_related("owner").order_by("-updated_at")[:CANDIDATE_LIMIT])


def candidate_ideas(sprint: Sprint) -> list[Idea]:
    """The top of the team's ranked backlog: new ideas, best score first."""
    filters = ListFilters(team=str(sprint.team_id), status=Idea.Status.NEW)
    return list(backlog(filters)[:CANDIDATE_LIMIT])


@dataclass
class BoardColumn:
    status: str
    label: str
    cards: list[Experiment] = field(default_factory=list)


def board_columns(experiments: list[Experiment]) -> list[BoardColumn]:
    columns = {s: BoardColumn(s, Status(s).label) for s in BOARD_COLUMNS}
    for experiment in experiments:
        if experiment.status in columns:
            columns[experiment.status].cards.append(experiment)
    return list(columns.values())


def days_left_of(experiment: Experiment, today: date) -> int | None:
    """Days until the planned end: the planned end date, else start plus the planned days."""
    end = experiment.planned_end
    if end is None and experiment.started_at and experiment.plan_days:
        end = experiment.started_at.date() + timedelta(days=experiment.plan_days)
    return None if end is None else (end - today).days


@dataclass
class Review:
    sprint: Sprint
    launched: list[Experiment]
    concluded: list[Experiment]
    learnings: list[Experiment]
    carried_over: list[Experiment]
    guardrails: list[ExperimentMetric]
    candidates: list[Idea]
    next_tests: list[Experiment]


def review_experiments(sprint: Sprint) -> list[Experiment]:
    """Tests in the sprint, and those carried out of it when it closed."""
    guardrail_links = Prefetch(
        "experiment_metrics",
        queryset=ExperimentMetric.objects.filter(role=MetricRole.GUARDRAIL).select_related(
            "metric"
        ),
        to_attr="guardrail_links",
    )
    ids = set(sprint.experiments.values_list("pk", flat=True))
    ids |= set(sprint.carried_over.values_list("pk", flat=True))
    queryset = Experiment.objects.filter(pk__in=ids).select_related("owner", "idea")
    return list(queryset.prefetch_related(primary_links(), guardrail_links).order_by("title"))


def sprint_review(sprint: Sprint) -> Review:
    """The agenda of the review meeting."""
    experiments = review_experiments(sprint)
    carried_ids = set(sprint.carried_over.values_list("pk", flat=True))
    concluded = [e for e in experiments if e.concluded_at is not None]
    for experiment in concluded:
        experiment.outcome = OUTCOMES.get(experiment.decision, "")
    unfinished = {Status.DRAFT, Status.PLANNED, Status.RUNNING, Status.ANALYSING}
    return Review(
        sprint=sprint,
        launched=[e for e in experiments if e.started_at is not None],
        concluded=concluded,
        learnings=[e for e in concluded if e.learning],
        carried_over=[e for e in experiments if e.pk in carried_ids or e.status in unfinished],
        guardrails=[link for e in experiments for link in e.guardrail_links],
        candidates=candidate_ideas(sprint),
        next_tests=[e for e in concluded if e.postmortem_next_test],
    )


def programme_facts(team_id: int, up_to: int | None = None) -> tuple[list, list]:
    """The team's sprints (up to sprint number `up_to`) and the facts of its tests, for charts."""
    sprints = Sprint.objects.filter(team_id=team_id).order_by("number")
    if up_to is not None:
        sprints = sprints.filter(number__lte=up_to)
    spans = [SprintSpan(f"Sprint {s.number}", s.starts_on, s.ends_on) for s in sprints]
    experiments = (
        Experiment.objects.filter(team_id=team_id, started_at__isnull=False)
        .select_related("idea")
        .prefetch_related(primary_links())
    )
    return spans, [test_fact(e) for e in experiments]


def test_fact(experiment: Experiment) -> ExperimentFact:
    metric = primary_metric(experiment)
    return ExperimentFact(
        started_on=local_date(experiment.started_at),
        concluded_on=local_date(experiment.concluded_at),
        decision=experiment.decision,
        has_learning=bool(experiment.learning.strip()),
        idea_created_on=local_date(experiment.idea.created_at) if experiment.idea else None,
        metric=metric.name if metric else "",
    )


def local_date(moment) -> date | None:
    return None if moment is None else timezone.localdate(moment)

"""Reading sprints: lists, the planning page, the board and the review agenda."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dashboard.selectors import outputs_by_experiment
from experiments.models import Decision, Experiment, ExperimentMetric, Idea, MetricRole
from experiments.selectors import ListFilters, backlog, primary_links, primary_metric
from metrics.stats.analysis import StoredResult
from metrics.stats.verdict import GuardrailState
from sprints.charts import ExperimentFact, SprintSpan
from sprints.models import Sprint
from sprints.results import GuardrailReading, guardrail_review, outcome_of, shipped_lift

Status = Experiment.Status
BOARD_COLUMNS = [Status.DRAFT, Status.PLANNED, Status.RUNNING, Status.ANALYSING, Status.CONCLUDED]
CANDIDATE_LIMIT = 10
SPRINT_LABEL = gettext_lazy("Sprint {number}")
COUNTING_DOWN = {Status.DRAFT, Status.PLANNED, Status.RUNNING}


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


def days_left_of(experiment: Experiment, today: date, sprint: Sprint) -> tuple[int | None, bool]:
    """(days until the test's end, whether that end is the sprint's) for a test not yet stopped.

    The end is the planned end date, else the start plus the planned days, else the last day
    of the sprint: a test in a sprint is meant to be over when the sprint is.
    """
    if experiment.status not in COUNTING_DOWN:
        return None, False
    end = experiment.planned_end
    if end is None and experiment.started_at and experiment.plan_days:
        end = local_date(experiment.started_at) + timedelta(days=experiment.plan_days)
    if end is None:
        return (sprint.ends_on - today).days, True
    return (end - today).days, False


@dataclass
class Review:
    sprint: Sprint
    launched: list[Experiment]
    concluded: list[Experiment]
    learnings: list[Experiment]
    carried_over: list[Experiment]
    guardrails: list[ExperimentMetric]
    harmed: list[GuardrailReading]
    not_harmed: list[GuardrailReading]
    not_known: list[GuardrailReading]
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
    """The agenda of the review meeting; outcomes and harm come from the stored results."""
    experiments = review_experiments(sprint)
    outputs = outputs_by_experiment([e.pk for e in experiments])
    carried_ids = set(sprint.carried_over.values_list("pk", flat=True))
    concluded = [e for e in experiments if e.concluded_at is not None]
    for experiment in concluded:
        found = outputs.get(experiment.pk, [])
        experiment.outcome, experiment.headline = outcome_of(found, experiment.decision)
    unfinished = {Status.DRAFT, Status.PLANNED, Status.RUNNING, Status.ANALYSING}
    readings = [
        reading
        for e in experiments
        if e.started_at is not None
        for reading in guardrail_review(
            e, [link.metric.name for link in e.guardrail_links], outputs.get(e.pk, [])
        )
    ]
    by_state = {state: [r for r in readings if r.state == state] for state in GuardrailState}
    return Review(
        sprint=sprint,
        launched=[e for e in experiments if e.started_at is not None],
        concluded=concluded,
        learnings=[e for e in concluded if e.learning],
        carried_over=[e for e in experiments if e.pk in carried_ids or e.status in unfinished],
        guardrails=[link for e in experiments for link in e.guardrail_links],
        harmed=by_state[GuardrailState.HARMED],
        not_harmed=by_state[GuardrailState.NOT_HARMED],
        not_known=by_state[GuardrailState.UNKNOWN],
        candidates=candidate_ideas(sprint),
        next_tests=[e for e in concluded if e.postmortem_next_test],
    )


def programme_facts(team_id: int, up_to: int | None = None) -> tuple[list, list]:
    """The team's sprints (up to sprint number `up_to`) and the facts of its tests, for charts."""
    sprints = Sprint.objects.filter(team_id=team_id).order_by("number")
    if up_to is not None:
        sprints = sprints.filter(number__lte=up_to)
    spans = [
        SprintSpan(SPRINT_LABEL.format(number=s.number), s.starts_on, s.ends_on) for s in sprints
    ]
    experiments = list(
        Experiment.objects.filter(team_id=team_id, started_at__isnull=False)
        .select_related("idea")
        .prefetch_related(primary_links())
    )
    shipped = [e.pk for e in experiments if e.decision == Decision.SHIP]
    outputs = outputs_by_experiment(shipped) if shipped else {}
    return spans, [test_fact(e, outputs.get(e.pk, [])) for e in experiments]


def test_fact(experiment: Experiment, outputs: list[StoredResult]) -> ExperimentFact:
    metric = primary_metric(experiment)
    return ExperimentFact(
        started_on=local_date(experiment.started_at),
        concluded_on=local_date(experiment.concluded_at),
        decision=experiment.decision,
        has_learning=bool(experiment.learning.strip()),
        idea_created_on=local_date(experiment.idea.created_at) if experiment.idea else None,
        metric=metric.name if metric else "",
        lift=shipped_lift(outputs),
    )


def local_date(moment) -> date | None:
    return None if moment is None else timezone.localdate(moment)

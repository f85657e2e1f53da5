"""What a team's week holds, read once for the digest, its preview and the stakeholder view.

One pass per view: the experiments of the period in three queries, their stored results in
one (`outputs_by_experiment`), and the programme figures the sprint pages compute
(`sprints.charts.sprint_figures`), so building fifty teams' digests stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from dashboard.headline import verdict_headline
from dashboard.results import measured_lift_of
from dashboard.selectors import outputs_by_experiment
from experiments.business_case import BusinessCase, business_case_of
from experiments.models import Decision, Experiment
from experiments.selectors import primary_links, primary_metric
from learnings.selectors import readbacks_finished
from metrics.models import Metric
from metrics.stats.analysis import StoredResult
from notifications.services import digest_alerts
from sprints.charts import SprintFigures, SprintSpan, sprint_figures
from sprints.models import Sprint
from sprints.results import GuardrailReading, harmed_guardrails
from sprints.selectors import programme_facts

ACTIVE = (Experiment.Status.RUNNING, Experiment.Status.ANALYSING)
NO_RESULTS = _("No results yet")
READY = _("Has reached its planned sample and duration")
ALL_SPRINTS = _("All sprints")


@dataclass(frozen=True)
class TestLine:
    """One test as a digest or the stakeholder view reads it."""

    experiment: Experiment
    metric: str
    status: str  # the headline's status: ship, harmful, keep_running …
    headline: str
    progress: str  # "62% of the planned sample, day 9 of 14"
    progress_share: float | None  # 0–1 of the planned sample, for the bar
    case: BusinessCase
    harmed: list[GuardrailReading]  # guardrails the test is harming

    @property
    def owner_name(self) -> str:
        owner = self.experiment.owner
        return (owner.get_full_name() or owner.username) if owner else ""


@dataclass(frozen=True)
class SprintProgress:
    sprint: Sprint
    day: int
    days: int
    running: int
    concluded: int
    planned: int


@dataclass
class TeamDigest:
    team: Team
    start: datetime
    end: datetime
    concluded: list[TestLine]
    started: list[TestLine]
    running: list[TestLine]
    guardrails: list[GuardrailReading]
    sprint: SprintProgress | None
    programme: SprintFigures
    # Alerts a person asked to read in the digest; filled per recipient by `with_alerts`.
    alerts: list = field(default_factory=list)
    # Shipped tests read back in the week (learnings.ReadBack): did their wins hold?
    readbacks: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.concluded
            or self.started
            or self.running
            or self.guardrails
            or self.alerts
            or self.readbacks
        )

    @property
    def last_day(self) -> date:
        return timezone.localdate(self.end - timedelta(microseconds=1), self.zone)

    @property
    def first_day(self) -> date:
        return timezone.localdate(self.start, self.zone)

    @property
    def zone(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.team.time_zone)


def progress_of(stored: list[StoredResult]) -> tuple[str, float | None]:
    """How far the least advanced primary comparison is along its plan, in words and share."""
    primary = next((r for r in stored if r.role == "primary"), None)
    if primary is None or not primary.comparisons:
        return str(NO_RESULTS), None
    least = min((c.progress for c in primary.comparisons), key=lambda p: p.sample_share or 0)
    if least.complete:
        return str(READY), 1.0
    share = None if least.sample_share is None else min(least.sample_share, 1.0)
    return str(least), share


def test_lines(experiments: list[Experiment]) -> list[TestLine]:
    """Each experiment with its headline, progress and business case, results read in one query."""
    outputs = outputs_by_experiment([e.pk for e in experiments]) if experiments else {}
    lines = []
    for experiment in experiments:
        stored = outputs.get(experiment.pk, [])
        primary = next((r for r in stored if r.role == "primary"), None)
        status, headline = verdict_headline(stored)
        progress, share = progress_of(stored)
        metric = primary_metric(experiment)
        lines.append(
            TestLine(
                experiment=experiment,
                metric=metric.name if metric else "",
                status=str(status),
                headline=headline,
                progress=progress,
                progress_share=share,
                case=business_case_of(experiment, measured_lift_of(primary)),
                harmed=harmed_guardrails(experiment, stored),
            )
        )
    return lines


def experiments_of(condition: Q) -> list[Experiment]:
    rows = Experiment.objects.filter(condition).select_related("owner", "team", "sprint")
    return list(rows.prefetch_related(primary_links()).order_by("-updated_at", "-id"))


def guardrail_warnings(lines: list[TestLine]) -> list[GuardrailReading]:
    return [reading for line in lines for reading in line.harmed]


def sprint_progress(team: Team, today: date) -> SprintProgress | None:
    sprint = (
        Sprint.objects.filter(team=team, status=Sprint.Status.ACTIVE).order_by("-number").first()
    )
    if sprint is None:
        return None
    statuses = list(sprint.experiments.values_list("status", flat=True))
    days = (sprint.ends_on - sprint.starts_on).days + 1
    return SprintProgress(
        sprint=sprint,
        day=min(max((today - sprint.starts_on).days + 1, 1), days),
        days=days,
        running=sum(s in ACTIVE for s in statuses),
        concluded=sum(s == Experiment.Status.CONCLUDED for s in statuses),
        planned=len(statuses),
    )


def programme_of(team: Team, today: date) -> SprintFigures:
    """Win rate and learning rate of everything the team ever launched and concluded."""
    facts = programme_facts(team.pk)[1]
    days = [d for f in facts for d in (f.started_on, f.concluded_on) if d]
    span = SprintSpan(str(ALL_SPRINTS), min([*days, today]), max([*days, today]))
    return sprint_figures(span, facts)


def team_digest(team: Team, start: datetime, end: datetime) -> TeamDigest:
    """The team's digest for [start, end): concluded, started, running, warnings, figures."""
    in_team = Q(team=team)
    concluded = test_lines(
        experiments_of(in_team & Q(concluded_at__gte=start, concluded_at__lt=end))
    )
    started = test_lines(experiments_of(in_team & Q(started_at__gte=start, started_at__lt=end)))
    running = test_lines(experiments_of(in_team & Q(status__in=ACTIVE)))
    today = timezone.localdate(end - timedelta(microseconds=1))
    return TeamDigest(
        team=team,
        start=start,
        end=end,
        concluded=concluded,
        started=started,
        running=running,
        guardrails=guardrail_warnings(running),
        sprint=sprint_progress(team, today),
        programme=programme_of(team, today),
        readbacks=readbacks_finished(team.id, start, end),
    )


def with_alerts(digest: TeamDigest, person, since: datetime) -> TeamDigest:
    """The digest with the alerts of its team that `person` chose to read in it.

    The deliveries stay queued until the digest is sent (`digest_alerts_mark_sent`), so a
    preview or a failed send keeps them for the next digest.
    """
    held = [d for d in digest_alerts(person, since) if d.alert.team_id == digest.team.pk]
    digest.alerts = [
        {"sentence": delivery.alert.text, "url": delivery.alert.path, "delivery": delivery}
        for delivery in held
    ]
    return digest


# --- The stakeholder view ------------------------------------------------------------------


@dataclass(frozen=True)
class StakeholderFilters:
    team: Team | None
    kpi: Metric | None
    starts_on: date
    ends_on: date  # inclusive


@dataclass
class StakeholderView:
    filters: StakeholderFilters
    learned: list[TestLine]
    testing: list[TestLine]
    changed: list[TestLine]

    @property
    def is_empty(self) -> bool:
        return not (self.learned or self.testing or self.changed)


def kpi_subtree_ids(kpi: Metric) -> set[int]:
    """The KPI and every metric below it in the tree."""
    parents = dict(Metric.objects.values_list("id", "parent_id"))
    found, frontier = {kpi.pk}, {kpi.pk}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def day_bounds(starts_on: date, ends_on: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(starts_on, datetime.min.time(), zone)
    return start, datetime.combine(ends_on + timedelta(days=1), datetime.min.time(), zone)


def stakeholder_view(filters: StakeholderFilters) -> StakeholderView:
    """What was learned in the period, what is being tested now, and what changed because of it."""
    scope = Q()
    if filters.team is not None:
        scope &= Q(team=filters.team)
    if filters.kpi is not None:
        scope &= Q(
            experiment_metrics__role="primary",
            experiment_metrics__metric_id__in=kpi_subtree_ids(filters.kpi),
        )
    start, end = day_bounds(filters.starts_on, filters.ends_on)
    concluded = test_lines(experiments_of(scope & Q(concluded_at__gte=start, concluded_at__lt=end)))
    return StakeholderView(
        filters=filters,
        learned=concluded,
        testing=test_lines(experiments_of(scope & Q(status__in=ACTIVE))),
        changed=[line for line in concluded if line.experiment.decision == Decision.SHIP],
    )

"""When each kind of alert is due: read the test's state, name the occurrence, say it in words.

Each function returns `Raised` values, never writes; `services.alerts_raise` stores them once
under their key. Keys carry the test's start day, so a test restarted after a broken split
may warn again, while a test re-analysed every six hours warns once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import takewhile

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analysis.models import AnalysisRun, RunStatus
from dashboard.headline import verdict_headline
from dashboard.selectors import outputs_by_experiment
from experiments.models import Experiment
from metrics.models import DataLoad
from metrics.stats import verdict
from metrics.stats.analysis import StoredResult
from metrics.stats.verdict import GuardrailState, Status
from notifications.models import Kind

FAILURES_IN_A_ROW = 3
STREAK_READ = 50  # a streak longer than this is named by its 50th-newest failure
RUNNING = (Experiment.Status.RUNNING, Experiment.Status.ANALYSING)


@dataclass(frozen=True)
class Raised:
    kind: str
    key: str
    happened: str
    todo: str
    path: str
    experiment: Experiment | None = None
    sprint: object | None = None

    @property
    def team_id(self) -> int:
        return (self.experiment or self.sprint).team_id


def start_key(experiment: Experiment) -> str:
    started = experiment.started_at
    return timezone.localtime(started).strftime("%Y%m%d") if started else "unstarted"


def results_path(experiment: Experiment) -> str:
    return reverse("dashboard:results", args=[experiment.pk])


def plan_reached(stored: list[StoredResult]) -> bool:
    """Every primary comparison is past the plan's minimum sample and runtime.

    A test without a start day cannot show it ran its minimum days, so it never counts as
    reached: a result is never announced on day 2, planned or not.
    """
    comparisons = [c for r in stored if r.role == "primary" for c in r.comparisons]
    return bool(comparisons) and all(
        c.progress.complete and c.progress.day is not None for c in comparisons
    )


def harmed_guardrails(stored: list[StoredResult]) -> list[tuple[str, str]]:
    return [
        (result.metric_name, comparison.variant)
        for result in stored
        if result.role == "guardrail"
        for comparison in result.comparisons
        if verdict.guardrail_state(result, comparison) == GuardrailState.HARMED
    ]


def result_alerts(experiment: Experiment) -> list[Raised]:
    """After an analysis stored its answer: a broken split, a harmed guardrail, a decision."""
    stored = outputs_by_experiment([experiment.pk]).get(experiment.pk, [])
    if not stored:
        return []
    start, path, title = start_key(experiment), results_path(experiment), experiment.title
    raised = []
    if any(r.srm.mismatch for r in stored):
        raised.append(
            Raised(
                Kind.SRM,
                f"srm:{experiment.pk}:{start}",
                str(_("The traffic split of “{title}” is broken (SRM).")).format(title=title),
                str(_("Check the assignment and any filter after it, then restart the test.")),
                path,
                experiment,
            )
        )
        return raised  # no other number of this test can be trusted
    for metric, variant in harmed_guardrails(stored):
        raised.append(
            Raised(
                Kind.GUARDRAIL_HARMED,
                f"guardrail:{experiment.pk}:{start}:{metric}:{variant}",
                str(_("In “{title}”, {variant} harms the guardrail {metric}.")).format(
                    title=title, variant=variant, metric=metric
                ),
                str(_("Consider stopping {variant} now and look at the results.")).format(
                    variant=variant
                ),
                path,
                experiment,
            )
        )
    status, headline = verdict_headline(stored)
    if status in (Status.SHIP, Status.HARMFUL) and plan_reached(stored):
        todo = (
            _("Review the result and conclude the test with the team.")
            if status == Status.SHIP
            else _("Stop the test and record what it taught you.")
        )
        raised.append(
            Raised(
                Kind.RESULT_READY,
                f"result:{experiment.pk}:{start}:{status}",
                str(_("“{title}” reached its planned sample and runtime: {headline}.")).format(
                    title=title, headline=headline
                ),
                str(todo),
                path,
                experiment,
            )
        )
    return raised


def failure_alert(experiment: Experiment, kind: str) -> Raised | None:
    """The third failure in a row of the test's analyses ("analysis") or loads ("load")."""
    jobs = AnalysisRun.objects if kind == "analysis" else DataLoad.objects
    finished = jobs.filter(experiment=experiment, finished_at__isnull=False)
    newest = finished.order_by("-finished_at", "-id").values_list("id", "status")[:STREAK_READ]
    streak = list(takewhile(lambda job: job[1] == RunStatus.FAILED, newest))
    if len(streak) < FAILURES_IN_A_ROW:
        return None
    if kind == "analysis":
        happened = _("The analysis of “{title}” failed three times in a row.")
        path = results_path(experiment)
    else:
        happened = _("Loading data into “{title}” failed three times in a row.")
        path = reverse("metrics:outcome_upload", args=[experiment.pk])
    # The streak is named by its first failure, so a fourth failure raises nothing new.
    first = streak[-1][0]
    return Raised(
        Kind.REPEATED_FAILURE,
        f"failures:{kind}:{experiment.pk}:{first}",
        str(happened).format(title=experiment.title),
        str(_("Open the page to read why, fix the data or source, and try again.")),
        path,
        experiment,
    )


def last_data_at(experiment: Experiment):
    loads = DataLoad.objects.filter(
        experiment=experiment, status=RunStatus.SUCCEEDED, cohorts_written__gt=0
    )
    return loads.aggregate(last=Max("finished_at"))["last"] or experiment.started_at


def no_data_alert(experiment: Experiment, grace_days: int, now) -> Raised | None:
    last = last_data_at(experiment)
    if last is None or now - last < timedelta(days=grace_days):
        return None
    days = (now - last).days
    return Raised(
        Kind.NO_DATA,
        f"no_data:{experiment.pk}:{last:%Y%m%d%H%M%S}",
        str(_("“{title}” has had no new data for {days} days.")).format(
            title=experiment.title, days=days
        ),
        str(_("Check the data source or upload the latest outcome data.")),
        reverse("metrics:outcome_upload", args=[experiment.pk]),
        experiment,
    )


def planned_end_of(experiment: Experiment) -> date | None:
    if experiment.planned_end:
        return experiment.planned_end
    days = experiment.planned_duration_days or experiment.plan_days
    if experiment.started_at and days:
        return timezone.localtime(experiment.started_at).date() + timedelta(days=days)
    return None


def planned_end_alert(experiment: Experiment, today: date) -> Raised | None:
    end = planned_end_of(experiment)
    if end is None or end > today:
        return None
    return Raised(
        Kind.PLANNED_END,
        f"planned_end:{experiment.pk}:{start_key(experiment)}:{end:%Y%m%d}",
        str(_("“{title}” reached its planned end on {end}.")).format(
            title=experiment.title, end=end.isoformat()
        ),
        str(_("Read the result and conclude the test, or say why it runs on.")),
        results_path(experiment),
        experiment,
    )


def sprint_review_alert(sprint, today: date) -> Raised | None:
    if sprint.status != "active" or sprint.ends_on > today:
        return None
    return Raised(
        Kind.SPRINT_REVIEW,
        f"sprint_review:{sprint.pk}:{sprint.ends_on:%Y%m%d}",
        str(_("{sprint} ended on {end}: its review is due.")).format(
            sprint=sprint, end=sprint.ends_on.isoformat()
        ),
        str(_("Start the review, record each test's decision and plan the next sprint.")),
        reverse("sprints:detail", args=[sprint.pk]),
        sprint=sprint,
    )


SIGNOFF_WORDS = {
    "requested": (
        _("{person} asks a lead to sign off: {kind} of “{title}”."),
        _("Read the test and approve or refuse it, with a reason, on its page."),
    ),
    "approved": (
        _("{person} approved: {kind} of “{title}”."),
        _("Carry on: the test can go ahead as approved."),
    ),
    "refused": (
        _("{person} refused: {kind} of “{title}”. Reason: {reason}"),
        _("Change the test as the reason asks and ask for the sign-off again."),
    ),
}


def signoff_alert(signoff, action: str) -> Raised:
    """A sign-off asked for, approved or refused: one alert per request and step."""
    experiment = signoff.experiment
    person = signoff.requested_by if action == "requested" else signoff.decided_by
    name = (person.get_full_name() or person.username) if person else _("Someone")
    happened, todo = SIGNOFF_WORDS[action]
    return Raised(
        kind=Kind.SIGNOFF,
        key=f"signoff:{signoff.pk}:{action}",
        happened=str(happened).format(
            person=name,
            kind=signoff.get_kind_display().lower(),
            title=experiment.title,
            reason=signoff.reason,
        ),
        todo=str(todo),
        path=reverse("experiments:experiment_detail", args=[experiment.pk]),
        experiment=experiment,
    )


READBACK_WORDS = {
    "needs_data": (
        _("{title} is due for its {days}-day read-back of {metric}, which waits for new data."),
        _("Upload or push {metric} for the test's users; the read-back then runs by itself."),
    ),
    "reversed": (
        _("The win of {title} reversed on {metric} after {days} days."),
        _("Open the learning and write the post-mortem of the reversal."),
    ),
}


def readback_alert(readback, event: str) -> Raised:
    """A read-back needs a new load, or found the shipped win reversed: one alert per event."""
    plan = readback.plan
    experiment = plan.experiment
    happened, todo = READBACK_WORDS[event]
    words = {"title": experiment.title, "days": readback.days, "metric": plan.metric.name}
    return Raised(
        kind=Kind.READBACK,
        key=f"readback:{readback.pk}:{event}",
        happened=str(happened).format(**words),
        todo=str(todo).format(**words),
        path=reverse("learnings:detail", args=[experiment.pk]),
        experiment=experiment,
    )

"""The sample-size plan of a demo test, computed by the engine as the plan form computes it.

The plan on the experiment page and the engine's "underpowered" finding then come from the
same power calculation (corrections for several treatments included), so they agree.
"""

from dataclasses import dataclass
from datetime import timedelta

from demo.context import Demo
from experiments.models import Experiment
from experiments.services.planning import experiment_plan_sample_size, sample_size_plan
from metrics.models import MetricKind
from sprints.models import Sprint


@dataclass(frozen=True)
class Plan:
    days: int  # days the sample size needs
    duration: int  # days the test runs: longer than `days` when buyers need time to act


def plan_inputs(demo: Demo, spec: dict) -> dict:
    """The plan's documentation fields; none for a draft without traffic figures yet."""
    if "daily_traffic" not in spec:
        return {}
    metric = demo.metrics[spec["metrics"]["primary"]]
    return {
        "plan_baseline": spec.get("baseline", metric.baseline_value),
        "plan_baseline_sd": None if metric.kind == MetricKind.BINOMIAL else metric.baseline_sd,
        "plan_daily_traffic": spec["daily_traffic"],
    }


def plan_record(experiment: Experiment, spec: dict, sprint: Sprint | None, user) -> Plan | None:
    """Plan the sample size and the schedule through the planning service; None if unplanned."""
    if not experiment.plan_daily_traffic:
        return None
    days = sample_size_plan(experiment)["days"]
    duration = spec.get("run_days", days)
    schedule = {"planned_duration_days": duration}
    if sprint is not None:
        start = sprint.starts_on + timedelta(days=spec["start_day"])
        schedule |= {"planned_start": start, "planned_end": start + timedelta(days=duration)}
    experiment_plan_sample_size(experiment=experiment, user=user, data=schedule)
    return Plan(days, duration)

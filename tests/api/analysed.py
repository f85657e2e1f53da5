"""Experiments with stored analysis results, made by the real analysis service in-process."""

from analysis.models import AnalysisRun, Trigger
from analysis.services import analysis_request, analysis_run_execute
from experiments.models import Experiment, MetricRole
from experiments.services.experiments import experiment_create, experiment_metric_attach
from experiments.services.lifecycle import experiment_transition
from metrics.models import Metric, MetricKind
from tests.analysis.data import cohorts_write
from tests.factories import READY_DOCUMENTATION


def analyse(experiment, user) -> AnalysisRun:
    """Request a run and execute it here, as a worker would once the request commits."""
    run = analysis_request(experiment=experiment, trigger=Trigger.MANUAL, user=user)
    analysis_run_execute(run_id=run.id)
    run.refresh_from_db()
    return run


def analysed_experiment(people, **data) -> Experiment:
    """A running test (A control, B) on conversion (A 5%, B 6%) and revenue, analysed once."""
    experiment = experiment_create(
        team=people.team, user=people.owner, data={**READY_DOCUMENTATION, **data}
    )
    for name, kind, role in (
        ("Order conversion", MetricKind.BINOMIAL, MetricRole.PRIMARY),
        ("Revenue", MetricKind.MEAN, MetricRole.SECONDARY),
    ):
        metric, _ = Metric.objects.get_or_create(name=name, defaults={"kind": kind})
        experiment_metric_attach(experiment=experiment, metric=metric, role=role, user=people.owner)
    Experiment.objects.filter(pk=experiment.pk).update(
        plan_sample_size_per_variant=31000, plan_days=16
    )
    experiment = experiment_transition(experiment=experiment, user=people.owner, action="start")
    cohorts_write(experiment)
    analyse(experiment, people.owner)
    return experiment

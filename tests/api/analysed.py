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


# Of each day's 1,000 users per variant, 600 on mobile: A converts 30 of them, B 45 (+50 %);
# on desktop A 20 of 400, B 15 (−25 %). Revenue splits with the users, the same on both.
MOBILE_USERS = 600
MOBILE_CONVERSIONS = {True: 30, False: 45}


def segments_write(experiment, dimension: str = "device") -> None:
    """Split every stored cohort of ``experiment`` into a mobile and a desktop segment."""
    from analysis.services.inputs import STAT_FIELDS
    from metrics.models import OutcomeCohort, OutcomeSegment

    rows = []
    for cohort in OutcomeCohort.objects.filter(experiment=experiment).select_related(
        "variant", "metric"
    ):
        share = MOBILE_USERS / cohort.n
        for segment, part in (("mobile", share), ("desktop", 1 - share)):
            stats = {
                f: None if getattr(cohort, f) is None else getattr(cohort, f) * part
                for f in STAT_FIELDS
            }
            stats["n"] = round(cohort.n * part)
            if cohort.metric.kind == "binomial":
                mobile = MOBILE_CONVERSIONS[cohort.variant.is_control]
                conversions = mobile if segment == "mobile" else cohort.sum - mobile
                stats.update(sum=conversions, sum_squares=conversions)
            rows.append(
                OutcomeSegment(
                    experiment=experiment,
                    variant=cohort.variant,
                    metric=cohort.metric,
                    exposure_date=cohort.exposure_date,
                    source=cohort.source,
                    dimension=dimension,
                    segment=segment,
                    **stats,
                )
            )
    OutcomeSegment.objects.bulk_create(rows)

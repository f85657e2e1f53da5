"""Did the win hold, in the demo: two shipped tests read back months later, one held and one
reversed (with the post-mortem it asks for still open).

Their data is pushed, so each read-back first waits for a new load, as beat leaves it; the
step then stores the pushed long-term totals of the test's own users (the same users per
variant and day as in the test, the shipped variant's mean moved by `gain`) and runs each read-back
here, as the worker would once the load landed.
"""

import random
from datetime import date

from django.utils import timezone

from demo.context import Demo
from experiments.models import Experiment
from jobs.models import JobStatus
from learnings.models import ReadBack, ReadBackPlan, ReadBackStatus
from learnings.readbacks import (
    readback_execute,
    readback_plan_save,
    readback_sweep,
    readbacks_after_load,
)
from metrics.ingestion.load import cohorts_replace
from metrics.ingestion.parse import CohortTotals
from metrics.models import DataLoad, OutcomeSource

READBACKS = {  # test title: (long-term metric, relative change of the shipped variant)
    "Delivery date promise on product pages": ("Web revenue per visitor", 0.06),
    "Birthday voucher a week early": ("Revenue per member", -0.09),
}


def readbacks_load(demo: Demo) -> None:
    for title, (metric_name, gain) in READBACKS.items():
        experiment = Experiment.objects.filter(title=title, team__in=demo.teams.values()).first()
        if experiment is None or ReadBackPlan.objects.filter(experiment=experiment).exists():
            continue
        plan = readback_plan_save(
            experiment=experiment,
            user=demo.leads[experiment.team.name],
            metric=demo.metrics[metric_name],
        )
        readback_sweep(today=demo.today)
        load = long_term_push(experiment, plan, gain)
        readbacks_after_load(load_id=load.id)
        for readback in plan.readbacks.filter(status=ReadBackStatus.QUEUED):
            readback_execute(readback_id=readback.id)
        demo.created["read-backs"] += ReadBack.objects.filter(plan=plan).count()


def long_term_push(experiment: Experiment, plan: ReadBackPlan, gain: float) -> DataLoad:
    """The pipeline's push of the long-term metric for the test's users, stored as it lands."""
    metric = plan.metric
    rng = random.Random(f"readback:{experiment.title}")
    cohorts = []
    for variant, days in sorted(plan.cohorts.items()):
        mean = metric.baseline_value * (1 + gain if variant == plan.shipped_variant else 1)
        for day, n in sorted(days.items()):
            day_mean = mean * (1 + rng.gauss(0, 0.002))
            sd = metric.baseline_sd
            cohorts.append(
                CohortTotals(
                    variant=variant,
                    exposure_date=date.fromisoformat(day) if day else None,
                    metric=metric.name,
                    n=n,
                    sum=day_mean * n,
                    sum_squares=(sd**2 * (n - 1)) + n * day_mean**2,
                )
            )
    now = timezone.now()
    load = DataLoad.objects.create(
        experiment=experiment,
        kind=DataLoad.Kind.PUSH,
        status=JobStatus.SUCCEEDED,
        started_at=now,
        finished_at=now,
        phase="done",
        progress_percent=100,
        created_by=experiment.owner,
    )
    written = cohorts_replace(
        experiment=experiment, source=OutcomeSource.PUSH, cohorts=cohorts, load=load
    )
    DataLoad.objects.filter(id=load.id).update(cohorts_written=written, rows_read=written)
    return load

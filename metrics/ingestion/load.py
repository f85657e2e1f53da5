"""Sufficient statistics into the database: one atomic write per load, so nothing is half-saved."""

from django.db import transaction
from django.db.models import Q

from experiments.models import Experiment
from metrics.ingestion.columns import TOTAL_FIELDS
from metrics.ingestion.parse import CohortTotals
from metrics.ingestion.segments import SegmentTotals
from metrics.models import DataLoad, Metric, OutcomeCohort, OutcomeSegment


@transaction.atomic
def cohorts_replace(
    *,
    experiment: Experiment,
    source: str,
    cohorts: list[CohortTotals],
    load: DataLoad | None = None,
) -> int:
    """Replace this source's cohorts of the loaded days and metrics; return rows written.

    Keys come from the parser: metric names and variant names of this experiment. Totals of
    a segment (SegmentTotals, after the overall ones) replace that source's segments of the
    same days and metrics; a load without them leaves no stale segment behind.
    """
    segments = [c for c in cohorts if isinstance(c, SegmentTotals)]
    cohorts = [c for c in cohorts if not isinstance(c, SegmentTotals)]
    metrics = {m.name: m for m in Metric.objects.filter(name__in={c.metric for c in cohorts})}
    variants = {v.name: v for v in experiment.variants.all()}
    days = {c.exposure_date for c in cohorts}
    same_days = Q(exposure_date__in=[day for day in days if day is not None])
    if None in days:
        same_days |= Q(exposure_date__isnull=True)
    for model in (OutcomeCohort, OutcomeSegment):
        model.objects.filter(
            same_days, experiment=experiment, source=source, metric__in=metrics.values()
        ).delete()
    rows = [
        OutcomeCohort(
            experiment=experiment,
            variant=variants[c.variant],
            metric=metrics[c.metric],
            exposure_date=c.exposure_date,
            source=source,
            load=load,
            n=c.n,
            **{name: getattr(c, name) for name in TOTAL_FIELDS},
        )
        for c in cohorts
    ]
    OutcomeCohort.objects.bulk_create(rows, batch_size=1000)
    OutcomeSegment.objects.bulk_create(
        [
            OutcomeSegment(
                experiment=experiment,
                variant=variants[c.variant],
                metric=metrics[c.metric],
                exposure_date=c.exposure_date,
                source=source,
                dimension=c.dimension,
                segment=c.segment,
                load=load,
                n=c.n,
                **{name: getattr(c, name) for name in TOTAL_FIELDS},
            )
            for c in segments
        ],
        batch_size=1000,
    )
    return len(rows)

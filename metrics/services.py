"""Writing the metric catalogue."""

from django.core.exceptions import ValidationError
from django.db import transaction

from metrics.models import Metric

PARENT_CYCLE = "{parent} sits below {metric} in the KPI tree, so it cannot also be its parent."


def ensure_no_cycle(metric: Metric) -> None:
    """Walk up from the new parent; meeting the metric itself would close a loop."""
    ancestor = metric.parent
    while ancestor is not None:
        if metric.pk is not None and ancestor.pk == metric.pk:
            raise ValidationError(
                {"parent": PARENT_CYCLE.format(parent=metric.parent, metric=metric)}
            )
        ancestor = ancestor.parent


@transaction.atomic
def metric_save(*, metric: Metric) -> Metric:
    """Create or change a catalogue metric; raise ValidationError naming a bad field."""
    ensure_no_cycle(metric)
    metric.full_clean()
    metric.save()
    return metric

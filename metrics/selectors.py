"""Reading the metric catalogue."""

from dataclasses import dataclass, field

from metrics.models import Metric


@dataclass
class TreeNode:
    metric: Metric
    children: list["TreeNode"] = field(default_factory=list)


def kpi_forest() -> list[TreeNode]:
    """Every metric as a tree under its parent, roots first; one query."""
    metrics = list(Metric.objects.select_related("owner", "team").order_by("name"))
    nodes = {metric.pk: TreeNode(metric) for metric in metrics}
    roots = []
    for metric in metrics:
        parent = nodes.get(metric.parent_id)
        (parent.children if parent else roots).append(nodes[metric.pk])
    return roots

"""Column mappings: the JSON a person picks on the mapping page ↔ the parser's Mapping."""

from django.core.exceptions import ValidationError

from experiments.models import Experiment
from metrics.ingestion.dialect import DATE_ORDER_MISSING, Dialect
from metrics.ingestion.parse import Mapping, MetricColumns
from metrics.ingestion.segments import dimension_name_problem
from metrics.models import MetricKind, UploadMapping

MAPPING_INCOMPLETE = "Pick the column for {what}."
UNKNOWN_VALUE_TARGET = (
    "“{value}” is mapped to “{name}”, which is not a variant of this test: {known}."
)
DIMENSION_IS_KEY = "“{column}” is the {what}; a column cannot also be a dimension."
UNKNOWN_METRIC = "Not attached to this experiment: {names}; its metrics are {known}."


def experiment_metric_kinds(experiment: Experiment) -> dict[str, str]:
    """{metric name: kind} for the metrics attached to the experiment."""
    links = experiment.experiment_metrics.select_related("metric")
    return {link.metric.name: link.metric.kind for link in links}


def mapping_from_json(experiment: Experiment, data: dict) -> Mapping:
    """Build the parser's mapping; raise ValidationError naming the first missing choice.

    data: {"user": col, "variant": col, "date": col,
           "metrics": {name: {"column": col, "denominator": col, "pre": col,
                              "pre_denominator": col}}}
    A ratio metric's pre-period (CUPED) needs both its numerator ("pre") and denominator.
    A metric left without a column is not loaded; a column given for a metric the experiment
    does not measure is refused, so a misspelt name is not silently skipped.
    """
    for what in ("user", "variant", "date"):
        if not data.get(what):
            raise ValidationError(MAPPING_INCOMPLETE.format(what=f"the {what}"))
    kinds = experiment_metric_kinds(experiment)
    picked = {
        name
        for name, columns in (data.get("metrics") or {}).items()
        if isinstance(columns, dict) and any(columns.values())
    }
    if unknown := sorted(picked - set(kinds)):
        names = ", ".join(f"“{name}”" for name in unknown)
        known = ", ".join(f"“{name}”" for name in kinds) or "none"
        raise ValidationError(UNKNOWN_METRIC.format(names=names, known=known))
    metrics = []
    for name, kind in kinds.items():
        columns = (data.get("metrics") or {}).get(name) or {}
        if not columns.get("column"):
            continue
        if kind == MetricKind.RATIO and not columns.get("denominator"):
            raise ValidationError(MAPPING_INCOMPLETE.format(what=f"the denominator of {name}"))
        if kind == MetricKind.RATIO and bool(columns.get("pre")) != bool(
            columns.get("pre_denominator")
        ):
            half = "denominator" if columns.get("pre") else "numerator"
            raise ValidationError(
                MAPPING_INCOMPLETE.format(what=f"the pre-period {half} of {name}")
            )
        metrics.append(
            MetricColumns(
                key=name,
                kind=kind,
                column=columns["column"],
                denominator=columns.get("denominator") or None,
                pre=columns.get("pre") or None,
                pre_denominator=columns.get("pre_denominator") or None,
            )
        )
    if not metrics:
        raise ValidationError(MAPPING_INCOMPLETE.format(what="at least one metric"))
    dialect = data.get("dialect")
    if dialect is not None and Dialect.from_json(dialect).date_format is None:
        raise ValidationError(DATE_ORDER_MISSING)
    values = variant_values_check(experiment, data.get("variant_values") or {})
    dimensions = dimensions_check(data, metrics)
    return Mapping(data["user"], data["variant"], data["date"], tuple(metrics), values, dimensions)


def dimensions_check(data: dict, metrics: list[MetricColumns]) -> tuple[str, ...]:
    """The dimension columns, in the order picked; raise ValidationError for a column that
    already has another role, naming it."""
    dimensions = tuple(dict.fromkeys(c for c in data.get("dimensions") or () if c))
    taken: dict[str, str] = {}
    for metric in metrics:
        for name in metric.names:
            taken.setdefault(name, f"“{metric.key}”")
    for column in dimensions:
        for what in ("user", "variant", "date"):
            if data[what] == column:
                raise ValidationError(DIMENSION_IS_KEY.format(column=column, what=what))
        if problem := dimension_name_problem(column, taken):
            raise ValidationError(problem)
    return dimensions


def variant_values_check(experiment: Experiment, values: dict) -> tuple[tuple[str, str], ...]:
    """The value map as pairs; raise ValidationError for a target that is not a variant."""
    known = list(experiment.variants.values_list("name", flat=True))
    for value, name in values.items():
        if name not in known:
            shown = ", ".join(f"“{n}”" for n in known)
            raise ValidationError(UNKNOWN_VALUE_TARGET.format(value=value, name=name, known=shown))
    return tuple(sorted(values.items()))


def remembered_mapping(experiment: Experiment) -> dict:
    """The mapping last used for the experiment, without metrics detached from it since."""
    memory = UploadMapping.objects.filter(experiment=experiment).first()
    if memory is None:
        return {}
    attached = experiment_metric_kinds(experiment)
    metrics = {k: v for k, v in (memory.mapping.get("metrics") or {}).items() if k in attached}
    return {**memory.mapping, "metrics": metrics}


def mapping_remember(*, experiment: Experiment, mapping: dict, user) -> None:
    UploadMapping.objects.update_or_create(
        experiment=experiment, defaults={"mapping": mapping, "updated_by": user}
    )

"""Reading ideas and experiments: filtering, ranking and the joins each page needs."""

from dataclasses import dataclass

from django.db.models import Case, F, FloatField, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber

from accounts.models import ScoringModel
from experiments.models import (
    CustomField,
    CustomFieldValue,
    Experiment,
    ExperimentMetric,
    HistoryEntry,
    Idea,
    MetricRole,
)


@dataclass(frozen=True)
class ListFilters:
    """Filters taken from a query string; empty values mean "any"."""

    team: str = ""
    status: str = ""
    channel: str = ""
    tag: str = ""
    owner: str = ""
    decision: str = ""
    metric: str = ""
    q: str = ""
    # (key, value) of each custom-field filter, from the query's cf_<key> parameters.
    custom: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_query(cls, query) -> "ListFilters":
        names = [name for name in cls.__dataclass_fields__ if name != "custom"]
        custom = tuple(
            (name.removeprefix("cf_"), query.get(name).strip())
            for name in sorted(query)
            if name.startswith("cf_") and query.get(name, "").strip()
        )
        return cls(**{name: query.get(name, "").strip() for name in names}, custom=custom)


def with_int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def backlog(filters: ListFilters, *, my_team_ids=()) -> QuerySet[Idea]:
    """Ideas grouped by team, the teams in ``my_team_ids`` first, then by team name.

    Within a team the ideas are ranked by that team's own scoring model, best first, unscored
    last; ``rank`` counts from 1 in each team. ICE (1–10) and RICE (often millions) are never
    compared with each other, so one team's rank never depends on another team's ideas.
    """
    ideas = Idea.objects.select_related("team", "author").prefetch_related("tags")
    score = Case(
        When(team__scoring_model=ScoringModel.RICE, then=F("rice_score")),
        default=F("ice_score"),
        output_field=FloatField(),
    )
    best_first = [score.desc(nulls_last=True), F("created_at").desc()]
    ideas = ideas.annotate(
        score=score,
        rank=Window(RowNumber(), partition_by=[F("team_id")], order_by=best_first),
        mine=Case(
            When(team_id__in=list(my_team_ids), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
    )
    if team := with_int(filters.team):
        ideas = ideas.filter(team_id=team)
    if filters.status:
        ideas = ideas.filter(status=filters.status)
    else:
        ideas = ideas.exclude(status=Idea.Status.REJECTED)
    if filters.channel:
        ideas = ideas.filter(channel=filters.channel)
    if filters.tag:
        ideas = ideas.filter(tags__name=filters.tag.lower())
    if filters.q:
        ideas = ideas.filter(
            Q(title__icontains=filters.q)
            | Q(insight__icontains=filters.q)
            | Q(proposed_change__icontains=filters.q)
        )
    return ideas.order_by("mine", "team__name", "team_id", *best_first)


def primary_links() -> Prefetch:
    return Prefetch(
        "experiment_metrics",
        queryset=ExperimentMetric.objects.filter(role=MetricRole.PRIMARY).select_related("metric"),
        to_attr="primary_links",
    )


def custom_field_matches(key: str, value: str) -> Q:
    """Tests whose custom field ``key`` holds ``value``: text contains it; a number, a date or
    a choice equals it (compared as stored, so "5.0" finds 5); an unknown field or a value
    of the wrong type matches nothing."""
    from django.core.exceptions import ValidationError

    from experiments.services.custom_fields import canonical

    field = CustomField.objects.filter(key=key).first()
    if field is None:
        return Q(pk__in=[])
    values = CustomFieldValue.objects.filter(field=field)
    if field.kind == CustomField.Kind.TEXT:
        values = values.filter(value__icontains=value)
    else:
        try:
            values = values.filter(value=canonical(field, value))
        except ValidationError:
            return Q(pk__in=[])
    return Q(pk__in=values.values("experiment_id"))


def experiment_list(filters: ListFilters) -> QuerySet[Experiment]:
    experiments = Experiment.objects.select_related("team", "owner", "sprint").prefetch_related(
        "tags", primary_links()
    )
    if team := with_int(filters.team):
        experiments = experiments.filter(team_id=team)
    if filters.status:
        experiments = experiments.filter(status=filters.status)
    else:
        experiments = experiments.exclude(status=Experiment.Status.ARCHIVED)
    if filters.channel:
        experiments = experiments.filter(channel=filters.channel)
    if filters.tag:
        experiments = experiments.filter(tags__name=filters.tag.lower())
    if owner := with_int(filters.owner):
        experiments = experiments.filter(owner_id=owner)
    if filters.decision:
        experiments = experiments.filter(decision=filters.decision)
    if metric := with_int(filters.metric):
        experiments = experiments.filter(experiment_metrics__metric_id=metric)
    if filters.q:
        experiments = experiments.filter(experiment_text_matches(filters.q))
    for key, value in filters.custom:
        experiments = experiments.filter(custom_field_matches(key, value))
    return experiments.distinct().order_by("-updated_at")


def experiment_text_matches(text: str) -> Q:
    fields = (
        "title",
        "audience",
        "description",
        "hypothesis_insight",
        "hypothesis_change",
        "hypothesis_effect",
        "learning",
    )
    query = Q()
    for field in fields:
        query |= Q(**{f"{field}__icontains": text})
    return query


def experiment_detail(pk: int) -> Experiment:
    return (
        Experiment.objects.select_related("team", "owner", "idea", "sprint")
        .prefetch_related(
            "tags",
            "variants",
            Prefetch(
                "experiment_metrics",
                queryset=ExperimentMetric.objects.select_related("metric"),
            ),
            Prefetch("history", queryset=HistoryEntry.objects.select_related("user")),
        )
        .get(pk=pk)
    )


def primary_metric(experiment: Experiment):
    """The primary metric of a test, or None; uses prefetched links when present."""
    links = getattr(experiment, "primary_links", None)
    if links is None:
        links = [
            link for link in experiment.experiment_metrics.all() if link.role == MetricRole.PRIMARY
        ]
    return links[0].metric if links else None


def hypothesis_parts(experiment: Experiment) -> list[tuple[str, str | None]]:
    """The hypothesis template as (text before the blank, filled-in value or None) pairs.

    The text before each blank carries its own leading space or punctuation, so joining
    `f"{text} {value}"` for every pair gives the sentence.
    """
    metric = primary_metric(experiment)
    metric_name = metric.name if metric else None
    mde = f"{experiment.mde_relative:g}%" if experiment.mde_relative else None
    days = experiment.planned_duration_days or experiment.plan_days
    duration = f"{days} days" if days else None
    return [
        ("Because we saw", experiment.hypothesis_insight or None),
        (", we believe that", experiment.hypothesis_change or None),
        (" for", experiment.audience or None),
        (" will", experiment.hypothesis_effect or None),
        (" on", metric_name),
        (". We will know when", metric_name),
        (" moves by", mde),
        (" within", duration),
    ]


def hypothesis_sentence(experiment: Experiment) -> str:
    """The hypothesis as one readable sentence, with "…" for what is not written yet."""
    parts = hypothesis_parts(experiment)
    return "".join(f"{text} {value or '…'}" for text, value in parts) + "."

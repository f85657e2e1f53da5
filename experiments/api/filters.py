"""The query parameters of the idea and experiment lists, and the querysets they filter."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError
from django.db.models import Case, F, FloatField, Prefetch, QuerySet, When
from rest_framework import serializers

from accounts.models import ScoringModel
from experiments.models import (
    Channel,
    CustomField,
    Decision,
    Experiment,
    ExperimentMetric,
    HistoryEntry,
    Idea,
)
from experiments.selectors import custom_field_matches
from experiments.services.custom_fields import canonical
from growthlab.rest.fields import day, integer, text
from growthlab.rest.filters import QueryFilter, date_range

IDEA_ORDERINGS = {
    "rank": (F("score").desc(nulls_last=True), "-created_at", "-id"),
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "title": ("title", "id"),
}


class DatedFilter(QueryFilter):
    created_after = day("Created", "after")
    created_before = day("Created", "before")
    updated_after = day("Last changed", "after")
    updated_before = day("Last changed", "before")

    def validate_tag(self, value: str) -> str:
        return value.lower()


class IdeaFilter(DatedFilter):
    team = integer("Team id.")
    status = serializers.ChoiceField(choices=Idea.Status.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    tag = serializers.CharField(required=False, max_length=48)
    min_score = serializers.FloatField(required=False, help_text="Score at least this (ICE/RICE).")
    q = text()
    ordering = serializers.ChoiceField(
        choices=list(IDEA_ORDERINGS),
        required=False,
        default="rank",
        help_text="rank: best score first (the ranked backlog), unscored last.",
    )

    lookups = {
        "team": "team_id",
        "status": "status",
        "channel": "channel",
        "tag": "tags__name",
        "min_score": "score__gte",
        **date_range("created"),
        **date_range("updated"),
    }
    text_fields = ("title", "insight", "proposed_change", "audience")

    def filter(self, queryset: QuerySet) -> QuerySet:
        ordering = IDEA_ORDERINGS[self.validated_data["ordering"]]
        return super().filter(queryset).order_by(*ordering)


class ExperimentFilter(DatedFilter):
    team = integer("Team id.")
    sprint = integer("Sprint id.")
    owner = integer("Owner's user id.")
    metric = integer("Id of an attached metric (any role).")
    idea = integer("Id of the idea it came from.")
    status = serializers.ChoiceField(choices=Experiment.Status.choices, required=False)
    decision = serializers.ChoiceField(choices=Decision.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    tag = serializers.CharField(required=False, max_length=48)
    q = text()
    concluded_after = day("Concluded", "after")
    concluded_before = day("Concluded", "before")

    lookups = {
        "team": "team_id",
        "sprint": "sprint_id",
        "owner": "owner_id",
        "idea": "idea_id",
        "metric": "experiment_metrics__metric_id",
        "status": "status",
        "decision": "decision",
        "channel": "channel",
        "tag": "tags__name",
        **date_range("created"),
        **date_range("updated"),
        **date_range("concluded"),
    }
    text_fields = (
        "title",
        "audience",
        "description",
        "hypothesis_insight",
        "hypothesis_change",
        "hypothesis_effect",
        "learning",
    )

    def get_fields(self) -> dict:
        """The organisation's custom fields filter too, as ``cf_<key>``."""
        fields = super().get_fields()
        try:
            defined = list(CustomField.objects.all())
        except DatabaseError:
            # The schema is also built by `check --deploy` before the first migrate.
            defined = []
        for field in defined:
            fields[f"cf_{field.key}"] = serializers.CharField(
                required=False, help_text=f"Custom field “{field.label}” ({field.kind})."
            )
        return fields

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        by_key = {field.key: field for field in CustomField.objects.all()}
        for name, value in attrs.items():
            field = by_key.get(name.removeprefix("cf_")) if name.startswith("cf_") else None
            if field is not None and field.kind != CustomField.Kind.TEXT:
                try:
                    canonical(field, value)
                except DjangoValidationError as error:
                    raise serializers.ValidationError({name: error.messages}) from None
        return attrs

    def filter(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter(queryset)
        for name, value in self.validated_data.items():
            if name.startswith("cf_"):
                queryset = queryset.filter(custom_field_matches(name.removeprefix("cf_"), value))
        return queryset


def ideas() -> QuerySet[Idea]:
    """Ideas with the score of their team's model, and everything the serializer reads."""
    return (
        Idea.objects.select_related("team", "author")
        .prefetch_related("tags", Prefetch("experiments", Experiment.objects.only("id", "idea")))
        .annotate(
            score=Case(
                When(team__scoring_model=ScoringModel.RICE, then=F("rice_score")),
                default=F("ice_score"),
                output_field=FloatField(),
            )
        )
    )


def experiments(*, with_history: bool = False) -> QuerySet[Experiment]:
    """Experiments with every related row the serializer reads, in a fixed number of queries."""
    links = ExperimentMetric.objects.select_related("metric")
    related = ["tags", "variants", Prefetch("experiment_metrics", queryset=links)]
    if with_history:
        related.append(Prefetch("history", HistoryEntry.objects.select_related("user")))
    return (
        Experiment.objects.select_related("team", "owner")
        .prefetch_related(*related)
        .order_by("-updated_at", "-id")
    )

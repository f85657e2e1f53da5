"""Sprints, read-only: planning and reviews are written on the sprint pages."""

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from experiments.models import Experiment
from growthlab.rest.filters import QueryFilter
from growthlab.rest.schema import READ, errors
from growthlab.rest.views import ApiListView
from sprints.api.serializers import SprintSerializer
from sprints.models import Sprint


class SprintFilter(QueryFilter):
    team = serializers.IntegerField(required=False, min_value=1, help_text="Team id.")
    status = serializers.ChoiceField(choices=Sprint.Status.choices, required=False)
    starts_after = serializers.DateField(required=False, help_text="Starts on or after this day.")
    starts_before = serializers.DateField(required=False, help_text="Starts on or before it.")
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)

    lookups = {
        "team": "team_id",
        "status": "status",
        "starts_after": "starts_on__gte",
        "starts_before": "starts_on__lte",
    }
    text_fields = ("goal", "review_notes", "action_items")


def sprints() -> QuerySet[Sprint]:
    tests = Prefetch("experiments", Experiment.objects.only("id", "sprint"))
    return (
        Sprint.objects.select_related("team").prefetch_related(tests).order_by("-starts_on", "-id")
    )


@extend_schema(
    parameters=[SprintFilter], responses={200: SprintSerializer(many=True)} | errors(*READ)
)
class SprintListApi(ApiListView):
    serializer_class = SprintSerializer
    filter_class = SprintFilter
    csv_filename = "sprints"

    def get_queryset(self):
        return sprints()


@extend_schema(responses={200: SprintSerializer} | errors(*READ))
class SprintDetailApi(generics.RetrieveAPIView):
    serializer_class = SprintSerializer

    def get_queryset(self):
        return sprints()

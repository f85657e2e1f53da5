"""Data loads, read-only: what came in, how far it got, and every problem it found.

A load is started by an upload, a data source or a pipeline push; here it is only followed.
"""

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from accounts.api.serializers import UserRefSerializer
from growthlab.rest.filters import QueryFilter, date_range
from growthlab.rest.schema import READ, errors
from growthlab.rest.views import ApiListView
from metrics.ingestion.wording import note_text, problem_shown
from metrics.models import DataLoad


class ProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, required=False)
    column = serializers.CharField(allow_null=True, required=False)
    message = serializers.CharField()
    text = serializers.CharField(help_text="Where and what, in one sentence.")

    def to_representation(self, instance) -> dict:
        # Stored in English with its parameters; read in the language the request asked for.
        return problem_shown(instance)


class NotesField(serializers.ListField):
    child = serializers.CharField()

    def to_representation(self, data) -> list[str]:
        return [note_text(note) for note in data]


class DataLoadSerializer(serializers.ModelSerializer):
    experiment = serializers.IntegerField(source="experiment_id")
    created_by = UserRefSerializer(allow_null=True)
    errors = ProblemSerializer(many=True, help_text="The first problems found, by row and column.")
    notes = NotesField(help_text="What a good load changed on the way, in the request's language.")

    class Meta:
        model = DataLoad
        fields = [
            "id",
            "experiment",
            "kind",
            "status",
            "original_name",
            "content_sha256",
            "phase",
            "progress_percent",
            "rows_read",
            "cohorts_written",
            "errors",
            "errors_more",
            "notes",
            "created_by",
            "created_at",
            "started_at",
            "heartbeat_at",
            "finished_at",
        ]


class DataLoadFilter(QueryFilter):
    experiment = serializers.IntegerField(required=False, min_value=1, help_text="Experiment id.")
    team = serializers.IntegerField(required=False, min_value=1, help_text="Team id.")
    kind = serializers.ChoiceField(choices=DataLoad.Kind.choices, required=False)
    status = serializers.ChoiceField(choices=DataLoad.Status.choices, required=False)
    created_after = serializers.DateField(required=False, help_text="On or after (YYYY-MM-DD).")
    created_before = serializers.DateField(required=False, help_text="On or before this day.")

    lookups = {
        "experiment": "experiment_id",
        "team": "experiment__team_id",
        "kind": "kind",
        "status": "status",
        **date_range("created"),
    }


def data_loads() -> QuerySet[DataLoad]:
    # The typed or pushed rows (payload) can be large and are never shown.
    loads = DataLoad.objects.select_related("created_by").defer("payload", "mapping")
    return loads.order_by("-created_at", "-id")


def load_accepted(load: DataLoad) -> Response:
    """202 with the queued load, and its API address in Location to follow its progress."""
    load = data_loads().get(pk=load.pk)
    location = reverse("api:data-load-detail", args=[load.pk])
    return Response(
        DataLoadSerializer(load).data,
        status=status.HTTP_202_ACCEPTED,
        headers={"Location": location},
    )


@extend_schema(
    parameters=[DataLoadFilter], responses={200: DataLoadSerializer(many=True)} | errors(*READ)
)
class DataLoadListApi(ApiListView):
    serializer_class = DataLoadSerializer
    filter_class = DataLoadFilter
    csv_filename = "data-loads"

    def get_queryset(self):
        return data_loads()


@extend_schema(responses={200: DataLoadSerializer} | errors(*READ))
class DataLoadDetailApi(generics.RetrieveAPIView):
    """One load: poll it to follow its progress until status is succeeded or failed."""

    serializer_class = DataLoadSerializer

    def get_queryset(self):
        return data_loads()

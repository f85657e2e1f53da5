"""The learnings library: concluded tests with a written learning, searched in full text.

On PostgreSQL ``q`` is a web-style search (quotes, OR, -word) ranked best first, with a
snippet of the learning around the matched words; on SQLite it is plain containment.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response

from accounts.api.serializers import TeamRefSerializer, UserRefSerializer
from experiments.models import Channel, Decision, Experiment
from growthlab.rest.filters import QueryFilter
from growthlab.rest.schema import READ, errors
from growthlab.rest.views import ApiListView
from learnings.models import ReadBack
from learnings.readbacks import readbacks_of, readbacks_prefetch
from learnings.selectors import (
    MARK_START,
    MARK_STOP,
    RESULTS,
    LibraryFilters,
    library,
    similar_tests,
)

READBACK_OUTCOMES = [*ReadBack.Outcome.values, "pending", "failed"]


class ReadBackSerializer(serializers.ModelSerializer):
    """One read-back of a shipped test's long-term metric; read-only."""

    metric = serializers.SerializerMethodField()
    outcome = serializers.ChoiceField(
        source="state",
        choices=READBACK_OUTCOMES,
        read_only=True,
        help_text="held, faded or reversed once read; pending until then; failed (see error).",
    )
    estimate = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Relative lift read back, 0.05 = +5%."
    )
    ci_lower = serializers.FloatField(read_only=True, allow_null=True)
    ci_upper = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = ReadBack
        fields = [
            "days",
            "due_on",
            "metric",
            "outcome",
            "estimate",
            "ci_lower",
            "ci_upper",
            "finished_at",
            "error",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(help_text="The long-term metric read back."))
    def get_metric(self, readback: ReadBack) -> str:
        return readback.metric_name or readback.plan.metric.name


class LearningSerializer(serializers.ModelSerializer):
    team = TeamRefSerializer()
    owner = UserRefSerializer(allow_null=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    primary_metric = serializers.SerializerMethodField()
    rank = serializers.FloatField(
        read_only=True, allow_null=True, default=None, help_text="Search rank (with q only)."
    )
    snippet = serializers.SerializerMethodField()
    readbacks = serializers.SerializerMethodField()

    class Meta:
        model = Experiment
        fields = [
            "id",
            "team",
            "owner",
            "title",
            "channel",
            "audience",
            "decision",
            "learning",
            "postmortem_what_happened",
            "postmortem_why",
            "postmortem_next_test",
            "tags",
            "primary_metric",
            "concluded_at",
            "rank",
            "snippet",
            "readbacks",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_primary_metric(self, experiment: Experiment) -> str | None:
        links = experiment.primary_links
        return links[0].metric.name if links else None

    @extend_schema_field(ReadBackSerializer(many=True))
    def get_readbacks(self, experiment: Experiment) -> list[dict]:
        """Did the win hold: each read-back of a shipped test, first day first."""
        return ReadBackSerializer(readbacks_of(experiment), many=True).data

    @extend_schema_field(
        serializers.CharField(
            allow_null=True, help_text="The learning around the matched words, [marked] so."
        )
    )
    def get_snippet(self, experiment: Experiment) -> str | None:
        snippet = getattr(experiment, "snippet", None)
        if snippet is None:
            return None
        return snippet.replace(MARK_START, "[").replace(MARK_STOP, "]")


class LearningFilter(QueryFilter):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Words to search for, web-search style.",
    )
    team = serializers.IntegerField(required=False, min_value=1, help_text="Team id.")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    audience = serializers.CharField(required=False, max_length=200)
    metric = serializers.IntegerField(required=False, min_value=1, help_text="Primary metric id.")
    decision = serializers.ChoiceField(choices=Decision.choices, required=False)
    result = serializers.ChoiceField(choices=list(RESULTS), required=False)
    tag = serializers.CharField(required=False, max_length=48)

    def filter(self, queryset: QuerySet) -> QuerySet:
        data = {name: str(value) for name, value in self.validated_data.items()}
        return library(LibraryFilters(**data))


@extend_schema(
    parameters=[LearningFilter], responses={200: LearningSerializer(many=True)} | errors(*READ)
)
class LearningListApi(ApiListView):
    serializer_class = LearningSerializer
    filter_class = LearningFilter
    csv_filename = "learnings"

    def get_queryset(self):
        return Experiment.objects.none()  # the filter builds the library's own queryset


class SimilarTestLiftSerializer(serializers.Serializer):
    metric = serializers.CharField(source="metric_name", help_text="The primary metric.")
    estimate = serializers.FloatField(help_text="Relative lift, 0.08 = +8%.")
    ci_lower = serializers.FloatField(help_text="Lower end of the decision rule's interval.")
    ci_upper = serializers.FloatField(help_text="Upper end of the decision rule's interval.")


class SimilarTestSerializer(LearningSerializer):
    lift = SimilarTestLiftSerializer(
        read_only=True,
        allow_null=True,
        help_text="The primary metric's measured lift from the stored result; null without one.",
    )

    class Meta(LearningSerializer.Meta):
        fields = [*LearningSerializer.Meta.fields, "lift"]


class SimilarQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text="The title or hypothesis being written; without words, the list is empty.",
    )
    exclude = serializers.IntegerField(
        required=False, min_value=1, help_text="A test to leave out (the one being edited)."
    )


@extend_schema(
    parameters=[SimilarQuery], responses={200: SimilarTestSerializer(many=True)} | errors(*READ)
)
class SimilarTestsApi(generics.GenericAPIView):
    """The concluded tests most like the given text (title, hypothesis, learning, tags, KPI
    node), best first (at most five), each with its decision and measured lift."""

    serializer_class = SimilarTestSerializer
    pagination_class = None  # at most five, best first: one short list

    def get(self, request):
        query = SimilarQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = similar_tests(query.validated_data["q"], query.validated_data.get("exclude"))
        return Response(SimilarTestSerializer(found, many=True).data)


@extend_schema(responses={200: ReadBackSerializer(many=True)} | errors(*READ))
class ExperimentReadBacksApi(generics.GenericAPIView):
    """Did the win hold: the read-backs of a shipped test, first day first; an empty list
    while none is planned."""

    serializer_class = ReadBackSerializer
    pagination_class = None  # a handful per test
    queryset = Experiment.objects.prefetch_related(*readbacks_prefetch())

    def get(self, request, pk: int):
        experiment = self.get_object()
        return Response(ReadBackSerializer(readbacks_of(experiment), many=True).data)

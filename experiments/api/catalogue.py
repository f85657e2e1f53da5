"""The metric catalogue with its KPI tree, and the significance and sample-size calculator.

These sit here rather than in metrics/api/, which the outcome-data work owns (pushed
aggregates); growthlab/api.py gathers both under /api/v1/.
"""

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from accounts.api.permissions import allow
from accounts.api.serializers import UserRefSerializer
from experiments.api import calculator as calc
from experiments.api.serializers import owner_check
from growthlab.rest.errors import flat_errors
from growthlab.rest.filters import QueryFilter
from growthlab.rest.idempotency import IDEMPOTENCY_PARAMETER, IDEMPOTENT_RESPONSES, idempotent
from growthlab.rest.schema import READ, WRITE, errors
from growthlab.rest.views import ApiListCreateView
from metrics import stats
from metrics.models import Direction, Metric, MetricKind
from metrics.selectors import TreeNode, kpi_forest
from metrics.services import metric_save

METRIC_FIELDS = [
    "name",
    "description",
    "kind",
    "unit",
    "good_direction",
    "definition",
    "team",
    "owner",
    "parent",
    "baseline_value",
    "baseline_sd",
]


class MetricSerializer(serializers.ModelSerializer):
    owner = UserRefSerializer(allow_null=True)
    children = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Metric
        fields = ["id", *METRIC_FIELDS, "children", "created_at", "updated_at"]


class MetricInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Metric
        fields = METRIC_FIELDS

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        team = attrs["team"] if "team" in attrs else getattr(self.instance, "team", None)
        owner = attrs["owner"] if "owner" in attrs else getattr(self.instance, "owner", None)
        owner_check(owner, team)
        return attrs


class KpiNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="metric.id")
    name = serializers.CharField(source="metric.name")
    kind = serializers.ChoiceField(source="metric.kind", choices=MetricKind.choices)
    good_direction = serializers.ChoiceField(
        source="metric.good_direction", choices=Direction.choices
    )
    team = serializers.IntegerField(source="metric.team_id", allow_null=True)
    owner = UserRefSerializer(source="metric.owner", allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["children"] = KpiNodeSerializer(many=True)
        return fields


class MetricFilter(QueryFilter):
    team = serializers.IntegerField(required=False, min_value=1, help_text="Team id.")
    kind = serializers.ChoiceField(choices=MetricKind.choices, required=False)
    parent = serializers.IntegerField(required=False, min_value=1, help_text="Parent metric id.")
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)

    lookups = {"team": "team_id", "kind": "kind", "parent": "parent_id"}
    text_fields = ("name", "description", "definition")


def metrics() -> QuerySet[Metric]:
    children = Prefetch("children", Metric.objects.only("id", "parent"))
    return Metric.objects.select_related("owner").prefetch_related(children).order_by("name", "id")


@extend_schema_view(
    get=extend_schema(
        parameters=[MetricFilter], responses={200: MetricSerializer(many=True)} | errors(*READ)
    )
)
class MetricListApi(ApiListCreateView):
    serializer_class = MetricSerializer
    filter_class = MetricFilter
    csv_filename = "metrics"

    def get_queryset(self):
        return metrics()

    @extend_schema(
        request=MetricInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: MetricSerializer} | errors(*WRITE) | IDEMPOTENT_RESPONSES,
    )
    @idempotent
    def post(self, request: Request) -> Response:
        allow(bool(access.teams_where(request.user, "metric")))
        body = MetricInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        team = body.validated_data.get("team")
        allow(access.can_edit(request.user, "metric", team.id if team else None))
        metric = metric_save(metric=Metric(**body.validated_data))
        return Response(MetricSerializer(metrics().get(pk=metric.pk)).data, status=201)


class MetricDetailApi(generics.GenericAPIView):
    serializer_class = MetricSerializer
    can_write = staticmethod(access.can_edit_metric)

    def get_queryset(self):
        return metrics()

    @extend_schema(responses={200: MetricSerializer} | errors(*READ))
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=MetricInputSerializer, responses={200: MetricSerializer} | errors(*WRITE)
    )
    def patch(self, request: Request, pk: int) -> Response:
        metric = self.get_object()
        body = MetricInputSerializer(metric, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        if "team" in body.validated_data:  # moving it needs the right in the new team too
            team = body.validated_data["team"]
            allow(access.can_edit(request.user, "metric", team.id if team else None))
        for name, value in body.validated_data.items():
            setattr(metric, name, value)
        metric_save(metric=metric)
        return Response(MetricSerializer(metrics().get(pk=metric.pk)).data)


class KpiTreeApi(APIView):
    """Every metric under its parent, roots first: the KPI tree under each North Star."""

    @extend_schema(responses={200: KpiNodeSerializer(many=True)} | errors(401, 429))
    def get(self, request: Request) -> Response:
        forest: list[TreeNode] = kpi_forest()
        return Response(KpiNodeSerializer(forest, many=True).data)


def engine_call(function, payload):
    """Run the statistics engine; its StatsInputError becomes a 400 naming the field."""
    try:
        return function(payload)
    except stats.StatsInputError as error:
        raise exceptions.ValidationError({error.field: [error.message]}) from error


SIGNIFICANCE_EXAMPLE = {
    "metric_type": "binomial",
    "variants": [
        {"name": "control", "n": 10000, "conversions": 500},
        {"name": "treatment", "n": 10000, "conversions": 560},
    ],
}
SAMPLE_SIZE_EXAMPLE = {
    "metric_type": "binomial",
    "baseline_rate": 0.05,
    "mde_relative": 0.1,
    "daily_traffic": 4000,
}


class CalculatorApi(APIView):
    parser_classes = [JSONParser]
    expensive = True
    engine = None
    input_serializer = None

    def post(self, request: Request) -> Response:
        body = self.input_serializer(data=request.data)
        if not body.is_valid():
            raise exceptions.ValidationError(flat_errors(body.errors))
        return Response(engine_call(self.engine, plain(body.validated_data)), status=200)


def plain(value):
    """Validated data as the engine's JSON interface: dicts, lists and numbers."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


@extend_schema(
    request=calc.SignificanceInputSerializer,
    responses={200: OpenApiTypes.OBJECT} | errors(400, 401, 429),
    examples=[OpenApiExample("Two variants of a conversion", SIGNIFICANCE_EXAMPLE)],
    description="The statistics engine's analysis of one metric (metrics.stats.analyse).",
)
class SignificanceApi(CalculatorApi):
    engine = staticmethod(stats.analyse)
    input_serializer = calc.SignificanceInputSerializer


@extend_schema(
    request=calc.SampleSizeInputSerializer,
    responses={200: OpenApiTypes.OBJECT} | errors(400, 401, 429),
    examples=[OpenApiExample("A conversion rate of 5%", SAMPLE_SIZE_EXAMPLE)],
    description="Users per variant, total and days (metrics.stats.plan_power).",
)
class SampleSizeApi(CalculatorApi):
    engine = staticmethod(stats.plan_power)
    input_serializer = calc.SampleSizeInputSerializer

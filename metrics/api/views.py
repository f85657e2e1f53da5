"""Daily aggregates pushed by a tracking pipeline: checked now, written by a worker."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from experiments.models import Experiment
from growthlab.rest.schema import WRITE, errors
from metrics.api.loads import DataLoadSerializer, load_accepted
from metrics.ingestion.problems import RejectedData
from metrics.ingestion.ranges import MAX_TOTAL, MAX_USERS
from metrics.ingestion.segments import MAX_DIMENSION_LENGTH, MAX_SEGMENT_LENGTH
from metrics.ingestion.services import aggregates_push


def count_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MAX_USERS, **kwargs)


def total_field() -> serializers.FloatField:
    return serializers.FloatField(min_value=-MAX_TOTAL, max_value=MAX_TOTAL, required=False)


class AggregateSerializer(serializers.Serializer):
    """One day's totals; every number has the range the file, counts and SQL paths check."""

    date = serializers.DateField()
    variant = serializers.CharField(max_length=64)
    metric = serializers.CharField(max_length=120)
    users = count_field()
    conversions = count_field(required=False)
    sum = total_field()
    sum_squares = total_field()
    den_sum = total_field()
    den_sum_squares = total_field()
    num_den_sum_products = total_field()
    pre_sum = total_field()
    pre_sum_squares = total_field()
    post_pre_sum_products = total_field()
    # A ratio metric's pre-period: pre_sum/pre_sum_squares/post_pre_sum_products above are its
    # numerator's, these the denominator's and the cross products (all or none).
    pre_den_sum = total_field()
    pre_den_sum_squares = total_field()
    pre_num_den_sum_products = total_field()
    post_pre_den_sum_products = total_field()
    num_pre_den_sum_products = total_field()
    den_pre_num_sum_products = total_field()
    segments = serializers.DictField(
        child=serializers.CharField(
            max_length=MAX_SEGMENT_LENGTH, allow_blank=True, allow_null=True
        ),
        required=False,
        help_text=_(
            'This item\'s value of each dimension ({"device": "mobile"}): the item is '
            "then one cell of those dimensions, and the day's overall is the sum of its cells. "
            "An empty or missing value is the segment “(none)”."
        ),
    )

    def validate_segments(self, segments: dict) -> dict:
        for name in segments:
            if not name.strip() or len(name) > MAX_DIMENSION_LENGTH:
                raise serializers.ValidationError(
                    _("A dimension name has 1 to {limit} characters, unlike “{name}”.").format(
                        limit=MAX_DIMENSION_LENGTH, name=name
                    )
                )
        return segments


class AggregatesPushApi(APIView):
    """POST {"aggregates": [{date, variant, metric, users, conversions | sum, sum_squares …,
    segments?}]}.

    A re-push of a day replaces that day. Answers 202 with the data load (its API address in
    Location), or 400 with every problem named by row (the item's position, from 1) and field.
    """

    expensive = True  # every push queues a load on a worker

    class InputSerializer(serializers.Serializer):
        aggregates = AggregateSerializer(many=True, allow_empty=False)

    @extend_schema(
        operation_id="experiments_aggregates_push",
        request=InputSerializer,
        responses={202: DataLoadSerializer} | errors(*WRITE),
        description="Queue the aggregates for a worker; follow the data load at its Location.",
    )
    def post(self, request: Request, pk: int) -> Response:
        experiment = get_object_or_404(Experiment, pk=pk)
        access.require(access.can_edit_experiment(request.user, experiment))
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rows = [
            {**item, "date": item["date"].isoformat()} for item in body.validated_data["aggregates"]
        ]
        try:
            load = aggregates_push(experiment=experiment, user=request.user, rows=rows)
        except RejectedData as rejected:
            errors = [problem.as_dict() for problem in rejected.problems]
            return Response({"errors": errors, "more": rejected.more}, status=400)
        return load_accepted(load)

"""SQL data sources, the query an experiment pulls with, and "refresh now".

The connection URL holds the warehouse password: it is accepted on writes and never
returned. Every answer shows ``url_shown`` (metrics.ingestion.sources), where the user name
and password are ***. The rules come from accounts.access, as on the pages
(metrics/ingestion/source_views.py): analysts add and change their team's sources; anyone who
may change the experiment asks for a refresh. Attaching a query needs the right to change the
source, as on the page, and also the experiment's, since it decides where its data comes from.
"""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import access
from accounts.api.permissions import allow
from accounts.api.serializers import TeamRefSerializer, UserRefSerializer
from experiments.api.scoping import ExperimentScoped
from experiments.models import Experiment
from growthlab.rest.filters import QueryFilter
from growthlab.rest.idempotency import IDEMPOTENCY_PARAMETER, IDEMPOTENT_RESPONSES, idempotent
from growthlab.rest.schema import READ, WRITE, Detail, errors
from growthlab.rest.views import ApiListCreateView
from metrics.api.loads import DataLoadSerializer, load_accepted
from metrics.ingestion.mapping import mapping_from_json
from metrics.ingestion.sources import (
    NO_QUERY,
    data_source_delete,
    data_source_save,
    experiment_query_save,
    query_check,
    sql_refresh,
    url_check,
    url_shown,
)
from metrics.models import DataSource, ExperimentQuery


class DataSourceSerializer(serializers.ModelSerializer):
    team = TeamRefSerializer()
    url_shown = serializers.SerializerMethodField(
        help_text="The connection without its user name and password."
    )
    created_by = UserRefSerializer(allow_null=True)

    class Meta:
        model = DataSource
        fields = ["id", "name", "team", "url_shown", "created_by", "created_at", "updated_at"]

    def get_url_shown(self, source: DataSource) -> str:
        return url_shown(source)


class DataSourceInputSerializer(serializers.ModelSerializer):
    url = serializers.CharField(
        write_only=True,
        allow_blank=True,
        style={"input_type": "password"},
        help_text="SQLAlchemy URL, e.g. postgresql+psycopg://user:password@host:5432/db. "
        "Stored encrypted and never returned; on an update, empty or absent keeps the saved one.",
    )

    class Meta:
        model = DataSource
        fields = ["name", "team", "url"]

    def validate_url(self, url: str) -> str:
        if not url and self.instance is not None:
            return url  # an update without a URL keeps the saved connection
        return url_check(url)


class DataSourceFilter(QueryFilter):
    team = serializers.IntegerField(required=False, min_value=1, help_text="Team id.")
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)

    lookups = {"team": "team_id"}
    text_fields = ("name",)


def data_sources() -> QuerySet[DataSource]:
    return DataSource.objects.select_related("team", "created_by").order_by("name", "id")


def data_source_out(source: DataSource) -> dict:
    return DataSourceSerializer(data_sources().get(pk=source.pk)).data


@extend_schema_view(
    get=extend_schema(
        parameters=[DataSourceFilter],
        responses={200: DataSourceSerializer(many=True)} | errors(*READ),
    )
)
class DataSourceListApi(ApiListCreateView):
    serializer_class = DataSourceSerializer
    filter_class = DataSourceFilter
    csv_filename = "data-sources"

    def get_queryset(self):
        return data_sources()

    @extend_schema(
        request=DataSourceInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: DataSourceSerializer} | errors(*WRITE) | IDEMPOTENT_RESPONSES,
    )
    @idempotent
    def post(self, request: Request) -> Response:
        allow(bool(access.teams_where(request.user, "data_source")))
        body = DataSourceInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        url = fields.pop("url")
        allow(access.can_edit(request.user, "data_source", fields["team"].id))
        source = data_source_save(source=DataSource(**fields), url=url, user=request.user)
        return Response(data_source_out(source), status=status.HTTP_201_CREATED)


class DataSourceDetailApi(generics.GenericAPIView):
    serializer_class = DataSourceSerializer
    can_write = staticmethod(access.can_edit_data_source)

    def get_queryset(self):
        return data_sources()

    @extend_schema(responses={200: DataSourceSerializer} | errors(*READ))
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=DataSourceInputSerializer,
        responses={200: DataSourceSerializer} | errors(*WRITE),
    )
    def patch(self, request: Request, pk: int) -> Response:
        source = self.get_object()
        body = DataSourceInputSerializer(source, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        url = fields.pop("url", "")
        if "team" in fields:  # moving it needs the right in the new team too
            allow(access.can_edit(request.user, "data_source", fields["team"].id))
        for name, value in fields.items():
            setattr(source, name, value)
        source = data_source_save(source=source, url=url, user=request.user)
        return Response(data_source_out(source))

    @extend_schema(
        responses={204: None}
        | errors(
            *WRITE,
            _409=OpenApiResponse(
                Detail, description="Experiments still pull from the source; it names them."
            ),
        )
    )
    def delete(self, request: Request, pk: int) -> Response:
        try:
            data_source_delete(source=self.get_object())
        except ValidationError as error:
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SourceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = DataSource
        fields = ["id", "name"]


class MetricColumnsSerializer(serializers.Serializer):
    column = serializers.CharField(max_length=200, help_text="The value (or numerator) column.")
    denominator = serializers.CharField(
        max_length=200, required=False, help_text="Ratio metrics: the denominator column."
    )
    pre = serializers.CharField(
        max_length=200, required=False, help_text="Mean metrics: the pre-period column (CUPED)."
    )


class QueryMappingSerializer(serializers.Serializer):
    """Which column of the query's rows is what, as on the upload mapping page."""

    user = serializers.CharField(max_length=200)
    variant = serializers.CharField(max_length=200)
    date = serializers.CharField(max_length=200)
    metrics = serializers.DictField(
        child=MetricColumnsSerializer(),
        help_text="{metric name: columns}; a metric of the experiment left out is not loaded.",
    )


class ExperimentQuerySerializer(serializers.ModelSerializer):
    experiment = serializers.IntegerField(source="experiment_id")
    source = SourceRefSerializer()
    # As saved: the request's shape, though a page may have saved a metric with no columns.
    mapping = serializers.JSONField()
    updated_by = UserRefSerializer(allow_null=True)

    class Meta:
        model = ExperimentQuery
        fields = ["experiment", "source", "query", "mapping", "updated_by", "updated_at"]


class ExperimentQueryInputSerializer(serializers.Serializer):
    """The source, its per-user query, and the mapping of the experiment's metrics to columns."""

    source = serializers.PrimaryKeyRelatedField(queryset=DataSource.objects.all())
    query = serializers.CharField(
        help_text="A single SELECT (or WITH … SELECT) returning one row per user."
    )
    mapping = QueryMappingSerializer()

    def validate_query(self, query: str) -> str:
        return query_check(query)

    def validate_mapping(self, mapping: dict) -> dict:
        # A missing column or a metric the experiment does not measure, named.
        mapping_from_json(self.context["experiment"], mapping)  # the view gives the experiment
        return mapping


def attached_query(experiment) -> ExperimentQuery | None:
    queries = ExperimentQuery.objects.select_related("source", "updated_by")
    return queries.filter(experiment=experiment).first()


class ExperimentQueryApi(ExperimentScoped, generics.GenericAPIView):
    """The SQL source an experiment's outcome data is pulled from, and its column mapping."""

    serializer_class = ExperimentQueryInputSerializer  # what OPTIONS describes for a PUT

    def get_object(self) -> Experiment:
        # OPTIONS asks for the object a PUT would change: the query belongs to the experiment.
        return self.experiment()

    @extend_schema(
        responses={200: ExperimentQuerySerializer} | errors(*READ),
        description="A 404 when the experiment has no SQL source attached.",
    )
    def get(self, request: Request, pk: int) -> Response:
        attached = attached_query(self.experiment())
        if attached is None:
            raise Http404(NO_QUERY)
        return Response(ExperimentQuerySerializer(attached).data)

    @extend_schema(
        request=ExperimentQueryInputSerializer,
        responses={200: ExperimentQuerySerializer} | errors(*WRITE),
        description="Attach a SQL source, or change the attached one: an analyst who may "
        "change both the experiment and the source.",
    )
    def put(self, request: Request, pk: int) -> Response:
        experiment = self.experiment()
        allow(bool(access.teams_where(request.user, "data_source")))
        body = ExperimentQueryInputSerializer(data=request.data, context={"experiment": experiment})
        body.is_valid(raise_exception=True)
        allow(access.can_edit_data_source(request.user, body.validated_data["source"]))
        experiment_query_save(experiment=experiment, user=request.user, **body.validated_data)
        return Response(ExperimentQuerySerializer(attached_query(experiment)).data)


class ExperimentRefreshApi(ExperimentScoped, generics.GenericAPIView):
    """Refresh now: queue a pull of the experiment's SQL source."""

    serializer_class = DataLoadSerializer
    expensive = True  # every refresh queues a warehouse query on a worker

    @extend_schema(
        request=None,
        responses={202: DataLoadSerializer} | errors(*WRITE),
        description="Queue a pull of the attached SQL source; follow the load at its "
        "Location. A pull already waiting is returned instead of a second one. A 400 when "
        "the experiment is not running or has no SQL source.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return load_accepted(sql_refresh(experiment=self.experiment(), user=request.user))

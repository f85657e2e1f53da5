"""The test process through the API: templates, duplicates, sign-off, custom fields and the
audit export. Validate the input, call the service, serialize the result."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from accounts.api.permissions import allow
from experiments import audit
from experiments.api import serializers as s
from experiments.api.lifecycle import refused
from experiments.api.scoping import ExperimentScoped
from experiments.api.views import experiment_out
from experiments.models import CustomField, ExperimentTemplate, SignoffRequest
from experiments.services.signoff import signoff_approve, signoff_refuse, signoff_request
from experiments.services.templates import experiment_create_from_template, experiment_duplicate
from growthlab.rest.export import CSVRenderer
from growthlab.rest.idempotency import IDEMPOTENCY_PARAMETER, IDEMPOTENT_RESPONSES, idempotent
from growthlab.rest.schema import READ, WRITE, errors
from growthlab.rest.views import ApiListView


@extend_schema(responses={200: s.TemplateSerializer(many=True)} | errors(*READ))
class TemplateListApi(ApiListView):
    """Every template: each team's own and the organisation-wide ones (team null)."""

    serializer_class = s.TemplateSerializer
    csv_filename = "templates"

    def get_queryset(self):
        return ExperimentTemplate.objects.select_related("team").prefetch_related(
            "template_metrics"
        )


@extend_schema(responses={200: s.TemplateSerializer} | errors(*READ))
class TemplateDetailApi(generics.RetrieveAPIView):
    serializer_class = s.TemplateSerializer
    queryset = ExperimentTemplate.objects.select_related("team")


class TemplateUseApi(generics.GenericAPIView):
    """Create a draft test from the template; refused whole (400) if one of its metrics is gone."""

    serializer_class = s.FromTemplateInputSerializer

    @extend_schema(
        request=s.FromTemplateInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: s.ExperimentDetailSerializer} | errors(*WRITE) | IDEMPOTENT_RESPONSES,
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        template = get_object_or_404(ExperimentTemplate, pk=pk)
        allow(bool(access.teams_where(request.user, "experiment")))
        body = s.FromTemplateInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        team = body.validated_data["team"]
        allow(access.can_edit(request.user, "experiment", team.id))
        experiment = experiment_create_from_template(
            template=template,
            team=team,
            user=request.user,
            title=body.validated_data["title"],
            custom_values=body.validated_data.get("custom_fields"),
        )
        return Response(experiment_out(experiment), status=status.HTTP_201_CREATED)


class ExperimentDuplicateApi(ExperimentScoped, generics.GenericAPIView):
    """A new draft with the test's documentation, variants and metrics; no data or results."""

    serializer_class = s.DuplicateInputSerializer

    @extend_schema(
        request=s.DuplicateInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: s.ExperimentDetailSerializer} | errors(*WRITE) | IDEMPOTENT_RESPONSES,
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        experiment = self.experiment()
        body = s.DuplicateInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        title = body.validated_data.get("title", "")
        copy = experiment_duplicate(experiment=experiment, user=request.user, title=title)
        return Response(experiment_out(copy), status=status.HTTP_201_CREATED)


class SignoffListApi(ExperimentScoped, generics.GenericAPIView):
    """The test's sign-off requests, newest first; POST asks a team lead to sign off the start."""

    serializer_class = s.SignoffSerializer
    pagination_class = None

    @extend_schema(responses={200: s.SignoffSerializer(many=True)} | errors(*READ))
    def get(self, request: Request, pk: int) -> Response:
        experiment = self.experiment()
        signoffs = experiment.signoff_requests.select_related("requested_by", "decided_by")
        return Response(s.SignoffSerializer(signoffs, many=True).data)

    @extend_schema(
        request=s.SignoffInputSerializer,
        responses={201: s.SignoffSerializer} | errors(*WRITE, 409),
    )
    def post(self, request: Request, pk: int) -> Response:
        experiment = self.experiment()
        body = s.SignoffInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            signoff = signoff_request(
                experiment=experiment, user=request.user, kind=body.validated_data["kind"]
            )
        except ValidationError as error:
            return refused(error)
        return Response(s.SignoffSerializer(signoff).data, status=status.HTTP_201_CREATED)


class SignoffDecisionApi(generics.GenericAPIView):
    """A team lead approves (an approved change is applied at once) or refuses, with a reason."""

    serializer_class = s.RefusalSerializer
    can_write = staticmethod(lambda user, signoff: access.can_sign_off(user, signoff.experiment))

    def signoff(self) -> SignoffRequest:
        signoff = get_object_or_404(
            SignoffRequest.objects.select_related("experiment__team"),
            pk=self.kwargs["signoff_pk"],
            experiment_id=self.kwargs["pk"],
        )
        self.check_object_permissions(self.request, signoff)
        return signoff

    @extend_schema(
        request=s.RefusalSerializer,
        parameters=[
            OpenApiParameter(
                "decision", OpenApiTypes.STR, OpenApiParameter.PATH, enum=("approve", "refuse")
            )
        ],
        responses={200: s.SignoffSerializer} | errors(*WRITE, 409),
    )
    def post(self, request: Request, pk: int, signoff_pk: int, decision: str) -> Response:
        signoff = self.signoff()
        try:
            if decision == "approve":
                signoff = signoff_approve(signoff=signoff, user=request.user)
            else:
                body = s.RefusalSerializer(data=request.data)
                body.is_valid(raise_exception=True)
                reason = body.validated_data["reason"]
                signoff = signoff_refuse(signoff=signoff, user=request.user, reason=reason)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                raise
            return refused(error)
        return Response(s.SignoffSerializer(signoff).data)


@extend_schema(responses={200: s.CustomFieldSerializer(many=True)} | errors(*READ))
class CustomFieldListApi(ApiListView):
    """The organisation's custom fields: the keys of every test's ``custom_fields``."""

    serializer_class = s.CustomFieldSerializer
    csv_filename = "custom-fields"
    queryset = CustomField.objects.all()


AUDIT_PARAMETERS = [
    OpenApiParameter("experiment", OpenApiTypes.INT, description="One test's history."),
    OpenApiParameter("team", OpenApiTypes.INT, description="A team's ideas and tests."),
    OpenApiParameter("since", OpenApiTypes.DATE, description="From this day on (inclusive)."),
    OpenApiParameter("until", OpenApiTypes.DATE, description="Up to this day (inclusive)."),
    OpenApiParameter("format", OpenApiTypes.STR, enum=("csv", "json"), description="csv default"),
]


class HistoryExportApi(APIView):
    """The audit trail, oldest first, streamed as spreadsheet-safe CSV or as a JSON array."""

    renderer_classes = [JSONRenderer, CSVRenderer]

    def perform_content_negotiation(self, request, force=False):
        # An unknown ?format= gets this view's own 400 naming it, not the router's 404.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=AUDIT_PARAMETERS,
        # CSV text or a JSON array of entries, by `format`.
        responses={200: OpenApiTypes.ANY} | errors(*READ),
    )
    def get(self, request: Request):
        query = request.query_params
        experiment = query.get("experiment", "").strip()
        if experiment and not experiment.isdigit():
            return Response({"experiment": ["Give a test's id."]}, status=400)
        scope = audit.scope_from_query(query, experiment_id=int(experiment or 0) or None)
        return audit.audit_download(scope, audit.export_format(query))

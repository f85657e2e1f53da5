"""An experiment's variants, attached metrics and history, each through its service."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import access
from experiments.api import serializers as s
from experiments.api.scoping import ExperimentScoped
from experiments.models import ExperimentMetric, Variant
from experiments.services.experiments import (
    experiment_metric_attach,
    experiment_metric_detach,
    variant_remove,
    variant_save,
)
from growthlab.rest.idempotency import IDEMPOTENCY_PARAMETER, IDEMPOTENT_RESPONSES, idempotent
from growthlab.rest.schema import READ, WRITE, errors
from growthlab.rest.views import ApiListCreateView, ApiListView


def of_experiment(user, child) -> bool:
    """A variant or metric link changes under its experiment's rule."""
    return access.can_edit_experiment(user, child.experiment)


@extend_schema(responses={200: s.VariantSerializer(many=True)} | errors(*READ))
class VariantListApi(ExperimentScoped, ApiListCreateView):
    serializer_class = s.VariantSerializer
    csv_filename = "variants"
    pagination_class = None  # a test has a handful of variants

    def get_queryset(self):
        experiment = self.experiment()  # a 404 for an unknown test, not an empty list
        return experiment.variants.order_by("-is_control", "name")

    @extend_schema(
        request=s.VariantSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: s.VariantSerializer} | errors(*WRITE) | IDEMPOTENT_RESPONSES,
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        experiment = self.experiment()
        body = s.VariantSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        variant = variant_save(
            variant=Variant(experiment=experiment, **body.validated_data), user=request.user
        )
        return Response(s.VariantSerializer(variant).data, status=status.HTTP_201_CREATED)


class VariantDetailApi(generics.GenericAPIView):
    serializer_class = s.VariantSerializer
    can_write = staticmethod(of_experiment)
    lookup_url_kwarg = "variant_pk"

    def get_queryset(self):
        return Variant.objects.filter(experiment_id=self.kwargs["pk"]).select_related("experiment")

    @extend_schema(responses={200: s.VariantSerializer} | errors(*READ))
    def get(self, request: Request, pk: int, variant_pk: int) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=s.VariantSerializer, responses={200: s.VariantSerializer} | errors(*WRITE)
    )
    def patch(self, request: Request, pk: int, variant_pk: int) -> Response:
        variant = self.get_object()
        body = s.VariantSerializer(variant, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        for name, value in body.validated_data.items():
            setattr(variant, name, value)
        return Response(s.VariantSerializer(variant_save(variant=variant, user=request.user)).data)

    @extend_schema(responses={204: None} | errors(*WRITE))
    def delete(self, request: Request, pk: int, variant_pk: int) -> Response:
        variant_remove(variant=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(responses={200: s.AttachedMetricSerializer(many=True)} | errors(*READ))
class AttachedMetricListApi(ExperimentScoped, ApiListCreateView):
    serializer_class = s.AttachedMetricSerializer
    csv_filename = "attached-metrics"
    pagination_class = None

    def get_queryset(self):
        links = self.experiment().experiment_metrics
        return links.select_related("metric").order_by("role", "metric__name")

    @extend_schema(
        request=s.AttachMetricInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: s.AttachedMetricSerializer} | errors(*WRITE) | IDEMPOTENT_RESPONSES,
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        experiment = self.experiment()
        body = s.AttachMetricInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        link = experiment_metric_attach(
            experiment=experiment, user=request.user, **body.validated_data
        )
        return Response(s.AttachedMetricSerializer(link).data, status=status.HTTP_201_CREATED)


class AttachedMetricDetailApi(generics.GenericAPIView):
    serializer_class = s.AttachedMetricSerializer
    can_write = staticmethod(of_experiment)
    lookup_url_kwarg = "link_pk"

    def get_queryset(self):
        links = ExperimentMetric.objects.filter(experiment_id=self.kwargs["pk"])
        return links.select_related("metric", "experiment")

    @extend_schema(responses={200: s.AttachedMetricSerializer} | errors(*READ))
    def get(self, request: Request, pk: int, link_pk: int) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(responses={204: None} | errors(*WRITE))
    def delete(self, request: Request, pk: int, link_pk: int) -> Response:
        experiment_metric_detach(link=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(responses={200: s.HistoryEntrySerializer(many=True)} | errors(*READ))
class HistoryListApi(ExperimentScoped, ApiListView):
    """Every recorded change to the experiment's documentation, newest first."""

    serializer_class = s.HistoryEntrySerializer
    csv_filename = "history"

    def get_queryset(self):
        entries = self.experiment().history
        return entries.select_related("user").order_by("-created_at", "-id")

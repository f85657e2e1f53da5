"""Lifecycle transitions as actions; a refusal is a 409 carrying the service's exact words."""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import access
from experiments.api import serializers as s
from experiments.api.scoping import ExperimentScoped
from experiments.api.views import experiment_out
from experiments.services.lifecycle import TRANSITIONS, experiment_conclude, experiment_transition
from growthlab.rest.schema import WRITE, errors

# Concluding needs a decision and a learning, so it has its own endpoint with a body.
MOVES = tuple(action for action in TRANSITIONS if action != "conclude")
UNKNOWN_ACTION = "There is no transition “{action}”; the actions are {actions}."


def refused(error: ValidationError) -> Response:
    return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)


class ExperimentTransitionApi(ExperimentScoped, generics.GenericAPIView):
    serializer_class = s.ExperimentDetailSerializer
    expensive = True

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=MOVES)
        ],
        responses={200: s.ExperimentDetailSerializer} | errors(*WRITE, 409),
    )
    def post(self, request: Request, pk: int, action: str) -> Response:
        if action not in MOVES:
            raise exceptions.NotFound(
                UNKNOWN_ACTION.format(action=action, actions=", ".join(MOVES))
            )
        experiment = self.experiment()
        try:
            moved = experiment_transition(experiment=experiment, user=request.user, action=action)
        except ValidationError as error:
            return refused(error)
        return Response(experiment_out(moved))


class ExperimentConcludeApi(ExperimentScoped, generics.GenericAPIView):
    serializer_class = s.ConcludeInputSerializer
    can_write = staticmethod(access.can_conclude_experiment)
    expensive = True

    @extend_schema(
        request=s.ConcludeInputSerializer,
        responses={200: s.ExperimentDetailSerializer} | errors(*WRITE, 409),
    )
    def post(self, request: Request, pk: int) -> Response:
        experiment = self.experiment()
        body = s.ConcludeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            concluded = experiment_conclude(
                experiment=experiment, user=request.user, **body.validated_data
            )
        except ValidationError as error:
            return refused(error)
        return Response(experiment_out(concluded))

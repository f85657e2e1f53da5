"""Ideas and experiments: validate the input, call the service, serialize the result.

Reads are open to anyone signed in; writes ask accounts.access through ReadOrRoleWrite (for
an existing object) or ``allow(access.can_edit(...))`` (for a new one, once its team is known).
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import access
from accounts.api.permissions import allow
from experiments.api import serializers as s
from experiments.api.filters import ExperimentFilter, IdeaFilter, experiments, ideas
from experiments.api.rows import (
    experiment_csv_columns,
    experiment_ids,
    experiment_list_rows,
    experiment_rows,
)
from experiments.api.scoping import ExperimentScoped
from experiments.models import Experiment, Idea, SignoffRequest
from experiments.services.experiments import (
    experiment_create,
    experiment_create_from_idea,
    experiment_update,
)
from experiments.services.ideas import idea_create, idea_update
from experiments.services.planning import experiment_plan_sample_size
from experiments.services.signoff import edit_needs_signoff, proposal_dump, signoff_request
from experiments.services.tags import tag_names_parse
from growthlab.rest.idempotency import IDEMPOTENCY_PARAMETER, IDEMPOTENT_RESPONSES, idempotent
from growthlab.rest.pagination import SubqueryPagination
from growthlab.rest.schema import READ, WRITE, errors
from growthlab.rest.views import ApiListCreateView


def split_body(validated: dict) -> tuple[dict, list[str] | None]:
    """The service's ``data`` and ``tags`` from an input serializer's validated data."""
    data = dict(validated)
    tags = data.pop("tags", None)
    # The same normalising as the pages' tag field: lower case, unique, commas separate.
    return data, None if tags is None else tag_names_parse(",".join(tags))


def idea_out(idea: Idea) -> dict:
    return s.IdeaSerializer(ideas().get(pk=idea.pk)).data


def experiment_out(experiment: Experiment) -> dict:
    return s.ExperimentDetailSerializer(experiments(with_history=True).get(pk=experiment.pk)).data


@extend_schema_view(
    get=extend_schema(
        parameters=[IdeaFilter], responses={200: s.IdeaSerializer(many=True)} | errors(*READ)
    )
)
class IdeaListApi(ApiListCreateView):
    serializer_class = s.IdeaSerializer
    filter_class = IdeaFilter
    csv_filename = "ideas"

    def get_queryset(self):
        return ideas()

    @extend_schema(
        request=s.IdeaInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: s.IdeaSerializer} | errors(*WRITE) | IDEMPOTENT_RESPONSES,
    )
    @idempotent
    def post(self, request: Request) -> Response:
        allow(bool(access.teams_where(request.user, "idea")))
        body = s.IdeaInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data, tags = split_body(body.validated_data)
        team = data.pop("team")
        allow(access.can_edit(request.user, "idea", team.id))
        idea = idea_create(team=team, author=request.user, data=data, tags=tags)
        return Response(idea_out(idea), status=status.HTTP_201_CREATED)


class IdeaDetailApi(generics.GenericAPIView):
    serializer_class = s.IdeaSerializer
    can_write = staticmethod(access.can_edit_idea)

    def get_queryset(self):
        return ideas()

    @extend_schema(responses={200: s.IdeaSerializer} | errors(*READ))
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=s.IdeaUpdateSerializer, responses={200: s.IdeaSerializer} | errors(*WRITE)
    )
    def patch(self, request: Request, pk: int) -> Response:
        idea = self.get_object()
        body = s.IdeaUpdateSerializer(idea, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data, tags = split_body(body.validated_data)
        idea = idea_update(idea=idea, user=request.user, data=data, tags=tags)
        return Response(idea_out(idea))


class IdeaToExperimentApi(generics.GenericAPIView):
    """Turn an idea into a draft experiment that carries over its documentation."""

    serializer_class = s.ExperimentDetailSerializer
    can_write = staticmethod(access.can_edit_experiment)  # the new test belongs to the idea's team
    queryset = Idea.objects.select_related("team")

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: s.ExperimentDetailSerializer} | errors(*WRITE) | IDEMPOTENT_RESPONSES,
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        experiment = experiment_create_from_idea(idea=self.get_object(), user=request.user)
        return Response(experiment_out(experiment), status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        parameters=[ExperimentFilter],
        responses={200: s.ExperimentSerializer(many=True)} | errors(*READ),
    )
)
class ExperimentListApi(ApiListCreateView):
    serializer_class = s.ExperimentSerializer
    filter_class = ExperimentFilter
    csv_filename = "experiments"
    pagination_class = SubqueryPagination

    def get_queryset(self):
        return experiment_ids()

    def rows(self, objects) -> list[dict]:
        # ExperimentSerializer's output without its per-field pass (see experiments/api/rows.py).
        return experiment_rows(list(experiment_list_rows(objects)), request=self.request)

    def csv_columns(self) -> "list[str]":
        return experiment_csv_columns(self.get_serializer())

    @extend_schema(
        request=s.ExperimentInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: s.ExperimentDetailSerializer} | errors(*WRITE) | IDEMPOTENT_RESPONSES,
    )
    @idempotent
    def post(self, request: Request) -> Response:
        allow(bool(access.teams_where(request.user, "experiment")))
        body = s.ExperimentInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data, tags = split_body(body.validated_data)
        team, idea = data.pop("team"), data.pop("idea", None)
        custom = data.pop("custom_fields", None)
        allow(access.can_edit(request.user, "experiment", team.id))
        experiment = experiment_create(
            team=team, user=request.user, data=data, tags=tags, idea=idea, custom_values=custom
        )
        return Response(experiment_out(experiment), status=status.HTTP_201_CREATED)


class ExperimentDetailApi(generics.GenericAPIView):
    serializer_class = s.ExperimentDetailSerializer
    can_write = staticmethod(access.can_edit_experiment)

    def get_queryset(self):
        return experiments(with_history=True)

    @extend_schema(responses={200: s.ExperimentDetailSerializer} | errors(*READ))
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=s.ExperimentUpdateSerializer,
        responses={200: s.ExperimentDetailSerializer, 202: s.SignoffSerializer} | errors(*WRITE),
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Change the documentation. Where a team lead signs off changes to a running test,
        the change is stored as a sign-off request instead (202) and applied on approval."""
        experiment = self.get_object()
        body = s.ExperimentUpdateSerializer(experiment, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data, tags = split_body(body.validated_data)
        custom = data.pop("custom_fields", None)
        if edit_needs_signoff(experiment, request.user):
            signoff = signoff_request(
                experiment=experiment,
                user=request.user,
                kind=SignoffRequest.Kind.EDIT,
                proposal=proposal_dump(data, tags, custom),
            )
            return Response(s.SignoffSerializer(signoff).data, status=status.HTTP_202_ACCEPTED)
        experiment = experiment_update(
            experiment=experiment, user=request.user, data=data, tags=tags, custom_values=custom
        )
        return Response(experiment_out(experiment))


class ExperimentPlanApi(ExperimentScoped, generics.GenericAPIView):
    """Save the sample-size inputs; the engine computes users per variant and days."""

    serializer_class = s.PlanInputSerializer
    expensive = True

    @extend_schema(
        request=s.PlanInputSerializer,
        responses={200: s.ExperimentDetailSerializer} | errors(*WRITE),
    )
    def post(self, request: Request, pk: int) -> Response:
        experiment = self.experiment()
        body = s.PlanInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        planned = experiment_plan_sample_size(
            experiment=experiment, user=request.user, data=body.validated_data
        )
        return Response(experiment_out(planned))

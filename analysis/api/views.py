"""An experiment's analysis: its state, its runs, and the re-analyse action."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from analysis.api.serializers import AnalysisStateSerializer, RunDetailSerializer, RunSerializer
from analysis.models import AnalysisRun, Trigger
from analysis.selectors import analysis_state
from analysis.services import analysis_request
from experiments.api.scoping import ExperimentScoped
from growthlab.rest.schema import READ, WRITE, errors
from growthlab.rest.views import ApiListView


def run_out(run: AnalysisRun | None) -> dict | None:
    return RunSerializer(run).data if run else None


class ExperimentAnalysisApi(ExperimentScoped, generics.GenericAPIView):
    """The last good result, any failure since, and work under way."""

    serializer_class = AnalysisStateSerializer

    @extend_schema(responses={200: AnalysisStateSerializer} | errors(*READ))
    def get(self, request: Request, pk: int) -> Response:
        state = analysis_state(self.experiment())
        return Response(
            AnalysisStateSerializer(
                {
                    "computed_at": state.computed_at,
                    "last_success": state.success,
                    "results": state.results,
                    "failure": state.failure,
                    "active": state.active,
                    "schedule_stopped": state.schedule_stopped is not None,
                }
            ).data
        )


@extend_schema_view(
    get=extend_schema(responses={200: RunDetailSerializer(many=True)} | errors(*READ))
)
class AnalysisRunListApi(ExperimentScoped, ApiListView):
    """GET: every analysis run of the experiment, newest first. POST: re-analyse now."""

    serializer_class = RunDetailSerializer
    csv_filename = "analysis-runs"

    def get_queryset(self):
        runs = self.experiment().analysis_runs.select_related("requested_by")
        return runs.order_by("-queued_at", "-id")

    def get_throttles(self):
        # Only the re-analyse action costs a worker; reading the runs is an ordinary read.
        self.expensive = self.request.method == "POST"
        return super().get_throttles()

    @extend_schema(
        request=None,
        responses={202: RunDetailSerializer} | errors(*WRITE),
        description="Queue an analysis of the current data and settings. An identical "
        "request already waiting is returned instead of a second run.",
    )
    def post(self, request: Request, pk: int) -> Response:
        experiment = self.experiment()
        run = analysis_request(experiment=experiment, trigger=Trigger.MANUAL, user=request.user)
        run = AnalysisRun.objects.select_related("requested_by").get(pk=run.pk)
        return Response(RunDetailSerializer(run).data, status=status.HTTP_202_ACCEPTED)

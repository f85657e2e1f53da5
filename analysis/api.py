"""GET /api/v1/experiments/<pk>/analysis/: the last good result and any failure since."""

from django.shortcuts import get_object_or_404
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from analysis.models import AnalysisResult, AnalysisRun
from analysis.selectors import analysis_state
from experiments.models import Experiment


class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnalysisRun
        fields = ["id", "status", "trigger", "fingerprint", "analysed_fingerprint", "queued_at",
                  "started_at", "finished_at", "error", "attempts"]  # fmt: skip


class ResultSerializer(serializers.ModelSerializer):
    metric = serializers.CharField(source="metric.name")
    variant = serializers.CharField(source="variant.name")

    class Meta:
        model = AnalysisResult
        fields = ["metric", "variant", "role", "is_control", "status", "verdict", "method",
                  "settings", "inputs", "comparison", "findings", "series",
                  "computed_at"]  # fmt: skip


class ExperimentAnalysisApi(APIView):
    def get(self, request, pk: int) -> Response:
        state = analysis_state(get_object_or_404(Experiment, pk=pk))
        run = lambda r: RunSerializer(r).data if r else None  # noqa: E731
        return Response({
            "computed_at": state.computed_at,
            "last_success": run(state.success),
            "results": ResultSerializer(state.results, many=True).data,
            "failure": run(state.failure),
            "active": run(state.active),
            "schedule_stopped": state.schedule_stopped is not None,
        })  # fmt: skip

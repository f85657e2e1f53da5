"""What the analysis API returns: runs, the stored result rows, and the flat results table."""

from rest_framework import serializers

from accounts.api.serializers import UserRefSerializer
from analysis.models import AnalysisResult, AnalysisRun


class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnalysisRun
        fields = [
            "id",
            "status",
            "trigger",
            "fingerprint",
            "analysed_fingerprint",
            "queued_at",
            "started_at",
            "finished_at",
            "error",
            "attempts",
            "unchanged_checks",
            "checked_at",
        ]


class RunDetailSerializer(RunSerializer):
    requested_by = UserRefSerializer(allow_null=True)
    results_run = serializers.IntegerField(
        source="results_run_id",
        allow_null=True,
        help_text="The run whose stored results answer this one: itself, or an earlier run "
        "with the same inputs.",
    )
    retry_of = serializers.IntegerField(source="retry_of_id", allow_null=True)

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "requested_by", "results_run", "retry_of"]


class ResultSerializer(serializers.ModelSerializer):
    metric = serializers.CharField(source="metric.name")
    variant = serializers.CharField(source="variant.name")

    class Meta:
        model = AnalysisResult
        fields = [
            "metric",
            "variant",
            "role",
            "is_control",
            "status",
            "verdict",
            "method",
            "settings",
            "inputs",
            "comparison",
            "findings",
            "series",
            "computed_at",
        ]


class AnalysisStateSerializer(serializers.Serializer):
    computed_at = serializers.DateTimeField(allow_null=True)
    last_success = RunSerializer(allow_null=True)
    results = ResultSerializer(many=True)
    failure = RunSerializer(allow_null=True, help_text="A failure newer than the last success.")
    active = RunSerializer(allow_null=True, help_text="A run queued or under way.")
    schedule_stopped = serializers.BooleanField(
        help_text="True when the scheduled refresh gave up after repeated failures."
    )

from rest_framework import serializers

from accounts.api.serializers import TeamRefSerializer
from sprints.models import Sprint


class SprintSerializer(serializers.ModelSerializer):
    team = TeamRefSerializer()
    experiments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Sprint
        fields = [
            "id",
            "team",
            "number",
            "goal",
            "goal_metric",
            "starts_on",
            "ends_on",
            "status",
            "review_notes",
            "action_items",
            "closed_at",
            "length_days",
            "experiments",
        ]

from rest_framework import serializers

from accounts.models import Membership, Team, User


class UserRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name"]


class TeamRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "slug"]


class MembershipSerializer(serializers.ModelSerializer):
    user = UserRefSerializer()

    class Meta:
        model = Membership
        fields = ["user", "role", "joined_at"]


class TeamSerializer(serializers.ModelSerializer):
    members = MembershipSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "slug",
            "mission",
            "scoring_model",
            "sprint_length_days",
            "north_star",
            "created_at",
            "members",
        ]

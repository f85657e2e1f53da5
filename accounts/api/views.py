"""Teams with their members and roles: read-only here (team settings change on the team page)."""

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from accounts.api.serializers import TeamSerializer
from accounts.models import Membership, Team
from growthlab.rest.filters import QueryFilter
from growthlab.rest.schema import READ, errors
from growthlab.rest.views import ApiListView


def teams() -> QuerySet[Team]:
    members = Membership.objects.select_related("user").order_by("role", "user__username")
    return Team.objects.prefetch_related(Prefetch("memberships", queryset=members)).order_by(
        "name", "id"
    )


class TeamFilter(QueryFilter):
    q = serializers.CharField(required=False, allow_blank=True, help_text="Text in the name.")
    text_fields = ("name", "mission")


@extend_schema(parameters=[TeamFilter], responses={200: TeamSerializer(many=True)} | errors(*READ))
class TeamListApi(ApiListView):
    serializer_class = TeamSerializer
    filter_class = TeamFilter
    csv_filename = "teams"

    def get_queryset(self):
        return teams()


@extend_schema(responses={200: TeamSerializer} | errors(*READ))
class TeamDetailApi(generics.RetrieveAPIView):
    serializer_class = TeamSerializer

    def get_queryset(self):
        return teams()

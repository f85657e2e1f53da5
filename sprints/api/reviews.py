"""Sprint reviews: the notes, action items and carried-over tests; closing is for team leads."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import access
from growthlab.rest.schema import READ, WRITE, errors
from sprints.models import Sprint
from sprints.services import sprint_close


class ReviewSerializer(serializers.ModelSerializer):
    sprint = serializers.IntegerField(source="id")
    carried_over = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Unfinished tests moved out when the sprint closed."
    )

    class Meta:
        model = Sprint
        fields = [
            "sprint",
            "number",
            "status",
            "review_notes",
            "action_items",
            "closed_at",
            "carried_over",
        ]


class CloseInputSerializer(serializers.Serializer):
    review_notes = serializers.CharField(max_length=20000)
    action_items = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class ReviewScoped(generics.GenericAPIView):
    serializer_class = ReviewSerializer
    can_write = staticmethod(access.can_manage_sprint)
    queryset = Sprint.objects.select_related("team").prefetch_related("carried_over")


class SprintReviewApi(ReviewScoped):
    @extend_schema(responses={200: ReviewSerializer} | errors(*READ))
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.get_serializer(self.get_object()).data)


class SprintReviewCloseApi(ReviewScoped):
    """Record the review, carry unfinished tests over and freeze the sprint (in review only)."""

    expensive = True

    @extend_schema(
        request=CloseInputSerializer, responses={200: ReviewSerializer} | errors(*WRITE, 409)
    )
    def post(self, request: Request, pk: int) -> Response:
        sprint = self.get_object()
        body = CloseInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            closed = sprint_close(sprint=sprint, user=request.user, **body.validated_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                raise  # a field at fault: a 400 naming it
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)
        return Response(ReviewSerializer(self.get_queryset().get(pk=closed.pk)).data)

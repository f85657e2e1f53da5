from django.urls import path

from sprints.api import reviews

urlpatterns = [
    path("sprints/<int:pk>/review/", reviews.SprintReviewApi.as_view(), name="sprint-review"),
    path(
        "sprints/<int:pk>/review/close/",
        reviews.SprintReviewCloseApi.as_view(),
        name="sprint-review-close",
    ),
]

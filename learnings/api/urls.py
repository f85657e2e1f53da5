from django.urls import path

from learnings.api.views import ExperimentReadBacksApi, LearningListApi, SimilarTestsApi

urlpatterns = [
    path("learnings/", LearningListApi.as_view(), name="learning-list"),
    path("learnings/similar/", SimilarTestsApi.as_view(), name="learning-similar"),
    # served here: the experiments app sits below learnings and cannot know its read-backs
    path(
        "experiments/<int:pk>/readbacks/",
        ExperimentReadBacksApi.as_view(),
        name="experiment-readbacks",
    ),
]

from django.urls import path

from learnings.api.views import LearningListApi, SimilarTestsApi

urlpatterns = [
    path("learnings/", LearningListApi.as_view(), name="learning-list"),
    path("learnings/similar/", SimilarTestsApi.as_view(), name="learning-similar"),
]

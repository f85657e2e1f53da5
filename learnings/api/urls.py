from django.urls import path

from learnings.api.views import LearningListApi

urlpatterns = [
    path("learnings/", LearningListApi.as_view(), name="learning-list"),
]

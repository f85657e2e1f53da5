from django.urls import path

from sprints.api import views

urlpatterns = [
    path("sprints/", views.SprintListApi.as_view(), name="sprint-list"),
    path("sprints/<int:pk>/", views.SprintDetailApi.as_view(), name="sprint-detail"),
]

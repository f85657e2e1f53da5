from django.urls import path

from accounts.api import views

urlpatterns = [
    path("teams/", views.TeamListApi.as_view(), name="team-list"),
    path("teams/<int:pk>/", views.TeamDetailApi.as_view(), name="team-detail"),
]

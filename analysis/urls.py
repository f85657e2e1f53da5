from django.urls import path

from analysis import views

app_name = "analysis"
urlpatterns = [
    path("teams/<slug:slug>/analysis-defaults/", views.team_defaults_edit, name="team_defaults"),
]

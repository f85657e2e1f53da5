from django.urls import path

from analysis import views

app_name = "analysis"
urlpatterns = [
    path("experiments/<int:pk>/analysis/run/", views.analysis_rerun, name="rerun"),
    path("experiments/<int:pk>/analysis/settings/", views.analysis_settings_edit, name="settings"),
    path("teams/<slug:slug>/analysis-defaults/", views.team_defaults_edit, name="team_defaults"),
]

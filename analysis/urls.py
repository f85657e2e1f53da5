from django.urls import path

from analysis import api, views

app_name = "analysis"
urlpatterns = [
    path("experiments/<int:pk>/analysis/run/", views.analysis_rerun, name="rerun"),
    path("experiments/<int:pk>/analysis/settings/", views.analysis_settings_edit, name="settings"),
    path(
        "api/v1/experiments/<int:pk>/analysis/",
        api.ExperimentAnalysisApi.as_view(),
        name="api_experiment_analysis",
    ),
]

from django.urls import path

from analysis.api import results, views

experiment = "experiments/<int:pk>/"
urlpatterns = [
    path(
        f"{experiment}analysis/", views.ExperimentAnalysisApi.as_view(), name="experiment-analysis"
    ),
    path(
        f"{experiment}analysis-runs/", views.AnalysisRunListApi.as_view(), name="analysis-run-list"
    ),
    path("results/", results.ResultListApi.as_view(), name="result-list"),
]

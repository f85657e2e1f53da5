from django.urls import path

from experiments.api import catalogue, documentation, lifecycle, views

experiment = "experiments/<int:pk>/"
urlpatterns = [
    path("ideas/", views.IdeaListApi.as_view(), name="idea-list"),
    path("ideas/<int:pk>/", views.IdeaDetailApi.as_view(), name="idea-detail"),
    path("ideas/<int:pk>/experiment/", views.IdeaToExperimentApi.as_view(), name="idea-experiment"),
    path("experiments/", views.ExperimentListApi.as_view(), name="experiment-list"),
    path(experiment, views.ExperimentDetailApi.as_view(), name="experiment-detail"),
    path(f"{experiment}plan/", views.ExperimentPlanApi.as_view(), name="experiment-plan"),
    path(
        f"{experiment}transitions/<str:action>/",
        lifecycle.ExperimentTransitionApi.as_view(),
        name="experiment-transition",
    ),
    path(
        f"{experiment}conclude/",
        lifecycle.ExperimentConcludeApi.as_view(),
        name="experiment-conclude",
    ),
    path(f"{experiment}variants/", documentation.VariantListApi.as_view(), name="variant-list"),
    path(
        f"{experiment}variants/<int:variant_pk>/",
        documentation.VariantDetailApi.as_view(),
        name="variant-detail",
    ),
    path(
        f"{experiment}metrics/",
        documentation.AttachedMetricListApi.as_view(),
        name="attached-metric-list",
    ),
    path(
        f"{experiment}metrics/<int:link_pk>/",
        documentation.AttachedMetricDetailApi.as_view(),
        name="attached-metric-detail",
    ),
    path(f"{experiment}history/", documentation.HistoryListApi.as_view(), name="history-list"),
    path("metrics/", catalogue.MetricListApi.as_view(), name="metric-list"),
    path("metrics/tree/", catalogue.KpiTreeApi.as_view(), name="kpi-tree"),
    path("metrics/<int:pk>/", catalogue.MetricDetailApi.as_view(), name="metric-detail"),
    path("calculator/significance/", catalogue.SignificanceApi.as_view(), name="significance"),
    path("calculator/sample-size/", catalogue.SampleSizeApi.as_view(), name="sample-size"),
]

from django.urls import path

from experiments.api import catalogue, documentation, lifecycle, process, views

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
    path(
        f"{experiment}duplicate/",
        process.ExperimentDuplicateApi.as_view(),
        name="experiment-duplicate",
    ),
    path(f"{experiment}signoffs/", process.SignoffListApi.as_view(), name="signoff-list"),
    path(
        f"{experiment}signoffs/<int:signoff_pk>/approve/",
        process.SignoffDecisionApi.as_view(),
        {"decision": "approve"},
        name="signoff-approve",
    ),
    path(
        f"{experiment}signoffs/<int:signoff_pk>/refuse/",
        process.SignoffDecisionApi.as_view(),
        {"decision": "refuse"},
        name="signoff-refuse",
    ),
    path("templates/", process.TemplateListApi.as_view(), name="template-list"),
    path("templates/<int:pk>/", process.TemplateDetailApi.as_view(), name="template-detail"),
    path(
        "templates/<int:pk>/experiments/",
        process.TemplateUseApi.as_view(),
        name="template-experiment",
    ),
    path("custom-fields/", process.CustomFieldListApi.as_view(), name="custom-field-list"),
    path("history/", process.HistoryExportApi.as_view(), name="history-export"),
    path("metrics/", catalogue.MetricListApi.as_view(), name="metric-list"),
    path("metrics/tree/", catalogue.KpiTreeApi.as_view(), name="kpi-tree"),
    path("metrics/<int:pk>/", catalogue.MetricDetailApi.as_view(), name="metric-detail"),
    path("calculator/significance/", catalogue.SignificanceApi.as_view(), name="significance"),
    path("calculator/sample-size/", catalogue.SampleSizeApi.as_view(), name="sample-size"),
]

from django.urls import path

from metrics.api import sources

experiment = "experiments/<int:pk>/"
urlpatterns = [
    path("data-sources/", sources.DataSourceListApi.as_view(), name="data-source-list"),
    path(
        "data-sources/<int:pk>/", sources.DataSourceDetailApi.as_view(), name="data-source-detail"
    ),
    path(
        f"{experiment}sql-source/",
        sources.ExperimentQueryApi.as_view(),
        name="experiment-sql-source",
    ),
    path(
        f"{experiment}refresh/", sources.ExperimentRefreshApi.as_view(), name="experiment-refresh"
    ),
]

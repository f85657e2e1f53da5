"""An experiment's outcome data: upload, column mapping, typed counts and its SQL source, in
the `experiment` namespace (growthlab/urls.py)."""

from django.urls import path

from metrics.ingestion import source_views as sources
from metrics.ingestion import views as outcomes

urlpatterns = [
    path("outcomes/", outcomes.upload, name="outcome_upload"),
    path("outcomes/map/<str:token>/", outcomes.map_columns, name="outcome_map"),
    path("outcomes/counts/", outcomes.counts, name="outcome_counts"),
    path(
        "outcomes/counts/file/",
        outcomes.counts_file,
        name="outcome_counts_file",
    ),
    path("outcomes/sql/", sources.outcome_sql, name="outcome_sql"),
    path(
        "outcomes/sql/refresh/",
        sources.outcome_sql_refresh,
        name="outcome_sql_refresh",
    ),
]

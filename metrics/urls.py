from django.urls import path

from metrics import views
from metrics.ingestion import source_views as sources
from metrics.ingestion import views as outcomes

app_name = "metrics"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("new/", views.edit, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("experiments/<int:pk>/outcomes/", outcomes.upload, name="outcome_upload"),
    path(
        "experiments/<int:pk>/outcomes/map/<str:token>/", outcomes.map_columns, name="outcome_map"
    ),
    path("experiments/<int:pk>/outcomes/counts/", outcomes.counts, name="outcome_counts"),
    path(
        "experiments/<int:pk>/outcomes/counts/file/",
        outcomes.counts_file,
        name="outcome_counts_file",
    ),
    path("experiments/<int:pk>/outcomes/sql/", sources.outcome_sql, name="outcome_sql"),
    path(
        "experiments/<int:pk>/outcomes/sql/refresh/",
        sources.outcome_sql_refresh,
        name="outcome_sql_refresh",
    ),
    path("sources/", sources.source_list, name="source_list"),
    path("sources/new/", sources.source_edit, name="source_create"),
    path("sources/<int:pk>/edit/", sources.source_edit, name="source_edit"),
    path("loads/<int:pk>/", outcomes.load_detail, name="load_detail"),
    path("loads/<int:pk>/status/", outcomes.load_status, name="load_status"),
]

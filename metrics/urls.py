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
    path("sources/", sources.source_list, name="source_list"),
    path("sources/new/", sources.source_edit, name="source_create"),
    path("sources/<int:pk>/edit/", sources.source_edit, name="source_edit"),
    path("loads/<int:pk>/", outcomes.load_detail, name="load_detail"),
    path("loads/<int:pk>/status/", outcomes.load_status, name="load_status"),
]

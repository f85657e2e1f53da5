from django.urls import path

from metrics.api import loads

urlpatterns = [
    path("data-loads/", loads.DataLoadListApi.as_view(), name="data-load-list"),
    path("data-loads/<int:pk>/", loads.DataLoadDetailApi.as_view(), name="data-load-detail"),
]

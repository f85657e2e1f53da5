from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("metrics.api.urls")),  # outcome data pushed by pipelines
    path("api/v1/", include("growthlab.api")),
    path("", include("accounts.urls")),
    path("", include("experiments.urls")),
    path("", include("analysis.urls")),
    path("metrics/", include("metrics.urls")),
]

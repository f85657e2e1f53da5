from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("growthlab.api")),
    path("", include("accounts.urls")),
    path("", include("dashboard.urls")),  # before <slug:action> takes .../results/
    path("", include("experiments.urls")),
    path("", include("analysis.urls")),
    path("metrics/", include("metrics.urls")),
    path("sprints/", include("sprints.urls")),
    path("learnings/", include("learnings.urls")),
    path("", include("digests.urls")),
    path("notifications/", include("notifications.urls")),
]
# Unknown /api/ paths answer JSON (outside DEBUG, where Django shows its own page).
handler404 = "growthlab.rest.errors.not_found"

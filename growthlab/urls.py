from django.contrib import admin
from django.urls import include, path

# One experiment's pages, from the apps that own each idea, under one namespace: reverse
# "experiment:results" with the test's id. The experiments app's own go last (a catch-all).
experiment_pages = [
    path("", include("dashboard.experiment_urls")),
    path("", include("analysis.experiment_urls")),
    path("", include("metrics.experiment_urls")),
    path("", include("experiments.experiment_urls")),
]

urlpatterns = [
    path("experiments/<int:pk>/", include((experiment_pages, "experiment"))),
    path("admin/", admin.site.urls),
    path("api/v1/", include("growthlab.api")),
    path("", include("accounts.urls")),
    path("", include("dashboard.urls")),
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

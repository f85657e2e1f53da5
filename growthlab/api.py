"""/api/v1/: each app's api/urls.py, the OpenAPI schema and its documentation pages.

The documentation pages load Swagger UI and Redoc from drf-spectacular-sidecar's static
files, so they work offline; Swagger's start-up script is fetched as a file of its own
(SpectacularSwaggerSplitView), so the CSP needs no inline script.
"""

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include("accounts.api.urls")),
    path("", include("experiments.api.urls")),
    path("", include("sprints.api.urls")),
    path("", include("sprints.api.review_urls")),  # reviews; closing is for team leads
    path("", include("metrics.api.urls")),  # outcome data pushed by tracking pipelines
    path("", include("metrics.api.load_urls")),  # data loads and their progress
    path("", include("metrics.api.source_urls")),  # SQL sources, attached queries, refresh now
    path("", include("analysis.api.urls")),  # runs, re-analyse and the flat results
    path("", include("learnings.api.urls")),  # the library, with full-text search
]

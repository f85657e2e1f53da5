"""/api/v1/: each app's api/urls.py, the OpenAPI schema and its documentation pages.

The documentation pages load Swagger UI and Redoc from drf-spectacular-sidecar's static
files, so they work offline; Swagger's start-up script is fetched as a file of its own
(SpectacularSwaggerSplitView), so the CSP needs no inline script; Redoc's template drops the
Google web fonts drf-spectacular links.
"""

from django.conf import settings
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from growthlab.rest.root import ApiRootView

# Redoc builds its styles at run time into <style> elements (and fails without them) and runs
# its search in a worker made from a blob; Swagger UI sets a few inline styles. Only these two
# pages allow them; scripts stay 'self'.
DOCS_CSP = {
    **settings.SECURE_CSP,
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "worker-src": [CSP.SELF, "blob:"],
}
docs_csp = csp_override(DOCS_CSP)

app_name = "api"
urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        docs_csp(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path(
        "redoc/",
        docs_csp(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
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

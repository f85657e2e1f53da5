"""An experiment's analysis settings and re-run, in the `experiment` namespace
(growthlab/urls.py)."""

from django.urls import path

from analysis import views

urlpatterns = [
    path("analysis/run/", views.analysis_rerun, name="analysis_rerun"),
    path("analysis/settings/", views.analysis_settings_edit, name="analysis_settings"),
]

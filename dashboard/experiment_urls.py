"""An experiment's results page and its CSV, in the `experiment` namespace (growthlab/urls.py)."""

from django.urls import path

from dashboard import views

urlpatterns = [
    path("results/", views.results, name="results"),
    path("results/csv/", views.results_csv, name="results_csv"),
]

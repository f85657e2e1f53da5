from django.urls import path

from dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path("experiments/<int:pk>/results/", views.results, name="results"),
    path("experiments/<int:pk>/results/csv/", views.results_csv, name="results_csv"),
]

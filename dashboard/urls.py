from django.urls import path

from dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path("experiments/<int:pk>/results/", views.results, name="results"),
]

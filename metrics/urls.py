from django.urls import path

from metrics import views

app_name = "metrics"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("new/", views.edit, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
]

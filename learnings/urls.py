from django.urls import path

from learnings import views

app_name = "learnings"
urlpatterns = [
    path("", views.library, name="library"),
    path("programme/", views.programme, name="programme"),
    path("similar/", views.similar, name="similar"),
    path("<int:pk>/", views.learning_detail, name="detail"),
    path("<int:pk>/links/", views.learning_link, name="link"),
]

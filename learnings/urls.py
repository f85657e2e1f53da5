from django.urls import path

from learnings import views

app_name = "learnings"
urlpatterns = [
    path("", views.library, name="library"),
    path("programme/", views.programme, name="programme"),
    path("similar/", views.similar, name="similar"),
    path("<int:pk>/", views.learning_detail, name="detail"),
    path("<int:pk>/links/", views.learning_link, name="link"),
    path("<int:pk>/readbacks/", views.readback_plan, name="readback_plan"),
    path("<int:pk>/readbacks/postmortem/", views.readback_postmortem, name="readback_postmortem"),
    path("readbacks/<int:pk>/retry/", views.readback_try_again, name="readback_retry"),
]

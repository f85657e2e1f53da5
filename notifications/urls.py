from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("follow/<slug:target>/<int:pk>/", views.follow, name="follow"),
    path("preferences/", views.preferences, name="preferences"),
    path("teams/<slug:slug>/", views.team_settings, name="team"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook"),
]

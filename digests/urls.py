from django.urls import path

from digests import views

app_name = "digests"
urlpatterns = [
    path("digests/teams/<slug:slug>/preview/", views.digest_preview, name="preview"),
    path("digests/teams/<slug:slug>/send/", views.digest_send, name="send_now"),
    path("digests/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("stakeholders/", views.stakeholders, name="stakeholders"),
    path("stakeholders/share/<slug:slug>/", views.share_create, name="share_create"),
    path("stakeholders/share/<int:pk>/revoke/", views.share_revoke, name="share_revoke"),
    path("stakeholders/shared/<str:token>/", views.shared, name="shared"),
]

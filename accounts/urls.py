from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import token_views, views

app_name = "accounts"
urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/language/", views.language_switch, name="language"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/tokens/", token_views.token_create, name="token_create"),
    path("accounts/profile/tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
]

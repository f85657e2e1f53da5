from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and teams"

    def ready(self):
        from accounts import tokens  # noqa: F401  (connects the token cache's signal receivers)

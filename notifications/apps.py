from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Alerts and follows"

    def ready(self) -> None:
        from notifications import receivers  # noqa: F401  (job_done and the page slots)

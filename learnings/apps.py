from django.apps import AppConfig


class LearningsConfig(AppConfig):
    name = "learnings"
    verbose_name = "Learnings library"

    def ready(self) -> None:
        from learnings import receivers  # noqa: F401  (connects the signals, fills the slot)

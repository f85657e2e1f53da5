from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = "Analysis runs and results"

    def ready(self) -> None:
        from analysis import receivers  # noqa: F401  (connects the signal receivers)

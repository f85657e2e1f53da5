from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Results dashboard and calculator"

    def ready(self) -> None:
        # The experiments app (below) reads the stored results through this registry.
        from dashboard.results import measured_lifts, measured_result
        from experiments.measured import results_readers

        results_readers(result=measured_result, lifts=measured_lifts)

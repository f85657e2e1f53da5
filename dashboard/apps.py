from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Results dashboard and calculator"

    def ready(self) -> None:
        # The business case below reads measured lifts through this registry.
        from dashboard.results import measured_lifts
        from experiments.business_case import measured_lift_reader

        measured_lift_reader(measured_lifts)

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # Each app's jobs.py registers its kinds, so the watchdog sweeps every one of them.
        autodiscover_modules("jobs")

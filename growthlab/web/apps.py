from django.apps import AppConfig


class WebConfig(AppConfig):
    """Installed only so that Django finds the ``growthlab`` template library."""

    name = "growthlab.web"
    label = "web"

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo organisation; installed for its ``load_demo_data`` command. It has no models."""

    name = "demo"
    verbose_name = "Demo organisation"

from django.apps import AppConfig


class SprintsConfig(AppConfig):
    name = "sprints"
    verbose_name = "Growth sprints"

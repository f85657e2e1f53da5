from django.apps import AppConfig


class LearningsConfig(AppConfig):
    name = "learnings"
    verbose_name = "Learnings library"

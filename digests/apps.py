from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "digests"
    verbose_name = "Weekly digests and the stakeholder view"

    def ready(self) -> None:
        from accounts.panels import register_team_panel
        from digests.views import team_share_panel

        register_team_panel(team_share_panel)

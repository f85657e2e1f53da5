from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "digests"
    verbose_name = "Weekly digests and the stakeholder view"

    def ready(self) -> None:
        from digests.views import team_share_panel
        from growthlab.web.slots import slot_register

        slot_register("team-panels", team_share_panel)

"""Panels that apps above accounts add to the team page, as they register (like job kinds).

A panel is `panel(request, team) -> str`: rendered HTML, or "" for nothing. The team page
lists them below its own cards, in the order the apps registered them.
"""

from collections.abc import Callable

from django.http import HttpRequest

from accounts.models import Team

TeamPanel = Callable[[HttpRequest, Team], str]
TEAM_PANELS: list[TeamPanel] = []


def register_team_panel(panel: TeamPanel) -> TeamPanel:
    """Show `panel` on every team page; call it once, from the app's ready()."""
    if panel not in TEAM_PANELS:
        TEAM_PANELS.append(panel)
    return panel


def team_panels(request: HttpRequest, team: Team) -> list[str]:
    return [html for panel in TEAM_PANELS if (html := panel(request, team))]

"""Analysis services: every write to runs, results and settings goes through here."""

from analysis.services.choices import (
    analysis_choices,
    analysis_settings_update,
    team_defaults_update,
)
from analysis.services.runs import analysis_after_load, analysis_request, analysis_run_execute

__all__ = [
    "analysis_after_load",
    "analysis_choices",
    "analysis_request",
    "analysis_run_execute",
    "analysis_settings_update",
    "team_defaults_update",
]

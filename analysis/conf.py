"""Analysis schedule settings, each overridable in Django settings (ANALYSIS_<NAME>)."""

from django.conf import settings

DEFAULTS = {
    # Scheduled refresh: every running test at least this often.
    "SCHEDULE_EVERY_HOURS": 6,
    # ...and it stops after this many failures in a row, telling the owner on the page.
    "SCHEDULE_MAX_FAILURES": 3,
}


def conf(name: str):
    return getattr(settings, f"ANALYSIS_{name}", DEFAULTS[name])

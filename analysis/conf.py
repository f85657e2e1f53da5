"""Analysis timings, each overridable in Django settings (ANALYSIS_<NAME>)."""

from django.conf import settings

DEFAULTS = {
    # The worker beats at least this often while it computes; one day step takes milliseconds.
    "HEARTBEAT_EVERY_SECONDS": 2,
    # A running run silent this long lost its worker: well above a beat, well below the
    # few minutes the issue allows a run to look "running" after its worker died.
    "HEARTBEAT_STALE_SECONDS": 90,
    # A queued run whose message is this old is sent again: the broker may have lost it.
    "QUEUED_STALE_SECONDS": 10 * 60,
    # Deliveries a run may use before it is given up as failed.
    "MAX_ATTEMPTS": 5,
    # Scheduled refresh: every running test at least this often.
    "SCHEDULE_EVERY_HOURS": 6,
    # ...and it stops after this many failures in a row, telling the owner on the page.
    "SCHEDULE_MAX_FAILURES": 3,
}


def conf(name: str):
    return getattr(settings, f"ANALYSIS_{name}", DEFAULTS[name])

"""The analysis runs' watchdog: the jobs watchdog on this kind (beat sweeps every kind)."""

from analysis.jobs import ANALYSIS_RUNS
from jobs.watchdog import Sweep, watchdog_sweep


def analysis_watchdog_sweep(**options) -> Sweep:
    """Requeue or fail runs whose worker died; resend messages of runs queued too long."""
    return watchdog_sweep(ANALYSIS_RUNS, **options)

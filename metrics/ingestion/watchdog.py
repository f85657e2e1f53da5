"""The data loads' watchdog: the jobs watchdog on this kind (beat sweeps every kind)."""

from jobs.watchdog import Sweep, watchdog_sweep
from metrics.jobs import DATA_LOADS


def data_load_watchdog_sweep(**options) -> Sweep:
    """Requeue or fail loads whose worker died; resend messages of loads queued too long."""
    return watchdog_sweep(DATA_LOADS, **options)

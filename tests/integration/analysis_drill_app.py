"""The Celery app for drill workers: GrowthLab's app, with two switches only drills set.

ANALYSIS_DRILL_PAUSE makes every analysis take that many seconds (beating as it waits), so a
drill can kill a worker mid-analysis; a file at ANALYSIS_DRILL_FAIL_FILE makes analyses fail.
"""

import os
import time

from celery.signals import worker_init

from growthlab.celery import app

__all__ = ["app"]


@worker_init.connect
def drill_switches(**kwargs) -> None:
    import django

    django.setup()
    from analysis.services import runs

    original = runs.answer_compute
    pause = float(os.environ.get("ANALYSIS_DRILL_PAUSE") or 0)
    fail_flag = os.environ.get("ANALYSIS_DRILL_FAIL_FILE", "")

    def drilled(inputs, beat):
        if fail_flag and os.path.exists(fail_flag):
            raise RuntimeError("drill: forced failure")
        deadline = time.monotonic() + pause
        while time.monotonic() < deadline:
            beat()
            time.sleep(0.1)
        return original(inputs, beat)

    runs.answer_compute = drilled

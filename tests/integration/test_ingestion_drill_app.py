"""The Celery app for ingestion drill workers: GrowthLab's app with two drill-only switches.

Not a test module; named test_ingestion_* to live beside the drills it serves. With
INGESTION_DRILL_PAUSE every load waits that many seconds before it reduces its input (its
heartbeat thread beating meanwhile), so a drill can kill the worker mid-load; every load this
worker saves appends "saved <id>" to INGESTION_DRILL_SAVED_FILE, so a drill can count them.
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
    from metrics.ingestion import services

    pause = float(os.environ.get("INGESTION_DRILL_PAUSE") or 0)
    saved_file = os.environ["INGESTION_DRILL_SAVED_FILE"]
    reduce_input, data_load_save = services.reduce_input, services.data_load_save

    def slow_reduce(load, token):
        time.sleep(pause)
        return reduce_input(load, token)

    def counted_save(load, token, rows, cohorts):
        data_load_save(load, token, rows, cohorts)
        with open(saved_file, "a") as log:
            log.write(f"saved {load.id}\n")

    services.reduce_input, services.data_load_save = slow_reduce, counted_save

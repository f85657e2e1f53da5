"""Celery tasks: an id in, one service call. Retries only for errors that pass by themselves."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

# The database or the broker briefly unreachable: waiting helps. Anything else is a bug or
# bad data, and retrying would only repeat it.
TRANSIENT = (OperationalError, InterfaceError, BrokerError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,  # 1 s, 2 s, 4 s … so a restarting database is not hammered
    "retry_backoff_max": 60,
    "retry_jitter": True,  # workers that failed together do not retry together
    "max_retries": 8,
}
# An analysis takes about a second; minutes mean something is wrong. Both stay far below the
# broker's visibility timeout, so Redis never hands a running analysis to a second worker.
ANALYSIS_LIMITS = {"soft_time_limit": 5 * 60, "time_limit": 6 * 60}


def delivery_of(request) -> tuple[str, str | None]:
    """This delivery's claim token, and the token of the attempt a retry takes over from."""
    retries = request.retries or 0
    previous = f"{request.id}:{retries - 1}" if retries else None
    return f"{request.id}:{retries}", previous


@shared_task(bind=True, acks_late=True, **RETRY, **ANALYSIS_LIMITS)
def analysis_run_execute_task(self, run_id: int) -> None:
    from analysis.services.runs import analysis_run_execute

    delivery, previous = delivery_of(self.request)
    analysis_run_execute(run_id=run_id, delivery=delivery, previous=previous)


@shared_task(acks_late=True, **RETRY)
def scheduled_analysis_refresh_task() -> None:
    """Fan out: one small task per running experiment, each idempotent on its own."""
    from analysis.services.schedule import experiments_to_refresh

    for experiment_id in experiments_to_refresh():
        scheduled_analysis_experiment_task.delay(experiment_id)


@shared_task(acks_late=True, **RETRY)
def scheduled_analysis_experiment_task(experiment_id: int) -> None:
    from analysis.services.schedule import analysis_schedule
    from experiments.models import Experiment

    analysis_schedule(experiment=Experiment.objects.get(id=experiment_id))


@shared_task(acks_late=True, **RETRY)
def scheduled_analysis_watchdog_task() -> None:
    from analysis.watchdog import analysis_watchdog_sweep

    analysis_watchdog_sweep()

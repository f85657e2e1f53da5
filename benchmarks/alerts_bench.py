"""What alert evaluation adds to an analysis run, timed in-process on PostgreSQL.

The experiments are analysis_bench's (3 variants x 10 metrics x 21 days, a team of 8 people,
a Slack webhook and a generic webhook so every delivery path is counted). Per experiment:
a fresh run is analysed with the alerts receiver disconnected (the run alone), then the
evaluation the receiver would do after it (`alerts_after_job`: read the stored answer, decide,
store new alerts and their deliveries, messages left unsent). Reported: the median of each
and their ratio, the first pass (alerts raised) and a second (nothing new) separately.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/growthlab_alerts_bench \
    .venv/bin/python benchmarks/alerts_bench.py [--experiments 30]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "growthlab.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from accounts.services import membership_set  # noqa: E402
from analysis.models import AnalysisRun, Trigger  # noqa: E402
from analysis.services.runs import analysis_run_execute  # noqa: E402
from benchmarks.analysis_bench import seed, uptime  # noqa: E402
from experiments.models import Experiment  # noqa: E402
from jobs.signals import job_done  # noqa: E402
from notifications import receivers, services  # noqa: E402
from notifications.models import Alert  # noqa: E402


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def one(experiment) -> tuple[float, float, float]:
    AnalysisRun.objects.filter(experiment=experiment).delete()  # analyse from scratch
    run = AnalysisRun.objects.create(
        experiment=experiment,
        fingerprint="bench",
        trigger=Trigger.MANUAL,
        queued_at=experiment.started_at,
        sent_at=experiment.started_at,
    )
    analyse = timed(lambda: analysis_run_execute(run_id=run.id))

    def evaluate():
        with transaction.atomic():  # as after the run's commit; messages sent on commit
            services.alerts_after_job(kind="analysis", job_id=run.id, succeeded=True)

    return analyse, timed(evaluate), timed(evaluate)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experiments", type=int, default=30)
    count = parser.parse_args().experiments
    call_command("migrate", verbosity=0)
    seed(count)
    experiments = list(Experiment.objects.filter(team__slug="benchmark").order_by("id")[:count])
    team = experiments[0].team
    for index in range(8):
        user, _ = User.objects.get_or_create(
            username=f"bench{index}", defaults={"email": f"bench{index}@example.com"}
        )
        membership_set(user=user, team=team, role=Role.MARKETER)
    services.team_settings_save(
        team=team, grace_days=2, defaults={}, slack_url="https://hooks.example.com/x/abcd"
    )
    if not services.Webhook.objects.exists():
        services.webhook_create(name="Bench", url="https://example.com/hook", user=None)
    Alert.objects.filter(team=team).delete()
    job_done.disconnect(receivers.job_done_alerts, dispatch_uid="notifications-job-done")
    # Deliveries are created but their messages go nowhere: the bench times evaluation only.
    from celery import current_app

    current_app.conf.task_always_eager = False
    current_app.conf.broker_url = "memory://localhost/"
    figures = [one(experiment) for experiment in experiments]
    analyse, first, again = (statistics.median(column) for column in zip(*figures, strict=True))
    alerts = Alert.objects.filter(team=team).count()
    print(f"{count} experiments, {alerts} alerts raised; {uptime()}")
    print(f"analysis run (median): {analyse * 1000:.1f} ms")
    print(f"alert evaluation, first (median): {first * 1000:.2f} ms = {first / analyse:.2%}")
    print(f"alert evaluation, nothing new (median): {again * 1000:.2f} ms = {again / analyse:.2%}")


if __name__ == "__main__":
    main()

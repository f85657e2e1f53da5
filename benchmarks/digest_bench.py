"""Weekly digests of 50 teams with 200 running tests, built and handed to a local SMTP server.

Seeds (untimed) a fresh SQLite database: 50 teams of two members, each team with 4 running
tests (200 in all) analysed by the real analysis service on 14 days of cohorts. Then times
each team's digest through the job path a lead's "send now" takes (a DigestSend row per
person, claimed and executed in-process, the digest built, rendered as HTML and text, and
sent through Django's SMTP backend to an aiosmtpd server on 127.0.0.1).

    .venv/bin/python benchmarks/digest_bench.py [--teams 50] [--tests-per-team 4]

Target: under 30 s for 50 teams and 200 running tests. `uptime` is printed beside the figure.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATABASE = Path(tempfile.mkdtemp()) / "digest_bench.db"
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
os.environ["REDIS_URL"] = ""  # tasks run in-process, as in the demo
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "growthlab.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402


def seed(teams: int, per_team: int) -> list:
    from accounts.models import Role
    from accounts.services import team_create, user_create
    from analysis.models import Trigger
    from analysis.services import analysis_request, analysis_run_execute
    from experiments.models import Experiment, MetricRole
    from experiments.services.experiments import experiment_create, experiment_metric_attach
    from experiments.services.lifecycle import experiment_transition
    from tests.analysis.data import cohorts_write
    from tests.factories import READY_DOCUMENTATION, metric_make

    metric = metric_make("Order conversion")
    leads = []
    for t in range(teams):
        team = team_create(name=f"Team {t:02d}")
        lead = user_create(
            username=f"lead{t}",
            password="x",
            team=team,
            role=Role.TEAM_LEAD,
            email=f"lead{t}@example.com",
        )
        user_create(
            username=f"member{t}",
            password="x",
            team=team,
            role=Role.MARKETER,
            email=f"member{t}@example.com",
        )
        for n in range(per_team):
            data = {**READY_DOCUMENTATION, "title": f"Test {t}-{n}", "value_per_unit": 120.0}
            experiment = experiment_create(team=team, user=lead, data=data)
            experiment_metric_attach(
                experiment=experiment, metric=metric, role=MetricRole.PRIMARY, user=lead
            )
            Experiment.objects.filter(pk=experiment.pk).update(
                plan_sample_size_per_variant=14000, plan_days=14, planned_duration_days=14
            )
            experiment = experiment_transition(experiment=experiment, user=lead, action="start")
            cohorts_write(experiment, days=14, b_conversions=50 + n * 5)
            run = analysis_request(experiment=experiment, trigger=Trigger.MANUAL, user=lead)
            analysis_run_execute(run_id=run.id)
        leads.append((team, lead))
    return leads


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--teams", type=int, default=50)
    parser.add_argument("--tests-per-team", type=int, default=4)
    args = parser.parse_args()

    from django.db import transaction

    from digests.models import DigestSend
    from digests.services import digest_send_now
    from jobs.models import JobStatus
    from tests.digests.conftest import smtp_mailers, smtp_server

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    leads = seed(args.teams, args.tests_per_team)
    print(
        f"seeded {args.teams} teams, {args.teams * args.tests_per_team} running tests "
        f"in {time.perf_counter() - started:.1f} s"
    )

    controller, inbox = smtp_server()
    settings.MAILERS = smtp_mailers(controller.port)
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    started = time.perf_counter()
    for team, lead in leads:
        with transaction.atomic():  # its commit sends the jobs, which run in-process
            digest_send_now(team=team, user=lead)
    elapsed = time.perf_counter() - started
    messages = inbox.wait_for(2 * args.teams, seconds=30)
    controller.stop()
    succeeded = DigestSend.objects.filter(status=JobStatus.SUCCEEDED).count()
    print(
        f"{len(messages)} digests ({succeeded} jobs succeeded) for {args.teams} teams with "
        f"{args.teams * args.tests_per_team} running tests: {elapsed:.1f} s "
        f"({1000 * elapsed / max(len(messages), 1):.0f} ms a digest); target < 30 s"
    )
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()

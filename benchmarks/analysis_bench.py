"""Scheduled refresh of 200 (or 2,000) running experiments by real Celery workers, 1 and 2 procs.

Each experiment has 3 variants x 10 metrics (4 conversion, 4 mean with CUPED, 2 ratio) x 21
days of sufficient statistics. Per process count: clear earlier runs, start `celery worker`
with N pool processes, then time two refreshes, each from sending beat's fan-out task:

- the first, until every experiment has a succeeded run: the fan-out (N runs requested, a
  hundred per transaction, each run's message sent as its batch commits), N claims, N x (21
  daily looks + the final corrected answer) and storing N x 30 result rows;
- the second, with no input changed, until every experiment's run counted the refresh as
  unchanged: the fan-out's one query for all tests and one update, no analysis.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/growthlab_bench \
    REDIS_URL=redis://127.0.0.1:6379/8 .venv/bin/python benchmarks/analysis_bench.py \
    [--experiments 2000] [--processes 1 2]

The database is migrated and seeded on first use (use one of your own: runs are deleted); the
2,000 tests take about five minutes to seed. `uptime` is printed beside every figure, since
the machine's load moves them, and so are the CPU seconds the worker's processes and their
database backends spent per test, which the load does not move: from those, the rate on a
machine with all its cores free.
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "growthlab.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Team  # noqa: E402
from analysis.models import AnalysisResult, AnalysisRun  # noqa: E402
from analysis.tasks import scheduled_analysis_refresh_task  # noqa: E402
from experiments.models import Experiment, ExperimentMetric, Variant  # noqa: E402
from growthlab.celery import app  # noqa: E402
from metrics.models import Metric, OutcomeCohort, OutcomeSource  # noqa: E402

KINDS = ["binomial"] * 4 + ["mean"] * 4 + ["ratio"] * 2
ROLES = ["primary"] + ["secondary"] * 6 + ["guardrail"] * 3
VARIANTS, DAYS, USERS = ("A", "B", "C"), 21, 1000
SHARES = (34, 33, 33)
FIRST_DAY = date(2026, 3, 2)
SEED_BATCH = 100
# Started on the first exposure day: rows dated before a test's start are never analysed.
STARTED_AT = datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=UTC)


def metrics() -> list[Metric]:
    return [
        Metric.objects.get_or_create(name=f"Bench {kind} {i}", defaults={"kind": kind})[0]
        for i, kind in enumerate(KINDS)
    ]


def stats(kind: str, rng, lift: float) -> dict:
    """Consistent totals from a mean, a variance and a covariance (no user rows needed)."""
    n = USERS
    if kind == "binomial":
        conversions = int(rng.binomial(n, 0.05 * (1 + lift)))
        return {"n": n, "sum": conversions, "sum_squares": conversions}
    mean, var, pre_mean, pre_var, cov = 50 * (1 + lift), 900.0, 50.0, 900.0, 450.0
    mean += rng.normal(0, 1)
    totals = {"n": n, "sum": n * mean, "sum_squares": (n - 1) * var + n * mean**2}
    second = {
        "den_sum": n * 2.0,
        "den_sum_squares": (n - 1) * 1.0 + n * 4.0,
        "num_den_sum_products": (n - 1) * 15.0 + n * mean * 2.0,
    }
    if kind == "ratio":
        return {**totals, **second}
    return {
        **totals,
        "pre_sum": n * pre_mean,
        "pre_sum_squares": (n - 1) * pre_var + n * pre_mean**2,
        "post_pre_sum_products": (n - 1) * cov + n * mean * pre_mean,
    }


def seed(count: int) -> None:
    """Bring the benchmark team up to `count` running experiments, written in batches."""
    team, _ = Team.objects.get_or_create(name="Benchmark", defaults={"slug": "benchmark"})
    have = Experiment.objects.filter(team=team).count()
    catalogue, rng = metrics(), np.random.default_rng(7 + have)
    for start in range(have, count, SEED_BATCH):
        seed_batch(team, catalogue, rng, range(start, min(start + SEED_BATCH, count)))


def seed_batch(team, catalogue, rng, indexes: range) -> None:
    experiments = Experiment.objects.bulk_create(
        Experiment(team=team, title=f"Bench {index}", status="running", started_at=STARTED_AT)
        for index in indexes
    )
    variants = Variant.objects.bulk_create(
        Variant(experiment=experiment, name=name, is_control=i == 0, traffic_share=SHARES[i])
        for experiment in experiments
        for i, name in enumerate(VARIANTS)
    )
    ExperimentMetric.objects.bulk_create(
        ExperimentMetric(experiment=experiment, metric=metric, role=role)
        for experiment in experiments
        for metric, role in zip(catalogue, ROLES, strict=True)
    )
    OutcomeCohort.objects.bulk_create(
        (
            OutcomeCohort(
                experiment_id=variant.experiment_id,
                variant=variant,
                metric=metric,
                exposure_date=FIRST_DAY + timedelta(days=day),
                source=OutcomeSource.PUSH,
                **stats(metric.kind, rng, 0.03 * VARIANTS.index(variant.name)),
            )
            for variant in variants
            for metric in catalogue
            for day in range(DAYS)
        ),
        batch_size=5000,
    )


def busy_seconds() -> float:
    """Seconds the runs spent between claim and finish, summed: the analysis work itself."""
    runs = AnalysisRun.objects.filter(status="succeeded").values_list("started_at", "finished_at")
    return sum((finished - started).total_seconds() for started, finished in runs)


WORKER = "-m celery -A growthlab worker -Q analysis,scheduled --without-gossip --without-mingle"


def worker_start(processes: int) -> subprocess.Popen:
    options = ["--concurrency", str(processes), "-n", f"bench-{processes}@%h", "-l", "WARNING"]
    return subprocess.Popen([sys.executable, *WORKER.split(), *options], cwd=ROOT)


def process_tree(pid: int) -> list[int]:
    """The worker's main process and its pool processes (Linux /proc)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid, *(p for child in children for p in process_tree(int(child)))]


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of one process so far; 0 where /proc does not show it."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def database_backends() -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving this database but this process
    (the workers' connections, kept open between tasks), when the server runs on this host."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return {pid: cpu_of(pid) for (pid,) in cursor.fetchall()}


class CpuMeter:
    """CPU seconds the worker's processes and their database backends spend from now on.

    Backends come and go with the workers' connections, so each is read at every `sample()`
    and counted up to its last reading."""

    def __init__(self, worker: subprocess.Popen):
        self.worker = worker.pid
        self.workers_started = self.workers_now()
        self.backends_started = database_backends()
        self.backends_seen = dict(self.backends_started)

    def workers_now(self) -> float:
        return sum(cpu_of(pid) for pid in process_tree(self.worker))

    def sample(self) -> None:
        for pid, cpu in database_backends().items():
            self.backends_seen[pid] = max(cpu, self.backends_seen.get(pid, 0.0))

    def spent(self) -> tuple[float, float]:
        """(workers, database backends) so far."""
        self.sample()
        started = self.backends_started
        database = sum(cpu - started.get(pid, 0.0) for pid, cpu in self.backends_seen.items())
        return self.workers_now() - self.workers_started, database


def refresh(count: int, done, meter: CpuMeter | None = None) -> float:
    """Wall seconds from sending beat's fan-out until `done(sent_at)` holds."""
    started, sent_at = time.perf_counter(), timezone.now()
    scheduled_analysis_refresh_task.delay()
    while not done(sent_at):
        if meter is not None:
            meter.sample()
        if time.perf_counter() - started > max(900, count):
            raise SystemExit(f"gave up after {max(900, count)} s")
        time.sleep(0.2)
    return time.perf_counter() - started


def all_analysed(count: int):
    return lambda sent_at: AnalysisRun.objects.filter(status="succeeded").count() >= count


def all_skipped(count: int):
    """Every test's run counted this refresh as one that found its inputs unchanged."""
    checked = AnalysisRun.objects.filter(status="succeeded")
    return lambda sent_at: checked.filter(checked_at__gte=sent_at).count() >= count


def uptime() -> str:
    return subprocess.run(
        ["uptime"], capture_output=True, text=True, env={"TZ": "UTC"}
    ).stdout.strip()


def refresh_both(processes: int, count: int) -> tuple[float, float]:
    """The first refresh (every test analysed) and the second (every test unchanged)."""
    AnalysisResult.objects.all().delete()
    AnalysisRun.objects.all().delete()
    app.control.purge()
    worker = worker_start(processes)
    try:
        time.sleep(8)  # the worker imports Django, numpy and scipy before it consumes
        print(f"  before: {uptime()}")
        meter = CpuMeter(worker)
        first = refresh(count, all_analysed(count), meter)
        cpu, database = meter.spent()
        busy = busy_seconds()
        # Runs' own time against the wall: a low share means time went to the fan-out, the
        # broker or waiting for a core, not to analysing.
        print(
            f"{processes} process(es), first refresh (all analysed): {first:7.1f} s, "
            f"{count / first:5.2f} tests/s; runs busy {busy:.1f} s "
            f"({busy / count * 1000:.0f} ms a run, {busy / first / processes:.0%} of "
            f"{processes} process(es))\n  CPU: workers {cpu:.1f} s ({cpu / count * 1000:.0f} ms "
            f"a test), their database backends {database:.1f} s ({database / count * 1000:.0f} ms "
            f"a test): {count / (cpu + database) * os.cpu_count():.1f} tests/s if they had the "
            f"{os.cpu_count()} cores to themselves\n  after:  {uptime()}"
        )
        second = refresh(count, all_skipped(count))
        runs = AnalysisRun.objects.count()
        print(
            f"{processes} process(es), second refresh (all unchanged): {second:7.1f} s, "
            f"{runs - count} runs queued, {count} skipped and counted\n"
            f"  after:  {uptime()}"
        )
        return first, second
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def vacuum() -> None:
    """Fresh statistics and visibility map after seeding, as autovacuum would leave them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE metrics_outcomecohort")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--experiments",
        type=int,
        default=200,
        help="running tests to refresh; 2000 is the scale to meet in 5 minutes",
    )
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("set REDIS_URL (and DATABASE_URL): this measures real workers")
    call_command("migrate", verbosity=0)
    seed(args.experiments)
    vacuum()
    count = Experiment.objects.filter(team__name="Benchmark").count()
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{count} experiments x 3 variants x 10 metrics x {DAYS} days"
    )
    times = {n: refresh_both(n, count) for n in args.processes}
    if 1 in times and 2 in times:
        print(
            f"speed-up from the second process: {times[1][0] / times[2][0]:.2f}x (first), "
            f"{times[1][1] / times[2][1]:.2f}x (second)"
        )


if __name__ == "__main__":
    main()

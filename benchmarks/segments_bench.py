"""Results by segment: the per-user reduction with dimensions, and the results page with them.

    .venv/bin/python benchmarks/segments_bench.py                     # 10 million rows
    .venv/bin/python benchmarks/segments_bench.py --rows 1000000 --repeat 1
    .venv/bin/python benchmarks/segments_bench.py --skip-reduce       # the page alone
    BENCH_DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/growthlab_segbench ...

Generates its own per-user CSV (one row per user, 2 variants x 21 days; conversion, revenue,
and three dimensions with 5, 30 and 2 values), then times, each in a fresh process so the peak
memory (VmHWM: the peak resident size of that process's own program) belongs to that step
alone, each --repeat times (median):
- metrics.ingestion.parse.reduce_file with no dimension mapped (the same file: the extra
  columns are never read);
- the same with device, country and customer type mapped as dimensions.
Target: with dimensions at most 1.5 x the time without, peak under 1 GB. Beside wall seconds
each run's CPU seconds (user + system) are printed: on a shared machine the wall time of a
two-thread reader moves with the load far more than its CPU time does.

Then the results page with those three dimensions (5 + 30 + 2 segments for each of 3 metrics):
segment totals and cohorts written to the database named in BENCH_DATABASE_URL (created,
migrated and dropped by this script), one real analysis run, then GET of the page through the
Django test client, timed in-process (server time: view, queries, engine, template), unfiltered
and filtered to one segment. Target: under 300 ms.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import bench_database, peak_rss_mb  # benchmarks/measure.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
DIMENSIONS = {"device": 5, "country": 30, "customer_type": 2}
DAYS = 21


def generate(path: Path, rows: int) -> None:
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(16)
    converted = (rng.random(rows) < 0.05).astype(np.int8)
    columns = {
        "user_id": np.arange(rows),
        "variant": np.where(rng.random(rows) < 0.5, "A", "B"),
        "exposure_date": pl.date_range(
            pl.date(2024, 3, 1), pl.date(2024, 3, DAYS), eager=True
        ).sample(rows, with_replacement=True, seed=16),
        "converted": converted,
        "revenue": np.round(rng.gamma(2.0, 40.0, rows) * converted, 2),
    }
    for name, count in DIMENSIONS.items():
        values = np.array([f"{name}-{i}" for i in range(count)])
        # Uneven sizes, as real devices and countries are: value i weighs 1/(i + 1).
        weights = 1 / np.arange(1, count + 1)
        columns[name] = values[rng.choice(count, rows, p=weights / weights.sum())]
    pl.DataFrame(columns).write_csv(path)


def mapping_of(dimensions: tuple[str, ...]):
    from metrics.ingestion.parse import Mapping, MetricColumns

    metrics = (
        MetricColumns("conversion", "binomial", "converted"),
        MetricColumns("revenue", "mean", "revenue"),
    )
    return Mapping("user_id", "variant", "exposure_date", metrics, dimensions=dimensions)


def reduce_plain(path: str) -> dict:
    from metrics.ingestion.parse import reduce_file

    reduction = reduce_file(Path(path), mapping_of(()), ["A", "B"])
    return {"rows": reduction.rows, "cohorts": len(reduction.cohorts)}


def reduce_segments(path: str) -> dict:
    from metrics.ingestion.parse import reduce_file

    reduction = reduce_file(Path(path), mapping_of(tuple(DIMENSIONS)), ["A", "B"])
    segments = [c for c in reduction.cohorts if getattr(c, "dimension", "")]
    per_dimension = {d: len({c.segment for c in segments if c.dimension == d}) for d in DIMENSIONS}
    assert per_dimension == DIMENSIONS, per_dimension
    return {"rows": reduction.rows, "cohorts": len(reduction.cohorts)}


BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/growthlab_segbench"
)


def django_ready() -> None:
    os.environ["DATABASE_URL"] = BENCH_DATABASE_URL
    os.environ.pop("REDIS_URL", None)  # tasks in-process
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "growthlab.settings")
    import django

    django.setup()


def analysed_experiment():
    """A running test with 3 metrics, each split by the three dimensions over 21 days."""
    from datetime import timedelta
    from types import SimpleNamespace

    import numpy as np
    from django.utils import timezone

    from accounts.models import Role
    from accounts.services import team_create, user_create
    from analysis.models import Trigger
    from analysis.services import analysis_request, analysis_run_execute
    from experiments.models import MetricRole
    from experiments.services.experiments import experiment_metric_attach
    from experiments.services.lifecycle import experiment_transition
    from metrics.models import Metric, MetricKind, OutcomeCohort, OutcomeSegment, OutcomeSource
    from tests.factories import experiment_make

    suffix = time.time_ns()
    team = team_create(name=f"Bench {suffix}")
    owner = user_create(username=f"bench{suffix}", password="x" * 20, team=team, role=Role.MARKETER)
    experiment = experiment_make(SimpleNamespace(team=team, owner=owner), ready=True)
    for name, role in (
        ("Bench revenue", MetricRole.SECONDARY),
        ("Bench AOV", MetricRole.GUARDRAIL),
    ):
        metric, _ = Metric.objects.get_or_create(name=name, defaults={"kind": MetricKind.MEAN})
        experiment_metric_attach(experiment=experiment, metric=metric, role=role, user=owner)
    experiment = experiment_transition(experiment=experiment, user=owner, action="start")
    start = timezone.localtime(experiment.started_at).date()
    rng = np.random.default_rng(16)
    cohorts, segments = [], []
    for link in experiment.experiment_metrics.select_related("metric"):
        metric = link.metric
        for variant in experiment.variants.all():
            for day in range(DAYS):
                date = start + timedelta(days=day)
                pieces = {d: rng.integers(200, 2000, count) for d, count in DIMENSIONS.items()}
                users = int(pieces["device"].sum())
                for dimension, counts in pieces.items():
                    # Each dimension splits the same users: rescale to the device total.
                    counts = np.maximum((counts / counts.sum() * users).astype(int), 3)
                    for i, n in enumerate(counts):
                        segments.append(
                            segment_row(experiment, variant, metric, date, dimension, i, n, rng)
                        )
                total = stats_of(metric.kind, users, rng)
                cohorts.append(
                    OutcomeCohort(
                        experiment=experiment,
                        variant=variant,
                        metric=metric,
                        exposure_date=date,
                        source=OutcomeSource.PUSH,
                        **total,
                    )
                )
    OutcomeCohort.objects.bulk_create(cohorts, batch_size=2000)
    OutcomeSegment.objects.bulk_create(segments, batch_size=2000)
    run = analysis_request(experiment=experiment, trigger=Trigger.MANUAL, user=owner)
    analysis_run_execute(run_id=run.id)
    return experiment, owner, len(segments)


def stats_of(kind: str, n: int, rng) -> dict:
    if kind == "binomial":
        conversions = int(rng.binomial(n, 0.05))
        return {"n": n, "sum": conversions, "sum_squares": conversions}
    mean, sd = 40.0, 30.0
    total = float(rng.normal(mean, sd / n**0.5)) * n
    return {"n": n, "sum": total, "sum_squares": (sd**2 + mean**2) * n}


def segment_row(experiment, variant, metric, date, dimension, index, n, rng):
    from metrics.models import OutcomeSegment, OutcomeSource

    return OutcomeSegment(
        experiment=experiment,
        variant=variant,
        metric=metric,
        exposure_date=date,
        source=OutcomeSource.PUSH,
        dimension=dimension,
        segment=f"{dimension}-{index}",
        **stats_of(metric.kind, int(n), rng),
    )


def results_page(repeat: int) -> dict:
    django_ready()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    experiment, owner, segment_rows = analysed_experiment()
    client = Client()
    client.force_login(owner)
    url = reverse("experiment:results", args=[experiment.pk])
    timings = {}
    for label, query in (("unfiltered", ""), ("one segment", "?segment=device:device-0")):
        client.get(url + query)  # warm: templates compiled, translations loaded
        seconds = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url + query)
                seconds.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
        html = response.content.decode()
        assert 'data-testid="segment-dimension"' in html or query, "no segment section drawn"
        timings[label] = {
            "median_ms": statistics.median(seconds) * 1000,
            "runs_ms": [round(s * 1000) for s in seconds],
            "queries": len(queries),
        }
    return {"segment_rows": segment_rows, "pages": timings}


def measure_in_child(step: str, arg: str) -> dict:
    """Run one step in a fresh interpreter; return its result, seconds and peak RSS."""
    output = subprocess.run(
        [sys.executable, __file__, "--child", step, arg], cwd=ROOT, capture_output=True, text=True
    )
    if output.returncode:
        sys.exit(f"step {step} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def child(step: str, arg: str) -> None:
    sys.path.insert(0, str(ROOT))
    if step == "page":
        print(json.dumps(results_page(int(arg))))
        return
    import metrics.ingestion.parse  # noqa: F401  (imports are not the work: a worker has them)

    run = {"plain": reduce_plain, "segments": reduce_segments}[step]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_start = usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    result = run(arg)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_start
    peak_mb = peak_rss_mb()
    print(json.dumps({**result, "seconds": seconds, "cpu": cpu, "peak_mb": peak_mb}))


def bench_reduce(rows: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="segments-bench-") as work:
        path = Path(work) / f"outcomes-{rows}.csv"
        generate(path, rows)
        os.sync()
        print(f"generated {rows:,} rows, {path.stat().st_size / 1e6:.0f} MB", flush=True)
        runs = {"plain": [], "segments": []}
        for _ in range(repeat):  # interleaved, so a change in the machine's load hits both
            for step in runs:
                result = measure_in_child(step, str(path))
                assert result["rows"] == rows, result
                runs[step].append(result)
                print(
                    f"  {step}: {result['seconds']:.2f} s ({result['cpu']:.2f} CPU s), "
                    f"{result['peak_mb']:.0f} MB",
                    flush=True,
                )
    median = {s: statistics.median(r["seconds"] for r in runs[s]) for s in runs}
    cpu = {s: statistics.median(r["cpu"] for r in runs[s]) for s in runs}
    peak = {s: max(r["peak_mb"] for r in runs[s]) for s in runs}
    print(f"\n{rows:,} rows, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    for step, label in (("plain", "no dimension"), ("segments", "3 dimensions (5, 30, 2)")):
        print(f"{label:<28}{median[step]:>8.2f} s{cpu[step]:>8.2f} CPU s{peak[step]:>8.0f} MB")
    ratio = median["segments"] / median["plain"]
    print(
        f"ratio {ratio:.2f}x wall (target <= 1.5x), {cpu['segments'] / cpu['plain']:.2f}x CPU, "
        f"peak {peak['segments']:.0f} MB (< 1024 MB)"
    )


def bench_page(repeat: int) -> None:
    bench_database(BENCH_DATABASE_URL, "create")
    try:
        result = measure_in_child("page", str(repeat))
    finally:
        bench_database(BENCH_DATABASE_URL, "drop")
    print(f"\nresults page, {result['segment_rows']:,} segment rows, 3 metrics x 3 dimensions,")
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} (target < 300 ms)")
    for label, timing in result["pages"].items():
        print(
            f"{label:<14}{timing['median_ms']:>8.0f} ms  {timing['queries']} queries  "
            f"runs {timing['runs_ms']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step (median shown)")
    parser.add_argument("--skip-reduce", action="store_true")
    parser.add_argument("--skip-page", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("STEP", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if not args.skip_reduce:
        bench_reduce(args.rows, args.repeat)
    if not args.skip_page:
        bench_page(max(args.repeat, 5))


if __name__ == "__main__":
    main()

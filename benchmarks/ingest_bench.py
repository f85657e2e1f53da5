"""Outcome ingestion benchmark: polars streaming vs plain pandas, end to end, SQL push-down.

    .venv/bin/python benchmarks/ingest_bench.py                       # 1 and 10 million rows
    .venv/bin/python benchmarks/ingest_bench.py --rows 1000000        # what CI can afford
    .venv/bin/python benchmarks/ingest_bench.py --rows 10000000 --steps polars pandas --repeat 5
    BENCH_DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/growthlab_bench ...

Generates its own per-user CSV (2 variants x 21 days; conversion, revenue, pre-period revenue),
then times, each in a fresh process so peak memory (max RSS) belongs to that step alone, and
each --repeat times (3 by default; the median is the figure, every run is printed):
- the dialect detection the mapping page runs (metrics.ingestion.parse.preview: encoding,
  separator, numbers, dates and header from the file's first 64 KiB, then its first rows);
- the reduction through metrics.ingestion.parse.reduce_file (checks included);
- pandas read_csv + groupby, the baseline a user would otherwise write;
- end to end: the stored file through data_load_create() with tasks in-process, until the
  statistics are stored in PostgreSQL (the process plays the worker: its peak is the worker's);
- the SQL push-down (metrics.ingestion.sql.pull) over the same rows COPY'd into PostgreSQL,
  asserting that only variants x days rows come back.
The database named in BENCH_DATABASE_URL is created, migrated and dropped by this script.
The polars and pandas runs alternate, so a change in the machine's load falls on both alike;
beside wall seconds each run's CPU seconds (user + system) are printed: on a shared machine
the wall time of a two-thread reader moves with the load far more than its CPU time does.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import bench_database, peak_rss_mb  # benchmarks/measure.py, beside this script

ROOT = Path(__file__).resolve().parents[1]


def generate(path: Path, rows: int) -> None:
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(5)
    converted = (rng.random(rows) < 0.05).astype(np.int8)
    frame = pl.DataFrame(
        {
            "user_id": np.arange(rows),
            "variant": np.where(rng.random(rows) < 0.5, "A", "B"),
            "exposure_date": pl.date_range(
                pl.date(2024, 3, 1), pl.date(2024, 3, 21), eager=True
            ).sample(rows, with_replacement=True, seed=5),
            "converted": converted,
            "revenue": np.round(rng.gamma(2.0, 40.0, rows) * converted, 2),
            "pre_revenue": np.round(rng.gamma(1.5, 30.0, rows), 2),
        }
    )
    frame.write_csv(path)


def reduce_with_polars(path: str) -> dict:
    from metrics.ingestion.parse import Mapping, MetricColumns, reduce_file

    mapping = Mapping(
        "user_id",
        "variant",
        "exposure_date",
        (
            MetricColumns("conversion", "binomial", "converted"),
            MetricColumns("revenue", "mean", "revenue", pre="pre_revenue"),
        ),
    )
    reduction = reduce_file(Path(path), mapping, ["A", "B"])
    return {"rows": reduction.rows, "cohorts": len(reduction.cohorts)}


def detect_dialect(path: str) -> dict:
    """The mapping page's detection and preview alone: a sample, never the whole file."""
    from metrics.ingestion.parse import preview

    start = time.perf_counter()
    shown = preview(Path(path))
    seconds = time.perf_counter() - start
    assert shown.dialect.separator == "," and shown.dialect.date_order == "iso", shown.dialect
    return {"rows": None, "dialect": shown.dialect.describe(), "timed_seconds": seconds}


def reduce_with_pandas(path: str) -> dict:
    import pandas as pd

    frame = pd.read_csv(path)
    frame["revenue_sq"] = frame["revenue"] ** 2
    frame["pre_sq"] = frame["pre_revenue"] ** 2
    frame["post_pre"] = frame["revenue"] * frame["pre_revenue"]
    totals = frame.groupby(["variant", "exposure_date"]).agg(
        n=("user_id", "size"),
        conversions=("converted", "sum"),
        revenue=("revenue", "sum"),
        revenue_sq=("revenue_sq", "sum"),
        pre=("pre_revenue", "sum"),
        pre_sq=("pre_sq", "sum"),
        post_pre=("post_pre", "sum"),
    )
    return {"rows": len(frame), "cohorts": len(totals) * 2}


BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/growthlab_bench"
)
MAPPING_JSON = {
    "user": "user_id",
    "variant": "variant",
    "date": "exposure_date",
    "metrics": {
        "Order conversion": {"column": "converted"},
        "Revenue": {"column": "revenue", "pre": "pre_revenue"},
    },
}
DAYS, VARIANTS = 21, 2


def django_ready() -> None:
    os.environ["DATABASE_URL"] = BENCH_DATABASE_URL
    os.environ.pop("REDIS_URL", None)  # tasks in-process: this process is the worker
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "growthlab.settings")
    import django

    django.setup()


def bench_experiment():
    from types import SimpleNamespace

    from accounts.models import Role
    from accounts.services import team_create, user_create
    from experiments.models import Experiment, MetricRole
    from experiments.services.experiments import experiment_metric_attach
    from metrics.models import Metric, MetricKind
    from tests.factories import experiment_make

    # The bench database is this script's own: start each step from an empty catalogue.
    Experiment.objects.all().delete()
    Metric.objects.all().delete()
    suffix = time.time_ns()
    team = team_create(name=f"Bench {suffix}")
    owner = user_create(username=f"bench{suffix}", password="x" * 20, team=team, role=Role.MARKETER)
    experiment = experiment_make(SimpleNamespace(team=team, owner=owner), ready=True)
    revenue, _ = Metric.objects.get_or_create(name="Revenue", defaults={"kind": MetricKind.MEAN})
    experiment_metric_attach(
        experiment=experiment, metric=revenue, role=MetricRole.SECONDARY, user=owner
    )
    return experiment, owner


def end_to_end(path: str) -> dict:
    """Store the file, then time data_load_create() until the statistics are committed."""
    django_ready()
    from django.db import transaction

    from metrics.ingestion.parse import preview
    from metrics.ingestion.services import data_load_create, upload_path, upload_store
    from metrics.models import DataLoad

    experiment, owner = bench_experiment()
    with open(path, "rb") as file:
        stored_name, digest = upload_store(chunks=iter(lambda: file.read(8 << 20), b""))
    # As the mapping page queues it: with the dialect it detected (untimed: the page ran it).
    mapping = {**MAPPING_JSON, "dialect": preview(upload_path(stored_name)).dialect.as_json()}
    start = time.time()
    with transaction.atomic():
        load = data_load_create(
            experiment=experiment,
            user=owner,
            kind=DataLoad.Kind.FILE,
            stored_name=stored_name,
            content_sha256=digest,
            mapping=mapping,
        )
    load.refresh_from_db()
    assert load.status == "succeeded", load.errors
    stored = load.finished_at.timestamp() - start
    return {"rows": load.rows_read, "cohorts": load.cohorts_written, "timed_seconds": stored}


def sql_pushdown(path: str) -> dict:
    """COPY the rows into PostgreSQL (untimed), then time the push-down aggregation."""
    django_ready()
    import psycopg

    from metrics.ingestion.mapping import mapping_from_json
    from metrics.ingestion.sql import pull

    with psycopg.connect(BENCH_DATABASE_URL, autocommit=True) as db:
        db.execute("DROP TABLE IF EXISTS bench_outcomes")
        db.execute(
            "CREATE TABLE bench_outcomes (user_id text, variant text, exposure_date date,"
            " converted int, revenue float8, pre_revenue float8)"
        )
        with (
            open(path, "rb") as file,
            db.cursor().copy("COPY bench_outcomes FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := file.read(8 << 20):
                copy.write(chunk)
        db.execute("VACUUM ANALYZE bench_outcomes")
    experiment, _ = bench_experiment()
    mapping = mapping_from_json(experiment, MAPPING_JSON)
    url = BENCH_DATABASE_URL.replace("postgres://", "postgresql+psycopg://", 1)
    query = "SELECT * FROM bench_outcomes"
    start = time.perf_counter()
    cohorts = pull(url, query, mapping, ["A", "B"]).cohorts
    seconds = time.perf_counter() - start
    travelled = {(c.variant, c.exposure_date) for c in cohorts}
    assert len(travelled) == VARIANTS * DAYS, len(travelled)
    return {
        "rows": sum(c.n for c in cohorts) // 2,
        "cohorts": len(cohorts),
        "travelled": len(travelled),
        "timed_seconds": seconds,
    }


def measure_in_child(step: str, path: Path) -> dict:
    """Run one step in a fresh interpreter; return its seconds and peak RSS."""
    output = subprocess.run(
        [sys.executable, __file__, "--child", step, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if output.returncode:
        sys.exit(f"step {step} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def child(step: str, path: str) -> None:
    sys.path.insert(0, str(ROOT))
    run = {
        "detect": detect_dialect,
        "polars": reduce_with_polars,
        "pandas": reduce_with_pandas,
        "end_to_end": end_to_end,
        "sql": sql_pushdown,
    }[step]
    if step in ("detect", "polars", "pandas"):  # imports are not the work (a worker has them)
        import pandas  # noqa: F401

        import metrics.ingestion.parse  # noqa: F401
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_start = usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    result = run(path)
    seconds = result.pop("timed_seconds", None) or time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_start
    peak_mb = peak_rss_mb()
    print(json.dumps({**result, "seconds": seconds, "cpu": cpu, "peak_mb": peak_mb}))


STEPS = (
    ("detect", "dialect detection + preview (mapping page)", "< 0.1 s"),
    ("polars", "reduction, polars streaming + checks", "<= 2 s"),
    ("pandas", "pandas read_csv + groupby (baseline)", ""),
    ("end_to_end", "end to end: stored file -> statistics in PG", "<= 10 s, <= 1 GB"),
    ("sql", "SQL push-down in PostgreSQL", "<= 3 s"),
)


def bench(rows: int, work: Path, repeat: int, chosen: list[str]) -> list[tuple]:
    """The chosen steps on `rows` generated rows, `repeat` times each:
    [(step, label, median seconds, largest peak MB, target, every run's seconds, median CPU)]."""
    path = work / f"outcomes-{rows}.csv"
    generate(path, rows)
    os.sync()  # the new file's write-back must not land in the first timed step
    print(f"generated {rows:,} rows, {path.stat().st_size / 1e6:.0f} MB", flush=True)
    steps = [step for step in STEPS if step[0] in chosen]
    runs = {step: [] for step, _, _ in steps}
    # The reduction and its pandas baseline take turns, so both meet the same load; the SQL
    # push-down goes last: its COPY of every row leaves PostgreSQL writing for seconds
    # afterwards, which would slow whatever step ran next.
    order = []
    for group in (["detect"], ["polars", "pandas"], ["end_to_end"], ["sql"]):
        order += [step for step in group if step in runs] * repeat
    for step in order:
        result = measure_in_child(step, path)
        assert result["rows"] in (rows, None), (step, result)
        runs[step].append(result)
    path.unlink()
    table = []
    for step, label, target in steps:
        seconds = sorted(run["seconds"] for run in runs[step])
        peak = max(run["peak_mb"] for run in runs[step])
        cpu = sorted(run["cpu"] for run in runs[step])[len(seconds) // 2]
        every = [run["seconds"] for run in runs[step]]
        table.append((step, label, seconds[len(seconds) // 2], peak, target, every, cpu))
    return table


def print_table(rows: int, table: list[tuple]) -> None:
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{rows:,} rows, {os.cpu_count()} cores, load average (1, 5, 15 min) {load}")
    print(
        f"{'step (median of the runs; largest peak)':<46}{'seconds':>9}{'CPU s':>7}"
        f"{'peak MB':>9}  {'target':<18}runs (s, in order)"
    )
    for _, label, seconds, peak, target, every, cpu in table:
        shown = ", ".join(f"{run:.2f}" for run in every)
        print(f"{label:<46}{seconds:>9.2f}{cpu:>7.2f}{peak:>9.0f}  {target:<18}{shown}")
    times = {step: (seconds, cpu) for step, _, seconds, _, _, _, cpu in table}
    if "pandas" in times and "polars" in times:
        (pandas, pandas_cpu), (polars, polars_cpu) = times["pandas"], times["polars"]
        print(
            f"pandas / polars: {pandas / polars:.1f}x wall (target >= 4), "
            f"{pandas_cpu / polars_cpu:.1f}x CPU",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step (median shown)")
    parser.add_argument(
        "--steps", nargs="+", choices=[step for step, _, _ in STEPS], default=[s for s, *_ in STEPS]
    )
    parser.add_argument("--child", nargs=2, metavar=("STEP", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    needs_database = {"end_to_end", "sql"} & set(args.steps)
    if needs_database:
        bench_database(BENCH_DATABASE_URL, "create")
    try:
        with tempfile.TemporaryDirectory(prefix="ingest-bench-") as work:
            for rows in args.rows:
                print_table(rows, bench(rows, Path(work), args.repeat, args.steps))
    finally:
        if needs_database:
            bench_database(BENCH_DATABASE_URL, "drop")


if __name__ == "__main__":
    main()

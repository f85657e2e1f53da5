"""Outcome file reduction benchmark: polars streaming vs plain pandas, run by hand.

    .venv/bin/python benchmarks/ingest_bench.py               # 10 million rows (~190 MB CSV)
    .venv/bin/python benchmarks/ingest_bench.py --rows 1000000

Generates its own per-user CSV (2 variants x 21 days; conversion, revenue, pre-period revenue),
then times, each in a fresh process so peak memory (max RSS) belongs to that step alone:
the reduction through metrics.ingestion.parse.reduce_file (checks included), and pandas
read_csv + groupby as the baseline a user would otherwise write. Prints the ratio.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def generate(path: Path, rows: int) -> None:
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(5)
    converted = (rng.random(rows) < 0.05).astype(np.int8)
    frame = pl.DataFrame({
        "user_id": np.arange(rows),
        "variant": np.where(rng.random(rows) < 0.5, "A", "B"),
        "exposure_date": pl.date_range(
            pl.date(2024, 3, 1), pl.date(2024, 3, 21), eager=True
        ).sample(rows, with_replacement=True, seed=5),
        "converted": converted,
        "revenue": np.round(rng.gamma(2.0, 40.0, rows) * converted, 2),
        "pre_revenue": np.round(rng.gamma(1.5, 30.0, rows), 2),
    })  # fmt: skip
    frame.write_csv(path)


def reduce_with_polars(path: str) -> dict:
    from metrics.ingestion.parse import Mapping, MetricColumns, reduce_file

    mapping = Mapping("user_id", "variant", "exposure_date", (
        MetricColumns("conversion", "binomial", "converted"),
        MetricColumns("revenue", "mean", "revenue", pre="pre_revenue"),
    ))  # fmt: skip
    reduction = reduce_file(Path(path), mapping, ["A", "B"])
    return {"rows": reduction.rows, "cohorts": len(reduction.cohorts)}


def reduce_with_pandas(path: str) -> dict:
    import pandas as pd

    frame = pd.read_csv(path)
    frame["revenue_sq"] = frame["revenue"] ** 2
    frame["pre_sq"] = frame["pre_revenue"] ** 2
    frame["post_pre"] = frame["revenue"] * frame["pre_revenue"]
    totals = frame.groupby(["variant", "exposure_date"]).agg(
        n=("user_id", "size"), conversions=("converted", "sum"), revenue=("revenue", "sum"),
        revenue_sq=("revenue_sq", "sum"), pre=("pre_revenue", "sum"), pre_sq=("pre_sq", "sum"),
        post_pre=("post_pre", "sum"),
    )  # fmt: skip
    return {"rows": len(frame), "cohorts": len(totals) * 2}


def measure_in_child(step: str, path: Path) -> dict:
    """Run one step in a fresh interpreter; return its seconds and peak RSS."""
    output = subprocess.run(
        [sys.executable, __file__, "--child", step, str(path)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(output.stdout.strip().splitlines()[-1])


def child(step: str, path: str) -> None:
    sys.path.insert(0, str(ROOT))
    run = {"polars": reduce_with_polars, "pandas": reduce_with_pandas}[step]
    start = time.perf_counter()
    result = run(path)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({**result, "seconds": seconds, "peak_mb": peak_mb}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--child", nargs=2, metavar=("STEP", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as work:
        path = Path(work) / "outcomes.csv"
        start = time.perf_counter()
        generate(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        print(
            f"generated {args.rows:,} rows, {size_mb:.0f} MB in {time.perf_counter() - start:.1f} s"
        )
        ours = measure_in_child("polars", path)
        assert ours["rows"] == args.rows and ours["cohorts"] == 2 * 21 * 2, ours
        print(f"polars streaming reduction (with checks): {ours['seconds']:.2f} s, "
              f"peak {ours['peak_mb']:.0f} MB, {ours['cohorts']} cohorts")  # fmt: skip
        base = measure_in_child("pandas", path)
        print(f"pandas read_csv + groupby:                {base['seconds']:.2f} s, "
              f"peak {base['peak_mb']:.0f} MB")  # fmt: skip
        print(f"pandas / polars time: {base['seconds'] / ours['seconds']:.1f}x")


if __name__ == "__main__":
    main()

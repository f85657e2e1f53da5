"""What the benchmarks share: a database of their own, and how a step's peak memory is read."""

import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bench_database(url: str, action: str) -> None:
    """Drop the benchmark's database and, for "create", create and migrate it afresh."""
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if action == "create":
            db.execute(f'CREATE DATABASE "{name}"')
    if action == "create":
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"],
            cwd=ROOT,
            check=True,
            env={**os.environ, "DATABASE_URL": url},
        )


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started its program.

    Linux carries ru_maxrss across fork and exec, so a step run in a child of a benchmark that
    built its whole input file in memory would report the parent's peak; VmHWM belongs to the
    child's own program."""
    status = Path("/proc/self/status")
    if status.exists():
        line = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

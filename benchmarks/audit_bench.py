"""Export of 100,000 history entries as CSV and JSON: time and peak memory, 10k vs 100k.

Seeds ``--entries`` history entries (each with two field changes) over 200 tests of one team,
then downloads the whole audit trail through the page's export URL with Django's test client,
reading the streamed body chunk by chunk as a browser would, and reports for each format the
wall time, the bytes written and the peak of Python allocations during a second download
(tracemalloc, which slows allocation, so it is not on while timing). Memory is flat when
the peak for 100,000 entries is about the peak for 10,000.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/growthlab_bench_audit \
    .venv/bin/python benchmarks/audit_bench.py [--entries 100000]

Use a database of your own: its history entries are replaced. `uptime` is printed beside
the figures, since the machine's load moves them.
"""

import argparse
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "growthlab.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from accounts.models import Role, Team, User  # noqa: E402
from accounts.services import team_create, user_create  # noqa: E402
from experiments.models import Experiment, HistoryEntry  # noqa: E402

TESTS, BATCH = 200, 5000


def seed(entries: int) -> User:
    team = Team.objects.filter(name="Audit bench").first() or team_create(name="Audit bench")
    user = User.objects.filter(username="auditor").first() or user_create(
        username="auditor", password="bench-only-9f2", team=team, role=Role.VIEWER
    )
    tests = list(Experiment.objects.filter(team=team)[:TESTS])
    for number in range(len(tests), TESTS):
        tests.append(Experiment.objects.create(team=team, title=f"Bench test {number}"))
    HistoryEntry.objects.all().delete()
    for start in range(0, entries, BATCH):
        HistoryEntry.objects.bulk_create(
            HistoryEntry(
                experiment=tests[n % TESTS],
                user=user,
                summary=f"Edited the documentation #{n}",
                changes=[
                    {"field": "audience", "label": "Audience", "old": "All", "new": f"Seg {n}"},
                    {"field": "title", "label": "Title", "old": "=A1", "new": f"Bench {n}"},
                ],
            )
            for n in range(start, min(start + BATCH, entries))
        )
    return user


def read_all(client: Client, fmt: str) -> int:
    response = client.get(f"/history/export/?format={fmt}")
    assert response.status_code == 200 and response.streaming
    return sum(len(chunk) for chunk in response.streaming_content)


def download(client: Client, fmt: str) -> tuple[float, int, int]:
    """Timed without tracing (tracemalloc slows every allocation several times), then read
    again under tracemalloc for the peak."""
    began = time.perf_counter()
    size = read_all(client, fmt)
    seconds = time.perf_counter() - began
    tracemalloc.start()
    read_all(client, fmt)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, size, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    entries = parser.parse_args().entries
    call_command("migrate", verbosity=0)
    setup_test_environment()
    for count in sorted({entries // 10, entries}):
        user = seed(count)
        client = Client()
        client.force_login(user)
        for fmt in ("csv", "json"):
            seconds, size, peak = download(client, fmt)
            print(
                f"{count:>7,} entries  {fmt:4}  {seconds:6.2f} s  {size / 1e6:6.1f} MB written"
                f"  peak Python memory {peak / 1e6:5.1f} MB"
            )
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()

"""The results page of a large test: server time, and paint and layout shift in Chromium.

One running experiment of 3 variants x 10 metrics (4 conversion, 4 mean with CUPED, 2 ratio)
x 21 days of sufficient statistics, analysed once in-process (30 stored result rows with daily
series). Then:

- server time: the Django test client, median of 20 GETs after one warm-up (targets: 200 ms);
- browser: headless Debian Chromium via Playwright against `runserver`, median over 5 first
  visits (a fresh context each, so nothing is cached) of largest contentful paint (target
  1.5 s) and cumulative layout shift (target 0.1), read by a PerformanceObserver added in an
  init script, after every chart has drawn; with the time until the last chart drew and the
  script bytes the page fetched;
- the same first visit of a results page with nothing to chart (a running test without data).

    .venv/bin/python benchmarks/dashboard_bench.py

It creates the PostgreSQL database growthlab_bench_dash (override with --database-url) and
drops it at the end; no Redis is needed (tasks run in-process).
"""

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres:postgres@127.0.0.1:5432/growthlab_bench_dash"
CHROMIUM = "/usr/bin/chromium"
REQUESTS, PAGE_LOADS = 20, 5
TARGETS = {"server": 200.0, "lcp": 1500.0, "cls": 0.1}
# Layout shifts and the largest paint, kept on window so the test can read them at any time.
PERF_OBSERVER = """
window.__perf = {lcp: 0, cls: 0};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__perf.lcp = entry.startTime;
}).observe({type: "largest-contentful-paint", buffered: true});
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__perf.cls += entry.value;
  }
}).observe({type: "layout-shift", buffered: true});
new MutationObserver(() => { window.__perf.drawn = performance.now(); }).observe(
  document, {subtree: true, attributeFilter: ["data-drawn"]});
"""
# Bytes of every script the page fetched (runserver sends them uncompressed).
SCRIPT_BYTES = """
performance.getEntriesByType("resource").filter((e) => e.initiatorType === "script")
  .reduce((total, e) => total + e.decodedBodySize, 0)
"""


def database_create(url: str) -> None:
    import psycopg

    admin, name = url.rsplit("/", 1)
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_drop(url: str) -> None:
    import psycopg

    admin, name = url.rsplit("/", 1)
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def experiment_seed():
    """The experiment, analysed once, and a viewer to sign in as."""
    import numpy as np
    from django.utils import timezone

    from accounts.models import Team, User
    from analysis.models import Trigger
    from analysis.services import analysis_request, analysis_run_execute
    from benchmarks.analysis_bench import DAYS, FIRST_DAY, KINDS, ROLES, VARIANTS, metrics, stats
    from experiments.models import Experiment, ExperimentMetric, Variant
    from metrics.models import OutcomeCohort, OutcomeSource

    team = Team.objects.create(name="Benchmark", slug="benchmark")
    started = timezone.make_aware(
        timezone.datetime.combine(FIRST_DAY, timezone.datetime.min.time())
    )
    experiment = Experiment.objects.create(
        team=team,
        title="Dashboard bench",
        status="running",
        started_at=started,
        mde_relative=3.0,
        plan_daily_traffic=3000,
        planned_duration_days=28,
    )
    variants = [
        Variant.objects.create(
            experiment=experiment, name=name, is_control=i == 0, traffic_share=[34, 33, 33][i]
        )
        for i, name in enumerate(VARIANTS)
    ]
    catalogue, rng = metrics(), np.random.default_rng(11)
    assert len(catalogue) == len(KINDS)
    for metric, role in zip(catalogue, ROLES, strict=True):
        ExperimentMetric.objects.create(experiment=experiment, metric=metric, role=role)
    OutcomeCohort.objects.bulk_create(
        OutcomeCohort(
            experiment=experiment,
            variant=variant,
            metric=metric,
            exposure_date=FIRST_DAY + timedelta(days=day),
            source=OutcomeSource.PUSH,
            **stats(metric.kind, rng, 0.03 * i),
        )
        for i, variant in enumerate(variants)
        for metric in catalogue
        for day in range(DAYS)
    )
    run = analysis_request(experiment=experiment, trigger=Trigger.MANUAL)
    analysis_run_execute(run_id=run.id)
    viewer = User.objects.create_user(username="bench.viewer", password="bench-only")
    empty = Experiment.objects.create(
        team=team,
        title="Nothing to chart yet",
        status="running",
        started_at=started,
        mde_relative=3.0,
        plan_daily_traffic=3000,
        planned_duration_days=28,
    )
    return experiment, empty, viewer


def server_times(url: str, viewer) -> list[float]:
    """Milliseconds per GET of the results page, after one warm-up."""
    from django.test import Client

    client = Client()
    client.force_login(viewer)
    assert client.get(url).status_code == 200
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_start(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("runserver did not start within 20 s")


def session_cookie(viewer) -> str:
    from django.test import Client

    client = Client()
    client.force_login(viewer)
    return client.cookies["sessionid"].value


def browser_figures(base: str, path: str, cookie: str) -> list[dict]:
    """LCP (ms) and CLS per page load, each in a fresh context, after every chart drew."""
    from playwright.sync_api import sync_playwright

    loads = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for _ in range(PAGE_LOADS):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
            context.add_init_script(PERF_OBSERVER)
            page = context.new_page()
            page.goto(base + path, wait_until="load")
            page.wait_for_function(
                "[...document.querySelectorAll('[data-figure]')]"
                ".every((n) => n.dataset.drawn === 'true')",
                timeout=30_000,
            )
            page.wait_for_timeout(500)  # a late shift after the last chart still counts
            loads.append(page.evaluate("window.__perf") | {"bytes": page.evaluate(SCRIPT_BYTES)})
            context.close()
        browser.close()
    return loads


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    return f"{model}, {os.cpu_count()} cores\nuptime: {load}"


def median_of(loads: list[dict], key: str) -> float:
    return statistics.median(x.get(key, 0) for x in loads)


def report(server: list[float], loads: list[dict], empty: list[dict]) -> None:
    rows = [
        ("server time, median of 20", statistics.median(server), "ms", TARGETS["server"]),
        ("server time, slowest", max(server), "ms", None),
        ("LCP, median of 5", median_of(loads, "lcp"), "ms", TARGETS["lcp"]),
        ("last chart drawn, median", median_of(loads, "drawn"), "ms", None),
        ("script fetched, median", median_of(loads, "bytes") / 1e3, "kB", None),
        ("CLS, median of 5", median_of(loads, "cls"), "", TARGETS["cls"]),
        ("CLS, worst of 5", max(x["cls"] for x in loads), "", TARGETS["cls"]),
        ("no data: LCP, median of 5", median_of(empty, "lcp"), "ms", TARGETS["lcp"]),
        ("no data: script fetched", median_of(empty, "bytes") / 1e3, "kB", None),
    ]
    print(f"{'measure':28} {'value':>10} {'target':>10}  verdict")
    for name, value, unit, target in rows:
        shown = f"{value:.3f}" if unit == "" else f"{value:,.0f} {unit}"
        verdict = "" if target is None else ("ok" if value <= target else "OVER")
        aim = "" if target is None else (f"{target:g}" + (f" {unit}" if unit else ""))
        print(f"{name:28} {shown:>10} {aim:>10}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.pop("REDIS_URL", None)  # tasks in-process: no worker is measured here
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "growthlab.settings")
    database_create(args.database_url)
    try:
        measure()
    finally:
        from django.db import connections

        connections.close_all()
        database_drop(args.database_url)


def measure() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    experiment, empty, viewer = experiment_seed()
    path = f"/experiments/{experiment.pk}/results/"
    server = server_times(path, viewer)
    port = free_port()
    runserver = server_start(port)
    try:
        base, cookie = f"http://127.0.0.1:{port}", session_cookie(viewer)
        loads = browser_figures(base, path, cookie)
        empty_loads = browser_figures(base, f"/experiments/{empty.pk}/results/", cookie)
    finally:
        runserver.terminate()
        runserver.wait(timeout=30)
    print(machine())
    print("results page of 3 variants x 10 metrics x 21 days (30 result rows, 21 daily points)")
    report(server, loads, empty_loads)


if __name__ == "__main__":
    main()

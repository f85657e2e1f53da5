"""The experiment list and the flat results under gunicorn, at a fixed rate, open loop.

A database of its own (growthlab_bench_api, created and dropped here) holds the demo data
plus 1,000 generated running experiments, each with two variants, two metrics and a stored
analysis (copied from a demo result, so every row is a real engine answer). gunicorn serves
it with production settings and throttle rates raised by environment; the client sends
requests on a fixed schedule whatever the answers do (open loop), alternating the two lists,
and measures each latency from its scheduled start, so a slow server cannot hide its queue.

    REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python benchmarks/api_bench.py --seconds 60

With ``--separate-client`` the client runs in a process of its own (as a real client would:
its CPU is not the server's process's) and ``--tokens 7`` spreads the requests over seven
analysts' tokens, each with its own throttle count and cached token, as several scripts do:

    REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python benchmarks/api_bench.py \
        --separate-client --tokens 7 --seconds 60

Targets, what an analyst's scripts need: p95 at most 100 ms, p99 at most 200 ms, no errors,
at 100 requests/s.
"""

import argparse
import http.client
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
SERVER = "postgres://postgres:postgres@127.0.0.1:5432"
DATABASE = "growthlab_bench_api"
GENERATED = 1000
PROBE_RATE = 10
ENDPOINTS = ("/api/v1/experiments/", "/api/v1/results/")
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "127.0.0.1",
    "EMAIL_URL": "smtp://127.0.0.1:25",
    "SECURE_SSL_REDIRECT": "false",
}
UNLIMITED = {f"API_RATE_{scope}": "1000000/minute" for scope in ("USER", "EXPORT", "EXPENSIVE")}


def admin_sql(statement: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def database_create() -> str:
    admin_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {DATABASE}")
    return f"{SERVER}/{DATABASE}"


def seed(env: dict, tokens: int) -> list[str]:
    """Migrate, load the demo and the generated tests in a child process; return the tokens."""
    result = subprocess.run(
        [sys.executable, __file__, "--seed-only", "--tokens", str(tokens)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    # A live database has planner statistics (autovacuum keeps them); a freshly seeded one has
    # none, and the planner then guesses a hundred rows for tables of thousands.
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return result.stdout.strip().splitlines()[-1].split(",")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_start(env: dict, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    # More than one thread means gthread workers: a thread waiting on PostgreSQL lets another run.
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "growthlab.wsgi:application",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited at start-up")
        try:
            requests.get(base + "/api/v1/", timeout=5)
            return process, base
        except requests.RequestException:
            time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    raise TimeoutError("gunicorn did not answer within 60 s")


class Client:
    """Open loop: request i starts at t0 + i / rate on a pool thread, whatever came before.

    Request i goes to path i mod paths with token i mod tokens.
    """

    def __init__(self, base: str, tokens: list[str], paths=ENDPOINTS, threads: int = 64):
        self.address = urlsplit(base).hostname, urlsplit(base).port
        self.tokens, self.paths = tokens, paths
        self.pool = ThreadPoolExecutor(max_workers=threads)
        self.latencies: dict[str, list[float]] = {path: [] for path in paths}
        self.errors: list[str] = []

    def one(self, path: str, token: str, scheduled: float) -> None:
        # http.client, not requests: the client shares the two cores with the server, and
        # requests spent about a millisecond of CPU per request that the server then lacked.
        # (gunicorn's sync workers close each connection, so there is nothing to keep alive.)
        connection = http.client.HTTPConnection(*self.address, timeout=10)
        try:
            connection.request("GET", path, headers={"Authorization": f"Token {token}"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                self.errors.append(f"{path}: {response.status}")
        except (OSError, http.client.HTTPException) as error:
            self.errors.append(f"{path}: {type(error).__name__}")
        finally:
            connection.close()
        self.latencies[path].append(time.perf_counter() - scheduled)

    def run(self, rate: float, seconds: float) -> None:
        start, total = time.perf_counter() + 0.1, int(rate * seconds)
        futures = []
        for index in range(total):
            scheduled = start + index / rate
            time.sleep(max(0.0, scheduled - time.perf_counter()))
            path, token = self.paths[index % len(self.paths)], self.tokens[index % len(self.tokens)]
            futures.append(self.pool.submit(self.one, path, token, scheduled))
        for future in futures:
            future.result()
        self.pool.shutdown()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def server_cpu_seconds(process: subprocess.Popen) -> float:
    """CPU time (user + system) of gunicorn's master and workers so far, read from /proc."""
    pids = [process.pid]
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def run_client(
    base: str, tokens: list[str], paths: tuple, rate: float, seconds: float, separate: bool
) -> Client:
    """Run a client here, or in a process of its own whose measurements come back as JSON."""
    client = Client(base, tokens, paths)
    if not separate:
        client.run(rate, seconds)
        return client
    options = {"--rate": rate, "--seconds": seconds, "--token-list": ",".join(tokens)}
    command = [sys.executable, __file__, "--client-only", base]
    command += [str(part) for pair in options.items() for part in pair]
    command += [part for path in paths for part in ("--path", path)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    measured = json.loads(output)
    client.latencies, client.errors = measured["latencies"], measured["errors"]
    return client


def client_only(base: str, tokens: list[str], paths: tuple, rate: float, seconds: float) -> None:
    """Child process: the open-loop client alone; prints its latencies and errors as JSON."""
    client = Client(base, tokens, paths)
    client.run(rate, seconds)
    print(json.dumps({"latencies": client.latencies, "errors": client.errors}))


def report(
    client: Client, rate: float, seconds: float, server: str, load: float, cpu: float
) -> None:
    print(
        f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"gunicorn {server}, load average before the run {load:.2f}"
    )
    print(
        f"{rate:g} requests/s for {seconds:g} s, open loop, {len(client.tokens)} token(s), "
        "alternating",
        *client.paths,
    )
    every = [v for values in client.latencies.values() for v in values]
    for name, values in [*client.latencies.items(), ("both", every)]:
        p50, p95, p99 = (percentile(values, q) * 1000 for q in (50, 95, 99))
        print(
            f"{name:22} n={len(values):5}  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
            f"p99 {p99:6.1f} ms  max {max(values) * 1000:6.1f} ms"
        )
    print(f"errors: {len(client.errors)}", *sorted(set(client.errors))[:5])
    answered = sum(len(values) for values in client.latencies.values())
    wall = max(every) + seconds if every else seconds
    print(
        f"server CPU {cpu * 1000 / max(1, answered):.1f} ms per request; "
        f"answered {answered / wall:.1f} requests/s over the run's {wall:.0f} s"
    )


def seed_in_django(tokens: int) -> None:
    """Child process: migrate, demo data, 1,000 analysed tests; print analysts' tokens."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "growthlab.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo_data")
    generated_seed()
    print(",".join(analyst_token(number) for number in range(tokens)))


def generated_seed() -> None:
    from django.db.models import Count, F
    from django.utils import timezone

    from accounts.models import Team
    from analysis.models import AnalysisResult, AnalysisRun
    from experiments.models import Experiment, ExperimentMetric, Variant

    # A demo result for a two-variant test: its rows are copied onto every generated test,
    # the control's as variant A, the treatment's as B. (Demo variants have their own names.)
    two_variants = (
        AnalysisResult.objects.filter(run__status="succeeded")
        .values("run_id")
        .annotate(variants=Count("variant_id", distinct=True))
        .filter(variants=2)
        .order_by("run_id")
    )
    sample = two_variants.values_list("run_id", flat=True).first()
    template = list(AnalysisResult.objects.filter(run_id=sample))
    if not template:
        raise RuntimeError("The demo has no analysed two-variant test to copy")
    team, now = Team.objects.order_by("id").first(), timezone.now()
    tests = Experiment.objects.bulk_create(
        Experiment(team=team, title=f"Generated test {i}", status="running", started_at=now)
        for i in range(GENERATED)
    )
    variants = {
        (v.experiment_id, v.name): v
        for v in Variant.objects.bulk_create(
            Variant(experiment=e, name=n, is_control=n == "A", traffic_share=50)
            for e in tests
            for n in "AB"
        )
    }
    roles = {row.metric_id: row.role for row in template}
    ExperimentMetric.objects.bulk_create(
        ExperimentMetric(experiment=e, metric_id=m, role=r) for e in tests for m, r in roles.items()
    )
    runs = AnalysisRun.objects.bulk_create(
        AnalysisRun(
            experiment=e,
            status="succeeded",
            fingerprint=f"{e.id:064d}",
            analysed_fingerprint=f"{e.id:064d}",
            trigger="schedule",
            queued_at=now,
            sent_at=now,
            started_at=now,
            finished_at=now,
        )
        for e in tests
    )
    AnalysisRun.objects.filter(pk__in=[r.pk for r in runs]).update(results_run_id=F("id"))
    AnalysisResult.objects.bulk_create(
        result_copy(row, run, variants[(run.experiment_id, "A" if row.is_control else "B")])
        for run in runs
        for row in template
    )


def result_copy(row, run, variant):
    from analysis.models import AnalysisResult

    fields = (
        "metric_id",
        "role",
        "is_control",
        "inputs",
        "payload",
        "method",
        "settings",
        "output",
        "comparison",
        "verdict",
        "status",
        "findings",
        "series",
    )
    return AnalysisResult(
        run=run,
        experiment_id=run.experiment_id,
        variant=variant,
        computed_at=run.finished_at,
        is_current=True,  # each generated test's only run is its standing answer
        **{name: getattr(row, name) for name in fields},
    )


def analyst_token(number: int) -> str:
    from accounts.models import Role, Team
    from accounts.services import user_create
    from accounts.tokens import api_token_create

    team = Team.objects.order_by("id").first()
    name, password = f"bench-analyst-{number}", secrets.token_urlsafe(16)
    analyst = user_create(username=name, password=password, team=team, role=Role.ANALYST)
    return api_token_create(user=analyst, name="benchmark")[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=100)
    # The Dockerfile's command: threads overlap each request's waits on PostgreSQL and Redis.
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--path", action="append", choices=ENDPOINTS, help="only this list (repeatable)"
    )
    parser.add_argument("--tokens", type=int, default=1, help="analysts' tokens to spread over")
    parser.add_argument(
        "--separate-client", action="store_true", help="run the client in a process of its own"
    )
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--client-only", metavar="BASE", help=argparse.SUPPRESS)
    parser.add_argument("--token-list", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        return seed_in_django(args.tokens)
    paths = tuple(args.path or ENDPOINTS)
    if args.client_only:
        tokens = args.token_list.split(",")
        return client_only(args.client_only, tokens, paths, args.rate, args.seconds)
    env = os.environ | {"DATABASE_URL": database_create()} | PRODUCTION | UNLIMITED
    try:
        tokens = seed(env, args.tokens)
        process, base = gunicorn_start(env, args.workers, args.threads)
        server = f"{args.workers} workers x {args.threads} threads"
        if args.separate_client:
            server += ", client in its own process"
        try:
            Client(base, tokens).run(rate=10, seconds=2)  # warm every worker's imports
            # A light probe first: its latencies are the service times, with no queue.
            probe_load, cpu_before = os.getloadavg()[0], server_cpu_seconds(process)
            probe = run_client(base, tokens, paths, PROBE_RATE, 10, args.separate_client)
            load, cpu_probe = os.getloadavg()[0], server_cpu_seconds(process)
            client = run_client(base, tokens, paths, args.rate, args.seconds, args.separate_client)
            cpu_run = server_cpu_seconds(process)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        report(probe, PROBE_RATE, 10, server, probe_load, cpu_probe - cpu_before)
        report(client, args.rate, args.seconds, server, load, cpu_run - cpu_probe)
    finally:
        admin_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()

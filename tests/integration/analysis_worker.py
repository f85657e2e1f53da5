"""Drill helpers: a private Redis, real `celery worker` processes on the test database.

Redis runs on its own port (6390) with append-only persistence (fsync on every write), so the
drills can stop it without disturbing anyone else's tests. Every process started here is
stopped by its PID (or its own process group) at teardown.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from growthlab.celery import app
from tests.integration.processes import process_group_kill, process_group_stop, worker_logs

ROOT = Path(__file__).resolve().parents[2]
REDIS_PORT = int(os.environ.get("ANALYSIS_DRILL_REDIS_PORT", "6390"))
WORKER_APP_NAME = "analysis_drill_worker"  # the workers' PostgreSQL application_name


def database_url() -> str:
    db = connection.settings_dict  # the test database
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        f"?application_name={WORKER_APP_NAME}"
    )


class Drill:
    def __init__(self, tmp_path: Path):
        self.dir = tmp_path
        self.redis: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self.fail_flag = tmp_path / "fail-analyses"
        self.broker_url = f"redis://127.0.0.1:{REDIS_PORT}/0"

    def redis_start(self) -> None:
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.wait(self.redis_up, 10, "redis did not start")

    def redis_up(self) -> bool:
        ping = ["redis-cli", "-p", str(REDIS_PORT), "ping"]
        return subprocess.run(ping, capture_output=True, text=True).stdout.strip() == "PONG"

    def redis_stop(self) -> None:
        self.redis.terminate()  # SIGTERM: Redis flushes its append-only file and exits
        self.redis.wait(timeout=10)

    def worker_start(self, *, concurrency: int = 2, pause: float = 0) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.broker_url,
            "ANALYSIS_DRILL_PAUSE": str(pause),
            "ANALYSIS_DRILL_FAIL_FILE": str(self.fail_flag),
            "DEBUG": "true",
        }
        log = open(self.dir / f"worker-{len(self.workers)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tests.integration.analysis_drill_app",
                "worker",
                "-Q",
                "analysis,scheduled",
                "--concurrency",
                str(concurrency),
                "-n",
                f"drill-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers.append(process)
        return process

    def children(self, worker: subprocess.Popen) -> list[int]:
        found = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True)
        return [int(pid) for pid in found.stdout.split()]

    def kill_group(self, worker: subprocess.Popen) -> None:
        process_group_kill(worker)

    def wait(self, predicate, seconds: float, message: str, *, every=None) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if every:
                every()
            if predicate():
                return
            time.sleep(0.25)
        pytest.fail(f"{message} within {seconds} s\n{self.logs()}")

    def logs(self) -> str:
        return worker_logs(self.dir)

    def stop(self) -> None:
        for worker in self.workers:
            process_group_stop(worker)
        if self.redis is not None and self.redis.poll() is None:
            self.redis.kill()
            self.redis.wait()


def point_app_at(broker_url: str) -> None:
    """Send this process's messages to the drill's Redis, forgetting pooled connections."""
    app.conf.broker_url = broker_url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def drill(transactional_db, tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.fail("drills need DATABASE_URL pointing at PostgreSQL")
    before = (app.conf.broker_url, app.conf.task_always_eager)
    run = Drill(tmp_path)
    run.redis_start()
    point_app_at(run.broker_url)
    app.conf.task_always_eager = False
    yield run
    run.stop()
    point_app_at(before[0])
    app.conf.task_always_eager = before[1]
    print(run.logs())  # shown by pytest when a drill fails

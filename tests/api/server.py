"""The app under gunicorn on 127.0.0.1, against the test database, stopped by its PID."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.api.conftest import database_url

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited at start-up"
        try:
            requests.get(base + "/api/v1/teams/", timeout=10)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise TimeoutError("gunicorn did not answer within 60 s")


@contextmanager
def gunicorn(workers: int = 3, **environment: str) -> Iterator[str]:
    """Yield the base URL of a running server; extra keyword arguments become its environment."""
    port = free_port()
    env = os.environ | {"DATABASE_URL": database_url(), "DEBUG": "true"} | environment
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "growthlab.wsgi:application",
            "--workers",
            str(workers),
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
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, process)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)

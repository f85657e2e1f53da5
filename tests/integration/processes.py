"""Worker processes started by the integration tests, each in a process group of its own."""

import os
import signal
import subprocess
from pathlib import Path


def process_group_stop(process: subprocess.Popen, seconds: float = 15) -> None:
    """SIGTERM the group (a warm shutdown), then SIGKILL it if it is still there after `seconds`."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def process_group_kill(process: subprocess.Popen) -> None:
    """SIGKILL the worker and its pool children: a host or container dying."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def worker_logs(folder: Path) -> str:
    """The end of every worker-*.log in `folder`, for a failing test's output."""
    return "\n".join(p.read_text()[-3000:] for p in sorted(folder.glob("worker-*.log")))

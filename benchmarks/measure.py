"""What the benchmarks share: how a step's peak memory is read."""

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started its program.

    Linux carries ru_maxrss across fork and exec, so a child started by this script (which
    built the whole file in memory) would report the parent's peak; VmHWM belongs to the
    child's own program."""
    status = Path("/proc/self/status")
    if status.exists():
        line = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

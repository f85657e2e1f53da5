import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def test_importing_the_engine_loads_no_django():
    code = "import metrics.stats, metrics.stats.__main__, sys; print('django' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_metrics_package_init_stays_empty():
    # anything in metrics/__init__.py runs before metrics.stats, and could pull in Django
    assert (PROJECT / "metrics" / "__init__.py").read_text().strip() == ""

"""``python -m metrics.stats`` run as a real subprocess, as a script or a cron job would."""

import json
import subprocess
import sys
from pathlib import Path

from .payloads import binomial_payload

PROJECT = Path(__file__).resolve().parents[2]


def run(*args, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "metrics.stats", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=60,
    )


def test_analyse_reads_stdin_and_prints_json():
    done = run("analyse", stdin=json.dumps(binomial_payload()))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["comparisons"][0]["relative"]["estimate"] == 0.11999999999999988


def test_analyse_reads_a_file(tmp_path):
    path = tmp_path / "experiment.json"
    path.write_text(json.dumps(binomial_payload(treatment_counts=(10_000, 650))))
    done = run("analyse", str(path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["comparisons"][0]["status"] == "ship"


def test_open_interval_end_is_written_as_null():
    done = run("analyse", stdin=json.dumps(binomial_payload(two_sided=False)))
    assert done.returncode == 0, done.stderr
    assert '"ci_upper": null' in done.stdout
    assert "Infinity" not in done.stdout


def test_invalid_input_exits_2_naming_the_field():
    payload = binomial_payload()
    payload["variants"][1]["n"] = 0
    done = run("analyse", stdin=json.dumps(payload))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip() == "invalid input: variants[1].n: must be at least 1"


def test_malformed_json_exits_2():
    done = run("analyse", stdin="{not json")
    assert done.returncode == 2
    assert done.stderr.startswith("invalid input: input: is not valid JSON")


def test_power_command():
    payload = {"metric_type": "binomial", "baseline_rate": 0.05, "mde_relative": 0.1}
    done = run("power", stdin=json.dumps({**payload, "daily_traffic": 3000}))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["n_per_variant"] == [31_234, 31_234]
    assert (result["days"], result["fits_in_sprint"]) == (21, True)


def test_power_without_mde_names_it():
    done = run("power", stdin=json.dumps({"metric_type": "binomial", "baseline_rate": 0.05}))
    assert done.returncode == 2
    assert "mde_relative: is required" in done.stderr

"""Schemathesis against the served schema: every phase, 30 examples per operation, fixed seed.

Runs the CLI against the app under gunicorn on the test database, as an admin's token (so
writes get past permissions and reach validation), with the throttles raised. Any server error
or response that breaks the schema fails the run. About 7,000 cases over 52 operations take two
minutes on two cores; the run is stopped, and fails, after five.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from accounts.tokens import api_token_create
from tests.api.server import ROOT, gunicorn
from tests.factories import experiment_make, idea_make, metric_make

# Production settings, so that an unknown path gets the API's JSON 404, not DEBUG's page.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "127.0.0.1",
    "EMAIL_URL": "smtp://127.0.0.1:25",
    "SECURE_SSL_REDIRECT": "false",
    "DATA_SOURCE_KEY": Fernet.generate_key().decode(),  # so data sources get past the vault
}
# Heuristics about which inputs the server should accept: a foreign key that exists, a
# planned end after its start or an empty filter read as "any" cannot be said in OpenAPI.
# Every check on what the server answers (errors, status codes, content types, bodies,
# headers) runs.
ACCEPTANCE_HEURISTICS = "positive_data_acceptance,negative_data_rejection"
FUZZ_SECONDS = 5 * 60


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(people):
    # Kept with the other test artifacts: pytest's own temporary folders are shared and pruned.
    artifacts = os.environ.get("GROWTHLAB_TEST_ARTIFACTS") or ROOT / "test-artifacts"
    tmp_path = Path(artifacts) / "schemathesis"
    tmp_path.mkdir(parents=True, exist_ok=True)
    experiment_make(people, ready=True)
    idea_make(people)
    metric_make("Revenue per visitor", kind="mean")
    _, key = api_token_create(user=people.admin, name="fuzz")
    rates = {f"API_RATE_{s}": "100000/minute" for s in ("USER", "EXPORT", "EXPENSIVE")}
    with gunicorn(workers=3, **rates, **PRODUCTION) as base:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                f"{base}/api/v1/schema/",
                "--header",
                f"Authorization: Token {key}",
                "--max-examples",
                "30",
                "--workers",
                "2",
                "--seed",
                "20250101",
                "--checks",
                "all",
                "--exclude-checks",
                ACCEPTANCE_HEURISTICS,
                "--request-timeout",
                "30",
                "--report-junit-path",
                str(tmp_path / "junit.xml"),
            ],
            capture_output=True,
            text=True,
            timeout=FUZZ_SECONDS,
        )
    (tmp_path / "schemathesis.txt").write_text(result.stdout)
    assert result.returncode == 0, result.stdout[-20000:]

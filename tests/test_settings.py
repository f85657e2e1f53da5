"""The environment-driven settings, checked in fresh processes with controlled environments.

The subprocesses start together (a module fixture) so the slow part, importing Django, runs
in parallel.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.factories import experiment_make

ROOT = Path(__file__).resolve().parent.parent
STRONG_SECRET = secrets.token_urlsafe(64)

PAGE_PROBE = """
import json, os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "growthlab.settings"  # what manage.py sets
django.setup()
from django.test import Client
response = Client(HTTP_HOST="localhost").get("/accounts/login/")
print(json.dumps({"status": response.status_code, "csp": response.get("Content-Security-Policy"),
                  "body": response.content.decode(), "debug": __import__("django.conf").conf.settings.DEBUG,
                  "engine": __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"]}))
"""  # noqa: E501


def server_database_url() -> str:
    """The test PostgreSQL server's own `postgres` database."""
    db = django_settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/postgres"


def production_env() -> dict:
    return {
        "DEBUG": "false",
        "SECRET_KEY": STRONG_SECRET,
        "ALLOWED_HOSTS": "growthlab.example.com",
        "DATABASE_URL": server_database_url(),
        "REDIS_URL": "redis://127.0.0.1:6379/3",
        "EMAIL_URL": "smtp+tls://u:p@smtp.example.com:587",
    }


def cases() -> dict[str, tuple[list[str], dict]]:
    check = ["manage.py", "check"]
    prod = production_env()
    without = {name: {k: v for k, v in prod.items() if k != name} for name in prod}
    return {
        "no-secret": (check, without["SECRET_KEY"]),
        "weak-secret": (check, {**prod, "SECRET_KEY": "changeme"}),
        "short-secret": (check, {**prod, "SECRET_KEY": "x7Gq2Lp9"}),
        "debug-maybe": (check, {"DEBUG": "maybe"}),
        "no-hosts": (check, without["ALLOWED_HOSTS"]),
        "no-redis": (check, without["REDIS_URL"]),
        "no-email": (check, without["EMAIL_URL"]),
        "bad-email": (check, {**prod, "EMAIL_URL": "http://smtp.example.com"}),
        "production": ([*check, "--deploy", "--fail-level", "WARNING"], prod),
        "empty": (["-c", PAGE_PROBE], {}),
    }


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.CompletedProcess]:
    processes = {
        name: subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, (args, env) in cases().items()
    }
    results = {}
    for name, process in processes.items():
        out, err = process.communicate(timeout=120)
        results[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return results


def last_error(run: subprocess.CompletedProcess) -> str:
    lines = [line for line in run.stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no-secret", "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is false."),
        ("weak-secret", "ImproperlyConfigured: SECRET_KEY is too weak"),
        ("short-secret", "ImproperlyConfigured: SECRET_KEY is too weak"),
        ("debug-maybe", "ImproperlyConfigured: DEBUG must be 'true' or 'false', not 'maybe'."),
        ("no-hosts", "ImproperlyConfigured: ALLOWED_HOSTS must be set when DEBUG is false."),
        ("no-redis", "ImproperlyConfigured: REDIS_URL must be set when DEBUG is false."),
        ("no-email", "ImproperlyConfigured: EMAIL_URL must be set when DEBUG is false."),
        ("bad-email", "ImproperlyConfigured: EMAIL_URL must look like smtp+tls://"),
    ],
)
def test_a_missing_or_bad_variable_stops_start_up_naming_it(runs, case, message):
    run = runs[case]
    assert run.returncode != 0
    assert message in last_error(run), run.stderr[-2000:]
    assert STRONG_SECRET not in run.stderr


def test_the_production_environment_passes_the_deploy_check(runs):
    run = runs["production"]
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "System check identified no issues (0 silenced)."
    assert run.stderr.strip() == ""


def test_no_environment_is_the_demo_with_a_content_security_policy(runs):
    run = runs["empty"]
    assert run.returncode == 0, run.stderr
    page = json.loads(run.stdout)
    assert page["debug"] is True
    assert page["engine"] == "django.db.backends.sqlite3"
    assert page["status"] == 200
    assert_strict_policy(page["csp"])
    assert_no_inline_script(page["body"])


def assert_strict_policy(policy: str | None) -> None:
    assert policy, "no Content-Security-Policy header"
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def assert_no_inline_script(html: str) -> None:
    for tag, body in re.findall(r"(<script\b[^>]*>)(.*?)</script>", html, flags=re.S | re.I):
        is_data = 'type="application/json"' in tag
        assert "src=" in tag or is_data, f"inline script: {tag}{body[:80]}"
    assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), "inline event handler"
    assert "javascript:" not in html


def test_every_page_response_carries_the_policy_and_no_inline_script(people):
    experiment = experiment_make(people, ready=True)
    client = Client()
    client.force_login(people.owner)
    for url in ("/", "/ideas/", "/experiments/", experiment.get_absolute_url(), "/metrics/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy(response.get("Content-Security-Policy"))
        assert_no_inline_script(response.text)
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"

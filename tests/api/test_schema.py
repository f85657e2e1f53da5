import os
import re
import subprocess
import sys
from pathlib import Path

from django.contrib.staticfiles import finders

from tests.api.conftest import database_url
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


# Views under /api/v1/ that other work added without schema annotations (drf-spectacular
# cannot guess their serializers). The list may only shrink: any new offender fails the test.
UNDOCUMENTED_ELSEWHERE: set[str] = set()


def test_schema_validates_without_warnings(db, tmp_path):
    # A process of its own: drf-spectacular counts warnings per process, across generations.
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(tmp_path / "schema.yml"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | {"DATABASE_URL": database_url()},
    )
    offenders = set(re.findall(r"(?:Warning|Error) \[(\w+)\]", result.stderr))
    assert offenders <= UNDOCUMENTED_ELSEWHERE, result.stderr
    assert not re.search(r"^Warning: ", result.stderr, re.MULTILINE), result.stderr
    if not offenders:
        assert result.returncode == 0, result.stderr


def test_schema_documents_every_client_error(as_user, people):
    schema = as_user(people.viewer).get("/api/v1/schema/?format=json").json()
    conclude = schema["paths"]["/api/v1/experiments/{id}/conclude/"]["post"]["responses"]
    assert set(conclude) == {"200", "400", "401", "403", "404", "409", "429"}
    listing = schema["paths"]["/api/v1/experiments/"]["get"]
    assert {"team", "sprint", "status", "metric", "decision", "q", "concluded_after"} <= {
        p["name"] for p in listing["parameters"]
    }
    assert "text/csv" in listing["responses"]["200"]["content"]
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_swagger_page_loads_only_local_assets_and_no_inline_script(client, people):
    client.login(username="viewer", password=PASSWORD)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert sources and all(src.startswith(("/static/", "/api/")) for src in sources)
    assert "<script>" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
    for src in sources:
        if src.startswith("/static/"):
            assert finders.find(src.removeprefix("/static/")), src
    script = client.get(sources[-1])
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_redoc_page_uses_the_local_bundle_and_no_other_host(client, people):
    client.login(username="viewer", password=PASSWORD)
    page = client.get("/api/v1/redoc/").content.decode()
    (bundle,) = re.findall(r'<script src="([^"]+)"', page)
    assert finders.find(bundle.removeprefix("/static/"))
    assert "https://" not in page  # drf-spectacular's template links Google's web fonts


def test_only_the_documentation_pages_allow_inline_styles(client, people):
    client.login(username="viewer", password=PASSWORD)
    for url in ("/api/v1/docs/", "/api/v1/redoc/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "style-src 'self' 'unsafe-inline'" in policy and "script-src 'self';" in policy
    policy = client.get("/experiments/")["Content-Security-Policy"]
    assert "style-src 'self';" in policy and "unsafe-inline" not in policy

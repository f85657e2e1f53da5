"""The test process through the API: custom fields read and written, templates, duplicates,
sign-off, and the streamed audit export (CSV and JSON, spreadsheet-safe)."""

import csv
import io
import json

import pytest

from experiments.models import (
    CustomField,
    CustomFieldValue,
    Experiment,
    ExperimentTemplate,
    HistoryEntry,
    SignoffPolicy,
)
from experiments.services.history import history_record
from experiments.services.templates import template_save
from tests.factories import experiment_make, metric_make


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def budget(db):
    return CustomField.objects.create(label="Budget", key="budget", kind="number")


def test_custom_fields_are_read_written_and_validated(people, as_user, budget):
    experiment = experiment_make(people)
    client = as_user(people.owner)
    url = f"/api/v1/experiments/{experiment.pk}/"
    assert client.get(url).json()["custom_fields"] == {"budget": None}
    bad = client.patch(url, {"custom_fields": {"budget": "lots"}, "title": "X"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["custom_fields"]["budget"] == ["“Budget” is a number; “lots” is not one."]
    experiment.refresh_from_db()
    assert experiment.title != "X" and not CustomFieldValue.objects.exists()
    ok = client.patch(url, {"custom_fields": {"budget": "1500"}}, format="json")
    assert ok.status_code == 200 and ok.json()["custom_fields"] == {"budget": 1500}
    listed = client.get("/api/v1/experiments/?cf_budget=1500.0").json()
    assert [row["id"] for row in listed["results"]] == [experiment.pk]
    assert client.get("/api/v1/experiments/?cf_budget=many").status_code == 400
    exported = client.get("/api/v1/experiments/?format=csv")
    rows = list(csv.DictReader(io.StringIO(body_of(exported).decode())))
    assert rows[0]["custom_fields.budget"] == "1500"


def test_a_test_from_a_template_and_a_duplicate_through_the_api(people, as_user):
    template = template_save(
        template=ExperimentTemplate(team=None),
        user=people.admin,
        data={
            "name": "Newsletter subject line",
            "channel": "email",
            "variants": [
                {"name": "A", "is_control": True, "traffic_share": 50},
                {"name": "B", "is_control": False, "traffic_share": 50},
            ],
            "checklist": ["Seed list checked"],
        },
        metrics=[(metric_make("Open rate"), "primary")],
    )
    client = as_user(people.owner)
    created = client.post(
        f"/api/v1/templates/{template.pk}/experiments/",
        {"team": people.team.pk, "title": "Subject: emoji or not"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["template"] == template.pk
    assert created.json()["metrics"][0]["metric"]["name"] == "Open rate"
    copy = client.post(f"/api/v1/experiments/{created.json()['id']}/duplicate/", {}, format="json")
    assert copy.status_code == 201
    assert copy.json()["title"] == "Copy of Subject: emoji or not"
    assert Experiment.objects.count() == 2


def test_sign_off_through_the_api(people, as_user):
    SignoffPolicy.objects.create(team=people.team, before_start=True, before_running_edit=True)
    experiment = experiment_make(people, ready=True)
    owner, lead = as_user(people.owner), as_user(people.lead)
    start = f"/api/v1/experiments/{experiment.pk}/transitions/start/"
    refused = owner.post(start)
    assert refused.status_code == 409
    assert "asks a team lead to sign off" in refused.json()["detail"]
    asked = owner.post(f"/api/v1/experiments/{experiment.pk}/signoffs/", {}, format="json")
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    signoff = asked.json()["id"]
    assert (
        owner.post(f"/api/v1/experiments/{experiment.pk}/signoffs/{signoff}/approve/").status_code
        == 403
    )
    approved = lead.post(f"/api/v1/experiments/{experiment.pk}/signoffs/{signoff}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert owner.post(start).status_code == 200
    change = owner.patch(
        f"/api/v1/experiments/{experiment.pk}/", {"audience": "Members"}, format="json"
    )
    assert change.status_code == 202 and change.json()["kind"] == "edit"
    experiment.refresh_from_db()
    assert experiment.audience != "Members"
    no_reason = lead.post(
        f"/api/v1/experiments/{experiment.pk}/signoffs/{change.json()['id']}/refuse/",
        {"reason": ""},
        format="json",
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()


def test_the_audit_export_streams_csv_and_json_and_is_spreadsheet_safe(people, as_user):
    experiment = experiment_make(people, title='=HYPERLINK("http://x")')
    history_record(
        obj=experiment,
        user=people.owner,
        summary="+cmd|' /C calc'!A0",
        changes=[{"field": "title", "label": "Title", "old": "-1+1", "new": "@SUM(A1)"}],
    )
    other = experiment_make(people)
    HistoryEntry.objects.filter(experiment=other).update(created_at="2020-01-01T10:00:00Z")
    client = as_user(people.viewer)
    response = client.get(f"/api/v1/history/?experiment={experiment.pk}&format=csv")
    assert response.status_code == 200 and response.streaming
    rows = list(csv.DictReader(io.StringIO(body_of(response).decode())))
    assert [row["summary"] for row in rows] == ["Created the test", "'+cmd|' /C calc'!A0"]
    assert rows[0]["title"].startswith("'=HYPERLINK")
    assert rows[1]["changes"] == "Title: -1+1 → @SUM(A1)"
    assert rows[1]["user"] == "owner"
    as_json = json.loads(body_of(client.get(f"/api/v1/history/?team={people.team.pk}&format=json")))
    assert {row["object_id"] for row in as_json} == {experiment.pk, other.pk}
    assert as_json[0]["changes"] is not None
    recent = json.loads(body_of(client.get("/api/v1/history/?since=2021-01-01&format=json")))
    assert other.pk not in {row["object_id"] for row in recent}
    period = json.loads(
        body_of(client.get("/api/v1/history/?since=2019-12-31&until=2020-01-02&format=json"))
    )
    assert [row["object_id"] for row in period] == [other.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=yesterday", "since"),
        ("team=99999", "team"),
        ("since=2025-02-01&until=2025-01-01", "until"),
        ("format=xml", "format"),
    ],
)
def test_a_bad_export_parameter_is_a_400_naming_it(people, as_user, query, field):
    response = as_user(people.viewer).get(f"/api/v1/history/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_the_page_export_of_one_test(people, client):
    experiment = experiment_make(people)
    client.force_login(people.viewer)
    response = client.get(f"/experiments/{experiment.pk}/history/export/?format=json")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'history-test-{experiment.pk}.json"')
    assert json.loads(body_of(response))[0]["summary"] == "Created the test"
    assert client.get("/history/export/?since=nope").status_code == 400


@pytest.mark.parametrize("title", ["0" * 200, "0" * 201])
def test_a_duplicate_with_a_long_title_is_made_or_refused_by_name(people, as_user, title):
    source = experiment_make(people)
    response = as_user(people.owner).post(
        f"/api/v1/experiments/{source.pk}/duplicate/", {"title": title}, format="json"
    )
    if len(title) <= 200:
        assert response.status_code == 201, response.content
        assert response.json()["title"] == title
    else:
        assert response.status_code == 400
        assert "title" in response.json()

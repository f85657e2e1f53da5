"""Data loads: followed through the API until they succeed or fail, never written here."""

from django.utils import timezone

from metrics.ingestion.parse import NOT_A_NUMBER
from metrics.ingestion.problems import Problem
from metrics.models import DataLoad
from tests.factories import experiment_make

PROBLEM = Problem(message="'twelve' is not a number", row=3, column="revenue")


def loads_make(people) -> tuple[DataLoad, DataLoad]:
    experiment = experiment_make(people, ready=True)
    running = DataLoad.objects.create(
        experiment=experiment,
        kind="file",
        status="running",
        phase="reading",
        progress_percent=40,
        rows_read=120_000,
        original_name="orders.csv",
        created_by=people.owner,
        started_at=timezone.now(),
    )
    failed = DataLoad.objects.create(
        experiment=experiment,
        kind="push",
        status="failed",
        errors=[PROBLEM.as_dict()],
        errors_more=2,
        payload=[{"secret": "not shown"}],
        finished_at=timezone.now(),
    )
    return running, failed


def test_a_load_shows_its_progress_and_problems(as_user, people):
    running, failed = loads_make(people)
    client = as_user(people.outsider)  # anyone signed in reads
    body = client.get(f"/api/v1/data-loads/{running.pk}/").json()
    assert (body["status"], body["phase"], body["progress_percent"], body["rows_read"]) == (
        "running",
        "reading",
        40,
        120_000,
    )
    assert body["created_by"]["username"] == "owner"
    body = client.get(f"/api/v1/data-loads/{failed.pk}/").json()
    assert body["errors"] == [
        {
            "row": 3,
            "column": "revenue",
            "message": "'twelve' is not a number",
            "text": "data row 3, column `revenue`: 'twelve' is not a number",
        }
    ]
    assert body["errors_more"] == 2 and "payload" not in body
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_loads_are_listed_newest_first_and_filtered(as_user, people):
    running, failed = loads_make(people)
    client = as_user(people.viewer)
    listed = client.get("/api/v1/data-loads/").json()["results"]
    assert [load["id"] for load in listed] == [failed.id, running.id]
    by_status = client.get("/api/v1/data-loads/", {"status": "failed"}).json()["results"]
    assert [load["id"] for load in by_status] == [failed.id]
    assert client.get("/api/v1/data-loads/", {"team": people.other_team.id}).json()["count"] == 0
    response = client.get("/api/v1/data-loads/", {"status": "lost"})
    assert response.status_code == 400
    assert response.json() == {"status": ['"lost" is not a valid choice.']}


def test_an_unknown_load_is_a_json_404(as_user, people):
    response = as_user(people.viewer).get("/api/v1/data-loads/424242/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No DataLoad matches the given query."}


def test_a_problem_reads_in_the_language_the_request_asks_for(as_user, people):
    experiment = experiment_make(people, ready=True)
    problem = Problem(message=NOT_A_NUMBER.format(value="N/A"), row=1204, column="revenue")
    failed = DataLoad.objects.create(
        experiment=experiment, kind="push", status="failed", errors=[problem.as_dict()]
    )
    client = as_user(people.outsider)
    body = client.get(f"/api/v1/data-loads/{failed.pk}/", HTTP_ACCEPT_LANGUAGE="fi").json()
    assert body["errors"] == [
        {
            "row": 1204,
            "column": "revenue",
            "message": "'N/A' ei ole luku",
            "text": "datarivi 1\xa0204, sarake `revenue`: 'N/A' ei ole luku",
        }
    ]
    english = client.get(f"/api/v1/data-loads/{failed.pk}/").json()
    assert english["errors"][0]["text"] == "data row 1,204, column `revenue`: 'N/A' is not a number"
    failed.refresh_from_db()  # stored once, in English with its parameters, read in either
    assert failed.errors[0]["params"] == {"value": "N/A"}

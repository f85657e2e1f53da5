"""SQL data sources, the query an experiment pulls with, and "refresh now", through the API.

Analysts of the owning team write; anyone signed in reads; the connection URL goes in and
never comes out.
"""

import csv
import io

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.services import user_create
from experiments.models import Experiment, MetricRole
from experiments.services.experiments import experiment_metric_attach
from metrics.ingestion.sources import (
    BAD_URL,
    NO_QUERY,
    NOT_RUNNING,
    QUERY_NOT_SELECT,
    data_source_save,
    experiment_query_save,
)
from metrics.ingestion.vault import url_decrypt
from metrics.models import DataLoad, DataSource, ExperimentQuery, MetricKind
from tests.conftest import PASSWORD
from tests.factories import experiment_make, metric_make

SOURCES = "/api/v1/data-sources/"
PASSWORD_IN_URL = "Wh-s3cret-91x"
URL = f"postgresql+psycopg://reader:{PASSWORD_IN_URL}@db.example.com:5432/shop"
SHOWN = "postgresql+psycopg://***@db.example.com:5432/shop"
QUERY = "SELECT user_id, grp, day, converted, revenue, orders FROM outcomes"
MAPPING = {
    "user": "user_id",
    "variant": "grp",
    "date": "day",
    "metrics": {
        "Order conversion": {"column": "converted"},
        "Revenue per order": {"column": "revenue", "denominator": "orders"},
    },
}


def source_url(source) -> str:
    return f"{SOURCES}{source.pk}/"


def sql_url(experiment) -> str:
    return f"/api/v1/experiments/{experiment.pk}/sql-source/"


def refresh_url(experiment) -> str:
    return f"/api/v1/experiments/{experiment.pk}/refresh/"


@pytest.fixture
def source(people) -> DataSource:
    return data_source_save(
        source=DataSource(name="Warehouse", team=people.team), url=URL, user=people.analyst
    )


@pytest.fixture
def experiment(people) -> Experiment:
    """A ready draft measured on order conversion and revenue per order (a ratio)."""
    experiment = experiment_make(people, ready=True)
    experiment_metric_attach(
        experiment=experiment,
        metric=metric_make("Revenue per order", MetricKind.RATIO),
        role=MetricRole.SECONDARY,
        user=people.owner,
    )
    return experiment


def running(experiment: Experiment) -> Experiment:
    Experiment.objects.filter(pk=experiment.pk).update(
        status=Experiment.Status.RUNNING, started_at=timezone.now()
    )
    experiment.refresh_from_db()
    return experiment


def attach(experiment, source, people) -> ExperimentQuery:
    return experiment_query_save(
        experiment=experiment, source=source, query=QUERY, mapping=MAPPING, user=people.analyst
    )


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


# Sources


def test_an_analyst_adds_a_source_and_only_the_shown_url_comes_back(as_user, people):
    body = {"name": "Shop warehouse", "team": people.team.id, "url": URL}
    response = as_user(people.analyst).post(SOURCES, body, format="json")
    assert response.status_code == 201
    saved = DataSource.objects.get()
    assert response.json() == {
        "id": saved.id,
        "name": "Shop warehouse",
        "team": {"id": people.team.id, "name": "Web Growth", "slug": people.team.slug},
        "url_shown": SHOWN,
        "created_by": {"id": people.analyst.id, "username": "analyst", "name": ""},
        "created_at": response.json()["created_at"],
        "updated_at": response.json()["updated_at"],
    }
    assert url_decrypt(saved.url_encrypted) == URL
    assert saved.created_by == people.analyst


def test_a_source_created_twice_with_one_key_is_saved_once(as_user, people):
    client = as_user(people.analyst)
    key = {"HTTP_IDEMPOTENCY_KEY": "warehouse-setup-1"}
    body = {"name": "Shop warehouse", "team": people.team.id, "url": URL}
    first, again = (client.post(SOURCES, body, format="json", **key) for _ in range(2))
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert PASSWORD_IN_URL not in again.content.decode()  # the replay is the answer, not the body
    assert DataSource.objects.count() == 1
    other = client.post(SOURCES, body | {"name": "Other"}, format="json", **key)
    assert other.status_code == 422
    assert list(DataSource.objects.values_list("name", flat=True)) == ["Shop warehouse"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a connection", BAD_URL),
        ("postgresql://reader@db.example.com:port/shop", BAD_URL),
        ("", BAD_URL),
        (None, "This field may not be null."),
    ],
)
def test_a_bad_url_is_named_and_nothing_is_saved(as_user, people, url, message):
    body = {"name": "Shop warehouse", "team": people.team.id, "url": url}
    response = as_user(people.analyst).post(SOURCES, body, format="json")
    assert response.status_code == 400
    assert response.json() == {"url": [message]}
    assert not DataSource.objects.exists()


def test_a_missing_url_name_and_team_are_each_named(as_user, people):
    response = as_user(people.analyst).post(SOURCES, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "name": ["This field is required."],
        "team": ["This field is required."],
        "url": ["This field is required."],
    }


@pytest.mark.parametrize(("who", "status"), [("owner", 403), ("viewer", 403), ("outsider", 403)])
def test_only_an_analyst_of_the_team_adds_a_source(as_user, anonymous, people, who, status):
    body = {"name": "Shop warehouse", "team": people.team.id, "url": URL}
    response = as_user(getattr(people, who)).post(SOURCES, body, format="json")
    assert response.status_code == status
    assert response.json() == {"detail": "Your role does not allow this change."}
    assert anonymous.post(SOURCES, body, format="json").status_code == 401
    assert not DataSource.objects.exists()


def test_an_analyst_may_not_add_a_source_to_another_team(as_user, people):
    body = {"name": "CRM warehouse", "team": people.other_team.id, "url": URL}
    response = as_user(people.analyst).post(SOURCES, body, format="json")
    assert response.status_code == 403
    assert not DataSource.objects.exists()


def test_anyone_signed_in_reads_sources_and_filters_them(as_user, anonymous, people, source):
    client = as_user(people.outsider)
    listed = client.get(SOURCES).json()
    assert [(row["id"], row["url_shown"]) for row in listed["results"]] == [(source.id, SHOWN)]
    assert client.get(source_url(source)).json()["name"] == "Warehouse"
    assert client.get(SOURCES, {"team": people.other_team.id}).json()["count"] == 0
    assert client.get(SOURCES, {"q": "wareh"}).json()["count"] == 1
    assert client.get(SOURCES, {"team": "web"}).json() == {"team": ["A valid integer is required."]}
    assert anonymous.get(SOURCES).status_code == 401


def test_the_csv_export_holds_the_shown_url_only(as_user, people, source):
    response = as_user(people.viewer).get(SOURCES, {"format": "csv"})
    assert response.status_code == 200
    header, row = csv.reader(io.StringIO(body_of(response)))
    assert header == [
        "id",
        "name",
        "team.id",
        "team.name",
        "team.slug",
        "url_shown",
        "created_by.id",
        "created_by.username",
        "created_by.name",
        "created_at",
        "updated_at",
    ]
    assert dict(zip(header, row, strict=True))["url_shown"] == SHOWN


def test_an_update_without_a_url_keeps_the_saved_connection(as_user, people, source):
    client = as_user(people.analyst)
    before = DataSource.objects.get().url_encrypted
    for body in ({"name": "Renamed"}, {"url": ""}):
        response = client.patch(source_url(source), body, format="json")
        assert response.status_code == 200
        assert response.json()["url_shown"] == SHOWN
    source.refresh_from_db()
    assert (source.name, source.url_encrypted) == ("Renamed", before)


def test_an_update_with_a_url_replaces_the_connection(as_user, people, source):
    new = "postgresql+psycopg://writer:other-pw@replica.example.com/shop"
    response = as_user(people.analyst).patch(source_url(source), {"url": new}, format="json")
    assert response.status_code == 200
    assert response.json()["url_shown"] == "postgresql+psycopg://***@replica.example.com/shop"
    assert url_decrypt(DataSource.objects.get().url_encrypted) == new


def test_an_update_with_a_bad_url_is_named_and_changes_nothing(as_user, people, source):
    body = {"name": "Renamed", "url": "warehouse please"}
    response = as_user(people.analyst).patch(source_url(source), body, format="json")
    assert response.status_code == 400
    assert response.json() == {"url": [BAD_URL]}
    saved = DataSource.objects.get()
    assert (saved.name, url_decrypt(saved.url_encrypted)) == ("Warehouse", URL)


def test_who_may_change_or_move_a_source(as_user, people, source):
    outside_analyst = user_create(
        username="outside_analyst", password=PASSWORD, team=people.other_team, role=Role.ANALYST
    )
    for person in (people.owner, people.viewer, outside_analyst):
        response = as_user(person).patch(source_url(source), {"name": "X"}, format="json")
        assert response.status_code == 403
    moved = {"team": people.other_team.id}
    analyst, admin = as_user(people.analyst), as_user(people.admin)
    assert analyst.patch(source_url(source), moved, format="json").status_code == 403
    assert admin.patch(source_url(source), moved, format="json").status_code == 200
    source.refresh_from_db()
    assert (source.name, source.team) == ("Warehouse", people.other_team)


def test_an_unused_source_is_deleted(as_user, people, source):
    assert as_user(people.viewer).delete(source_url(source)).status_code == 403
    assert as_user(people.analyst).delete(source_url(source)).status_code == 204
    assert not DataSource.objects.exists()


def test_a_source_an_experiment_pulls_from_is_kept(as_user, people, source, experiment):
    attach(experiment, source, people)
    response = as_user(people.analyst).delete(source_url(source))
    assert response.status_code == 409
    assert response.json() == {
        "detail": "These experiments pull their data from this source: "
        "Free shipping banner on the cart page."
    }
    assert DataSource.objects.filter(pk=source.pk).exists()


# The experiment's SQL source


def test_an_analyst_attaches_a_query_and_anyone_reads_it(as_user, people, source, experiment):
    assert as_user(people.viewer).get(sql_url(experiment)).json() == {"detail": NO_QUERY}
    body = {"source": source.id, "query": f"  {QUERY};", "mapping": MAPPING}
    response = as_user(people.analyst).put(sql_url(experiment), body, format="json")
    assert response.status_code == 200
    attached = ExperimentQuery.objects.get(experiment=experiment)
    assert (attached.source, attached.query, attached.mapping) == (source, QUERY, MAPPING)
    read = as_user(people.outsider).get(sql_url(experiment))
    assert read.status_code == 200
    assert read.json() == response.json()
    assert read.json()["source"] == {"id": source.id, "name": "Warehouse"}
    assert (read.json()["query"], read.json()["mapping"]) == (QUERY, MAPPING)


def test_options_describe_the_attached_query(as_user, people, experiment):
    response = as_user(people.analyst).options(sql_url(experiment))
    assert response.status_code == 200
    described = response.json()["actions"]["PUT"]
    assert set(described) == {"source", "query", "mapping"}
    assert set(described["mapping"]["children"]) == {"user", "variant", "date", "metrics"}
    assert as_user(people.viewer).options(sql_url(experiment)).status_code == 200


def test_a_second_put_changes_the_attached_query(as_user, people, source, experiment):
    attach(experiment, source, people)
    body = {
        "source": source.id,
        "query": "WITH t AS (SELECT 1) SELECT * FROM t",
        "mapping": {**MAPPING, "variant": "arm"},
    }
    assert as_user(people.analyst).put(sql_url(experiment), body, format="json").status_code == 200
    attached = ExperimentQuery.objects.get(experiment=experiment)
    assert (attached.query, attached.mapping["variant"]) == (body["query"], "arm")


def test_a_statement_that_is_not_a_select_is_named(as_user, people, source, experiment):
    attach(experiment, source, people)
    for query in ("DELETE FROM outcomes", "SELECT 1; DROP TABLE outcomes", "-- SELECT"):
        body = {"source": source.id, "query": query, "mapping": MAPPING}
        response = as_user(people.analyst).put(sql_url(experiment), body, format="json")
        assert response.status_code == 400
        assert response.json() == {"query": [QUERY_NOT_SELECT]}
    assert ExperimentQuery.objects.get().query == QUERY


@pytest.mark.parametrize(
    ("metrics", "error"),
    [
        (
            {"Revenue": {"column": "revenue"}},
            [
                "Not attached to this experiment: “Revenue”; its metrics are "
                "“Order conversion”, “Revenue per order”."
            ],
        ),
        (
            {"Revenue per order": {"column": "revenue"}},
            ["Pick the column for the denominator of Revenue per order."],
        ),
        ({}, ["Pick the column for at least one metric."]),
        (
            {"Order conversion": {"pre": "x"}},
            {"metrics": {"Order conversion": {"column": ["This field is required."]}}},
        ),
    ],
)
def test_a_bad_mapping_is_named_and_nothing_is_saved(
    as_user, people, source, experiment, metrics, error
):
    body = {"source": source.id, "query": QUERY, "mapping": {**MAPPING, "metrics": metrics}}
    response = as_user(people.analyst).put(sql_url(experiment), body, format="json")
    assert response.status_code == 400
    assert response.json() == {"mapping": error}
    assert not ExperimentQuery.objects.exists()


def test_an_unknown_source_and_missing_columns_are_named(as_user, people, experiment):
    body = {"source": 987654, "query": QUERY, "mapping": {"metrics": {}}}
    response = as_user(people.analyst).put(sql_url(experiment), body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "source": ['Invalid pk "987654" - object does not exist.'],
        "mapping": {key: ["This field is required."] for key in ("user", "variant", "date")},
    }


def test_who_may_attach_a_query(as_user, anonymous, people, source, experiment):
    body = {"source": source.id, "query": QUERY, "mapping": MAPPING}
    for person in (people.owner, people.viewer, people.outsider):
        assert as_user(person).put(sql_url(experiment), body, format="json").status_code == 403
    assert anonymous.put(sql_url(experiment), body, format="json").status_code == 401
    # An analyst of another team may neither use this team's source nor change its test.
    theirs = data_source_save(
        source=DataSource(name="CRM", team=people.other_team), url=URL, user=None
    )
    outside_analyst = user_create(
        username="outside_analyst", password=PASSWORD, team=people.other_team, role=Role.ANALYST
    )
    foreign = {**body, "source": theirs.id}
    assert (
        as_user(people.analyst).put(sql_url(experiment), foreign, format="json").status_code == 403
    )
    assert (
        as_user(outside_analyst).put(sql_url(experiment), foreign, format="json").status_code == 403
    )
    assert not ExperimentQuery.objects.exists()


# Refresh now


def test_refresh_queues_a_sql_load_to_follow(as_user, people, source, experiment):
    attach(running(experiment), source, people)
    response = as_user(people.owner).post(refresh_url(experiment))
    assert response.status_code == 202
    load = DataLoad.objects.get()
    assert (load.experiment, load.kind, load.created_by) == (experiment, "sql", people.owner)
    assert (response.json()["id"], response.json()["status"]) == (load.id, "queued")
    assert response["Location"] == f"/api/v1/data-loads/{load.id}/"
    again = as_user(people.owner).post(refresh_url(experiment))  # the first one still waits
    assert (again.status_code, again.json()["id"]) == (202, load.id)
    assert DataLoad.objects.count() == 1


def test_refresh_of_a_draft_or_a_test_without_sql_is_a_400(as_user, people, source, experiment):
    client = as_user(people.owner)
    attach(experiment, source, people)
    response = client.post(refresh_url(experiment))
    assert (response.status_code, response.json()) == (400, {"non_field_errors": [NOT_RUNNING]})
    ExperimentQuery.objects.all().delete()
    response = client.post(refresh_url(running(experiment)))
    assert (response.status_code, response.json()) == (400, {"non_field_errors": [NO_QUERY]})
    assert not DataLoad.objects.exists()


def test_refresh_is_refused_to_viewer_outsider_and_anonymous(
    as_user, anonymous, people, source, experiment
):
    attach(running(experiment), source, people)
    assert as_user(people.viewer).post(refresh_url(experiment)).status_code == 403
    assert as_user(people.outsider).post(refresh_url(experiment)).status_code == 403
    assert anonymous.post(refresh_url(experiment)).status_code == 401
    assert not DataLoad.objects.exists()


def test_refresh_is_throttled_as_an_expensive_action(as_user, people, source, experiment, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        # An hour's window: the requests never straddle two windows.
        "DEFAULT_THROTTLE_RATES": {
            "user": "1000/minute",
            "export": "1000/minute",
            "expensive": "2/hour",
        },
    }
    attach(running(experiment), source, people)
    client = as_user(people.owner)
    statuses = [client.post(refresh_url(experiment)).status_code for _ in range(3)]
    assert statuses == [202, 202, 429]


# The secret


def test_no_answer_contains_the_password_or_the_url(as_user, people, experiment):
    analyst = as_user(people.analyst)
    body = {"name": "Shop warehouse", "team": people.team.id, "url": URL}
    created = analyst.post(SOURCES, body, format="json")
    source_id = created.json()["id"]
    attached = analyst.put(
        sql_url(experiment),
        {"source": source_id, "query": QUERY, "mapping": MAPPING},
        format="json",
    )
    answers = [
        created,
        analyst.patch(f"{SOURCES}{source_id}/", {"url": URL}, format="json"),
        analyst.post(SOURCES, {**body, "team": "nope"}, format="json"),  # a 400 echoes nothing
        attached,
        analyst.get(SOURCES),
        analyst.get(f"{SOURCES}{source_id}/"),
        analyst.get(SOURCES, {"format": "csv"}),
        analyst.get(SOURCES, HTTP_ACCEPT="text/csv"),
        analyst.get(sql_url(experiment)),
        analyst.post(refresh_url(running(experiment))),
        analyst.get("/api/v1/data-loads/"),
        analyst.get("/api/v1/schema/"),
        analyst.get("/api/v1/schema/?format=json"),
    ]
    assert [a.status_code for a in answers] == [201, 200, 400, 200, *[200] * 5, 202, 200, 200, 200]
    for answer in answers:
        text = body_of(answer)
        assert PASSWORD_IN_URL not in text
        assert URL not in text and "reader:" not in text and "reader@" not in text

"""The authorisation matrix, generated from the URL configuration under /api/v1/.

Every write and action × {another team's marketer, a viewer, anonymous} is refused and
leaves the database as it was; then the person the rule allows sends the same request and
is not refused, so a refusal can only have come from the role. Every export is refused to
anonymous callers and open to anyone signed in (full transparency). The world holds a data
source whose password no answer of any route, read, write or export, may contain.
"""

import pytest
from django.urls import URLPattern, URLResolver

from accounts.models import Team
from analysis.models import AnalysisRun
from experiments.models import (
    ChecklistItem,
    CustomFieldValue,
    Experiment,
    ExperimentMetric,
    ExperimentTemplate,
    HistoryEntry,
    Idea,
    SignoffPolicy,
    SignoffRequest,
    Tag,
    Variant,
)
from experiments.services.ideas import idea_create
from experiments.services.signoff import signoff_request
from experiments.services.templates import template_save
from growthlab import api
from growthlab.rest.export import CSVExportMixin
from metrics.ingestion.sources import data_source_save, experiment_query_save
from metrics.models import DataLoad, DataSource, ExperimentQuery, Metric, OutcomeCohort
from sprints.models import Sprint
from tests.factories import experiment_make, idea_make, metric_make

WRITE_METHODS = ("post", "put", "patch", "delete")
TWO_VARIANTS = (
    {"name": "A", "is_control": True, "traffic_share": 50},
    {"name": "B", "is_control": False, "traffic_share": 50},
)
SECRET = "Matrix-pa55word-7f3c"
WAREHOUSE_URL = f"postgresql+psycopg://reader:{SECRET}@warehouse.example.com:5432/shop"
QUERY_MAPPING = {
    "user": "user_id",
    "variant": "grp",
    "date": "day",
    "metrics": {"Order conversion": {"column": "converted"}},
}
# Computing a p-value or a sample size writes nothing: the calculator is a read.
READ_ONLY_POSTS = {"significance", "sample-size"}
# A body that the person allowed to write would have accepted, per route name.
BODIES = {
    "idea-list": lambda w: {"team": w["team"], "title": "A new idea"},
    "idea-detail": lambda w: {"title": "Renamed idea"},
    "idea-experiment": lambda w: {},
    "experiment-list": lambda w: {"team": w["team"], "title": "A new test"},
    "experiment-detail": lambda w: {"title": "Renamed test"},
    "experiment-plan": lambda w: {
        "plan_baseline": 0.05,
        "mde_relative": 10,
        "plan_daily_traffic": 4000,
    },
    "experiment-transition": lambda w: {},
    "experiment-conclude": lambda w: {
        "decision": "ship",
        "learning": "It worked.",
        "reason": "Judgement.",
    },
    "variant-list": lambda w: {"name": "C", "traffic_share": "10.00"},
    "variant-detail": lambda w: {"name": "Z"},
    "attached-metric-list": lambda w: {"metric": w["spare_metric"], "role": "secondary"},
    "attached-metric-detail": lambda w: {},
    "metric-list": lambda w: {"name": "New metric", "kind": "mean", "team": w["team"]},
    "metric-detail": lambda w: {"name": "Renamed metric"},
    "analysis-run-list": lambda w: {},
    "data-source-list": lambda w: {"team": w["team"], "name": "CRM mart", "url": WAREHOUSE_URL},
    "data-source-detail": lambda w: {"name": "Renamed warehouse", "url": WAREHOUSE_URL},
    "experiment-sql-source": lambda w: {
        "source": w["data_source"],
        "query": "SELECT user_id, grp, day, converted FROM orders",
        "mapping": QUERY_MAPPING,
    },
    "experiment-refresh": lambda w: {},
    "sprint-review-close": lambda w: {"review_notes": "We learnt a lot."},
    "experiment-duplicate": lambda w: {"title": "Second round"},
    "signoff-list": lambda w: {"kind": "start"},
    "signoff-approve": lambda w: {},
    "signoff-refuse": lambda w: {"reason": "Overlaps the spring sale."},
    "template-experiment": lambda w: {"team": w["team"], "title": "From the template"},
    "aggregates_push": lambda w: {
        "aggregates": [
            {
                "date": "2025-01-06",
                "variant": v,
                "metric": "Order conversion",
                "users": 100,
                "conversions": 7,
            }
            for v in ("A", "B")
        ]
    },
}
# Who may make each write: conclusions need a team lead, metrics an analyst.
ALLOWED = {
    "experiment-conclude": "lead",
    "sprint-review-close": "lead",
    "metric-list": "analyst",
    "metric-detail": "analyst",
    "data-source-list": "analyst",
    "data-source-detail": "analyst",
    "experiment-sql-source": "analyst",
    "signoff-approve": "lead",
    "signoff-refuse": "lead",
}


def routes(patterns=None, prefix="/api/v1/"):
    """(route, name, view class) for every view under /api/v1/."""
    for entry in api.urlpatterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and hasattr(entry.callback, "view_class"):
            yield prefix + str(entry.pattern), entry.name, entry.callback.view_class


WRITES = [
    pytest.param(route, name, method, id=f"{method.upper()} {route}")
    for route, name, view in routes()
    for method in WRITE_METHODS
    if hasattr(view, method) and name not in READ_ONLY_POSTS
]
READS = [pytest.param(route, id=route) for route, name, view in routes() if hasattr(view, "get")]
EXPORTS = [
    pytest.param(route, id=route)
    for route, name, view in routes()
    if issubclass(view, CSVExportMixin)
]


@pytest.fixture
def world(people):
    """One object of every kind, owned by people.team."""
    experiment = experiment_make(people, ready=True)
    guardrail = metric_make("Returns", team=people.team)
    link = ExperimentMetric.objects.create(
        experiment=experiment, metric=guardrail, role="guardrail"
    )
    sprint = Sprint.objects.create(
        team=people.team, number=1, starts_on="2025-01-06", ends_on="2025-01-26"
    )
    source = data_source_save(
        source=DataSource(name="Warehouse", team=people.team), url=WAREHOUSE_URL, user=None
    )
    experiment_query_save(
        experiment=experiment,
        source=source,
        query="SELECT * FROM orders",
        mapping=QUERY_MAPPING,
        user=None,
    )
    load = DataLoad.objects.create(experiment=experiment, kind="sql", status="queued")
    SignoffPolicy.objects.create(team=people.team, before_start=True)
    signoff = signoff_request(experiment=experiment, user=people.owner, kind="start")
    template = template_save(
        template=ExperimentTemplate(team=people.team),
        user=people.lead,
        data={"name": "Checkout template", "variants": list(TWO_VARIANTS)},
        metrics=[(guardrail, "guardrail")],
    )
    return {
        "templates": template.id,
        "signoff_pk": signoff.id,
        "team": people.team.id,
        "ideas": idea_make(people).id,
        "experiments": experiment.id,
        "metrics": guardrail.id,
        "sprints": sprint.id,
        "teams": people.team.id,
        "variant_pk": experiment.variants.get(is_control=False).id,
        "link_pk": link.id,
        "spare_metric": metric_make("Spare", team=people.team).id,
        "data-sources": source.id,
        "data_source": source.id,
        "data-loads": load.id,
        "other_team": people.other_team.id,
        "foreign_idea": idea_create(
            team=people.other_team, author=people.outsider, data={"title": "CRM's idea"}
        ).id,
        "foreign_person": people.outsider.id,
        "foreign_source": data_source_save(
            source=DataSource(name="CRM warehouse", team=people.other_team),
            url=WAREHOUSE_URL,
            user=None,
        ).id,
    }


def concrete(route: str, world: dict) -> str:
    resource = route.removeprefix("/api/v1/").split("/")[0]
    return (
        route.replace("<int:pk>", str(world.get(resource)))
        .replace("<int:variant_pk>", str(world["variant_pk"]))
        .replace("<int:link_pk>", str(world["link_pk"]))
        .replace("<int:signoff_pk>", str(world["signoff_pk"]))
        .replace("<str:action>", "start")
    )


def database_state() -> list:
    models = (
        Team,
        Idea,
        Experiment,
        Variant,
        ExperimentMetric,
        HistoryEntry,
        Metric,
        Tag,
        Sprint,
        DataLoad,
        OutcomeCohort,
        AnalysisRun,
        DataSource,
        ExperimentQuery,
        ExperimentTemplate,
        SignoffRequest,
        ChecklistItem,
        CustomFieldValue,
    )
    return [sorted(map(repr, model.objects.values())) for model in models]


def send(client, method: str, url: str, body: dict):
    response = getattr(client, method)(url, body, format="json")
    assert_no_credential(response)
    return response


def assert_no_credential(response) -> None:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert SECRET.encode() not in body
    assert b"reader:" not in body and b"reader@" not in body


@pytest.mark.parametrize(("route", "name", "method"), WRITES)
def test_write_is_refused_to_outsider_viewer_and_anonymous(
    route, name, method, world, people, as_user, anonymous
):
    assert name in BODIES, f"{route} is new: give it a body in BODIES"
    url, body = concrete(route, world), BODIES[name](world)
    before = database_state()
    for client, status in (
        (as_user(people.outsider), 403),
        (as_user(people.viewer), 403),
        (anonymous, 401),
    ):
        response = send(client, method, url, body)
        assert response.status_code == status, response.content
        assert "detail" in response.json()
        assert database_state() == before
    allowed = getattr(people, ALLOWED.get(name, "owner"))
    assert send(as_user(allowed), method, url, body).status_code not in (401, 403, 404)


@pytest.mark.parametrize("route", EXPORTS)
def test_export_is_refused_to_anonymous_and_open_to_readers(
    route, world, people, as_user, anonymous
):
    url = concrete(route, world) + "?format=csv"
    response = anonymous.get(url)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    for reader in (people.viewer, people.outsider):
        response = as_user(reader).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert_no_credential(response)


@pytest.mark.parametrize("route", READS)
def test_no_read_shows_a_credential(route, world, people, as_user):
    response = as_user(people.admin).get(concrete(route, world))
    assert response.status_code == 200
    assert_no_credential(response)


def test_the_matrix_covers_every_kind_of_write():
    names = {param.values[1] for param in WRITES}
    assert names == set(BODIES)


# Bodies naming an object of another team (its team itself, its idea, a person outside the
# team as owner, its data source), per route: even the person allowed to write the route's own
# object is refused, 400 naming the field or 403, and the database stays as it was.
FOREIGN = {
    "idea-list": [lambda w: ({"team": w["other_team"], "title": "An idea"}, 403, "detail")],
    "experiment-list": [
        lambda w: ({"team": w["other_team"], "title": "A test"}, 403, "detail"),
        lambda w: ({"team": w["team"], "title": "A test", "idea": w["foreign_idea"]}, 400, "idea"),
        lambda w: (
            {"team": w["team"], "title": "A test", "owner": w["foreign_person"]},
            400,
            "owner",
        ),
    ],
    "experiment-detail": [lambda w: ({"owner": w["foreign_person"]}, 400, "owner")],
    "metric-list": [
        lambda w: ({"name": "M", "kind": "mean", "team": w["other_team"]}, 403, "detail"),
        lambda w: (
            {"name": "M", "kind": "mean", "team": w["team"], "owner": w["foreign_person"]},
            400,
            "owner",
        ),
    ],
    "metric-detail": [
        lambda w: ({"team": w["other_team"]}, 403, "detail"),
        lambda w: ({"owner": w["foreign_person"]}, 400, "owner"),
    ],
    "data-source-list": [
        lambda w: ({"team": w["other_team"], "name": "X", "url": WAREHOUSE_URL}, 403, "detail")
    ],
    "data-source-detail": [lambda w: ({"team": w["other_team"]}, 403, "detail")],
    "template-experiment": [
        lambda w: ({"team": w["other_team"], "title": "A test"}, 403, "detail"),
    ],
    "experiment-sql-source": [
        lambda w: (
            {"source": w["foreign_source"], "query": "SELECT 1", "mapping": QUERY_MAPPING},
            403,
            "detail",
        )
    ],
}
# Routes whose body names no object that belongs to a team. Attached metrics come from the
# shared catalogue, which every team reads and measures with (as on the page).
NO_RELATED_OBJECT = {
    "idea-detail",
    "idea-experiment",
    "experiment-plan",
    "experiment-transition",
    "experiment-conclude",
    "variant-list",
    "variant-detail",
    "attached-metric-list",
    "attached-metric-detail",
    "analysis-run-list",
    "experiment-refresh",
    "sprint-review-close",
    "aggregates_push",
    "experiment-duplicate",
    "signoff-list",
    "signoff-approve",
    "signoff-refuse",
}
RELATED_WRITES = [
    pytest.param(route, name, method, case, id=f"{method.upper()} {route} #{case}")
    for route, name, method in (param.values for param in WRITES)
    if method != "delete"  # names nothing but the object in its URL
    for case in range(len(FOREIGN.get(name, [])))
]


@pytest.mark.parametrize(("route", "name", "method", "case"), RELATED_WRITES)
def test_a_write_naming_another_teams_object_is_refused(
    route, name, method, case, world, people, as_user
):
    url = concrete(route, world)
    body, status, field = FOREIGN[name][case](world)
    before = database_state()
    allowed = as_user(getattr(people, ALLOWED.get(name, "owner")))
    response = send(allowed, method, url, body)
    assert response.status_code == status, response.content
    assert field in response.json()
    assert database_state() == before


def test_every_write_is_checked_for_the_objects_it_names():
    names = {param.values[1] for param in WRITES}
    assert names == set(FOREIGN) | NO_RELATED_OBJECT
    assert not set(FOREIGN) & NO_RELATED_OBJECT


def test_a_teammate_may_own_the_teams_test(world, people, as_user):
    response = as_user(people.owner).patch(
        f"/api/v1/experiments/{world['experiments']}/", {"owner": people.viewer.id}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["owner"]["id"] == people.viewer.id

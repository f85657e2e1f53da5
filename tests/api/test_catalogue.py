from datetime import date

import pytest

from metrics.models import Metric
from sprints.models import Sprint
from tests.factories import metric_make

METRICS = "/api/v1/metrics/"


def test_analyst_creates_a_metric_under_a_parent(as_user, people):
    parent = metric_make("Orders per visitor")
    body = {
        "name": "Checkout conversion",
        "kind": "binomial",
        "parent": parent.id,
        "team": people.team.id,
        "baseline_value": 0.3,
    }
    response = as_user(people.analyst).post(METRICS, body, format="json")
    assert response.status_code == 201
    metric = Metric.objects.get(name="Checkout conversion")
    assert metric.parent == parent
    assert as_user(people.viewer).get(f"{METRICS}{parent.id}/").json()["children"] == [metric.id]


def test_marketer_may_not_create_a_metric(as_user, people):
    body = {"name": "Clicks", "kind": "mean", "team": people.team.id}
    response = as_user(people.owner).post(METRICS, body, format="json")
    assert response.status_code == 403
    assert not Metric.objects.exists()


def test_binomial_baseline_outside_0_1_names_the_rule(as_user, people):
    body = {"name": "Bad rate", "kind": "binomial", "team": people.team.id, "baseline_value": 3}
    response = as_user(people.analyst).post(METRICS, body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["A conversion baseline is a rate between 0 and 1."]
    }
    assert not Metric.objects.exists()


def test_a_cycle_in_the_kpi_tree_is_refused_by_field(as_user, people):
    top = metric_make("Revenue", team=people.team)
    below = metric_make("Orders", team=people.team, parent=top)
    url = f"{METRICS}{top.id}/"
    response = as_user(people.analyst).patch(url, {"parent": below.id}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "parent": ["Orders sits below Revenue in the KPI tree, so it cannot also be its parent."]
    }
    top.refresh_from_db()
    assert top.parent is None


def test_kpi_tree_nests_children_under_roots(as_user, people):
    top = metric_make("Revenue")
    metric_make("Orders", parent=top)
    tree = as_user(people.viewer).get(f"{METRICS}tree/").json()
    assert [(node["name"], [c["name"] for c in node["children"]]) for node in tree] == [
        ("Revenue", ["Orders"])
    ]


def test_significance_calculator_returns_the_engines_answer(as_user, people):
    body = {
        "metric_type": "binomial",
        "variants": [
            {"name": "control", "n": 10000, "conversions": 500},
            {"name": "treatment", "n": 10000, "conversions": 600},
        ],
    }
    response = as_user(people.viewer).post("/api/v1/calculator/significance/", body, format="json")
    assert response.status_code == 200
    comparison = response.json()["comparisons"][0]
    assert comparison["variant"] == "treatment"
    assert (
        comparison["absolute"]["estimate"] == 0.01
        or abs(comparison["absolute"]["estimate"] - 0.01) < 1e-12
    )


def test_calculator_names_the_bad_field(as_user, people):
    body = {
        "metric_type": "binomial",
        "variants": [
            {"name": "control", "n": 100, "conversions": 5},
            {"name": "treatment", "n": "many", "conversions": 6},
        ],
    }
    response = as_user(people.viewer).post("/api/v1/calculator/significance/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["variants[1].n"]


def test_sample_size_calculator(as_user, people):
    body = {
        "metric_type": "binomial",
        "baseline_rate": 0.05,
        "mde_relative": 0.1,
        "daily_traffic": 4000,
    }
    response = as_user(people.viewer).post("/api/v1/calculator/sample-size/", body, format="json")
    assert response.status_code == 200
    assert response.json()["days"] == -(-response.json()["total"] // 4000)
    body["mde_relative"] = "big"
    response = as_user(people.viewer).post("/api/v1/calculator/sample-size/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["mde_relative"]


def test_teams_list_members_with_roles(as_user, people):
    body = as_user(people.viewer).get(f"/api/v1/teams/{people.team.id}/").json()
    assert {(m["user"]["username"], m["role"]) for m in body["members"]} == {
        ("owner", "marketer"),
        ("teammate", "marketer"),
        ("lead", "team_lead"),
        ("analyst", "analyst"),
        ("viewer", "viewer"),
    }


def test_sprints_are_listed_and_filtered(as_user, people):
    sprint = Sprint.objects.create(
        team=people.team,
        number=4,
        goal="Lift checkout",
        starts_on=date(2025, 3, 3),
        ends_on=date(2025, 3, 23),
    )
    client = as_user(people.viewer)
    body = client.get("/api/v1/sprints/", {"team": people.team.id}).json()
    assert [(row["id"], row["length_days"]) for row in body["results"]] == [(sprint.id, 21)]
    assert client.get("/api/v1/sprints/", {"status": "frozen"}).status_code == 400


HUGE = int("9" * 401)


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (
            "/api/v1/calculator/sample-size/",
            {"metric_type": "binomial", "baseline_rate": HUGE, "mde_relative": 0.1},
            "baseline_rate",
        ),
        (
            "/api/v1/calculator/sample-size/",
            {
                "metric_type": "binomial",
                "baseline_rate": 0.05,
                "mde_relative": 0.1,
                "daily_traffic": HUGE,
            },
            "daily_traffic",
        ),
        (
            "/api/v1/calculator/significance/",
            {
                "metric_type": "binomial",
                "variants": [
                    {"name": "A", "n": HUGE, "conversions": 5},
                    {"name": "B", "n": 100, "conversions": 6},
                ],
            },
            "variants[0].n",
        ),
        (
            "/api/v1/calculator/significance/",
            {
                "metric_type": "mean",
                "variants": [
                    {"name": "A", "n": 100, "sum": 5.0, "sum_squares": HUGE},
                    {"name": "B", "n": 100, "sum": 6.0, "sum_squares": 900.0},
                ],
            },
            "variants[0].sum_squares",
        ),
        (
            "/api/v1/calculator/sample-size/",
            {
                "metric_type": "binomial",
                "baseline_rate": 0.05,
                "mde_relative": 0.1,
                "sprint_days": 10**9,
            },
            "sprint_days",
        ),
    ],
)
def test_a_number_out_of_range_is_a_400_naming_it(as_user, people, url, body, field):
    response = as_user(people.viewer).post(url, body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == [field]


def test_the_calculator_bodies_are_documented_field_by_field(as_user, people):
    schema = as_user(people.viewer).get("/api/v1/schema/", {"format": "json"}).json()
    bodies = schema["components"]["schemas"]
    sample_size = bodies["SampleSizeInputRequest"]["properties"]
    assert sample_size["baseline_rate"]["maximum"] == 1
    assert "fraction" in sample_size["baseline_rate"]["description"]
    variant = bodies["VariantTotalsRequest"]["properties"]
    assert variant["n"]["maximum"] == 10**12
    operation = schema["paths"]["/api/v1/calculator/significance/"]["post"]
    reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert reference.endswith("/SignificanceInputRequest")

"""The flat results: one row per experiment x variant x metric of the latest good analysis."""

import io
from datetime import timedelta

import pandas as pd
import pytest
from django.utils import timezone

from analysis.models import AnalysisResult, AnalysisRun
from experiments.models import MetricRole
from experiments.services.experiments import experiment_metric_attach
from metrics.models import Metric, MetricKind
from tests.analysis.data import cohorts_write, fail_runs
from tests.api.analysed import analyse, analysed_experiment
from tests.api.conftest import queries_for

URL = "/api/v1/results/"


def rows_by(response) -> dict:
    return {(r["metric"].split()[0], r["variant"]): r for r in response.json()["results"]}


def test_each_variant_and_metric_is_a_row_with_its_numbers(as_user, people):
    experiment = analysed_experiment(people)
    response = as_user(people.viewer).get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 4
    rows = rows_by(response)
    treatment = rows[("Order", "B")]
    # 5 days x 1,000 users; B converts 60 a day (6%), A 50 (5%).
    assert (treatment["n"], treatment["value"]) == (5000, pytest.approx(0.06))
    assert treatment["absolute_effect"] == pytest.approx(0.01)
    assert treatment["relative_effect"] == pytest.approx(0.2)
    assert treatment["relative_ci_lower"] < 0.2 < treatment["relative_ci_upper"]
    # 300/5000 against 250/5000: z = 2.19 unpooled, so p = 0.0284 before correction.
    assert treatment["p_value"] == pytest.approx(0.0284, abs=5e-4)
    assert treatment["p_value"] <= treatment["p_value_adjusted"] <= 1
    assert treatment["p_value"] < treatment["sequential_p_value"] <= 1
    assert 0.5 < treatment["chance_to_win"] < 1
    assert (treatment["experiment_id"], treatment["team"]) == (experiment.id, "Web Growth")
    assert treatment["sequential"] is True and treatment["method"] == "unpooled_z/sequential"
    control = rows[("Order", "A")]
    assert (control["status"], control["absolute_effect"], control["value"]) == (
        "control",
        None,
        pytest.approx(0.05),
    )
    assert rows[("Revenue", "B")]["value"] == pytest.approx(104.0)
    stored = AnalysisResult.objects.get(
        experiment=experiment, variant__name="B", metric__name="Order conversion"
    )
    assert treatment["verdict"] == stored.verdict and treatment["run_id"] == stored.run_id


def test_only_the_latest_successful_run_is_listed(as_user, people):
    experiment = analysed_experiment(people)
    first = AnalysisRun.objects.get(experiment=experiment)
    later = timezone.localdate() + timedelta(days=10)  # two more days, after the first five
    cohorts_write(experiment, days=2, first=later, b_conversions=90)
    second = analyse(experiment, people.owner)
    fail_runs(experiment, 1, hours_ago=-1)  # a failure after it hides nothing
    rows = as_user(people.viewer).get(URL).json()["results"]
    assert {r["run_id"] for r in rows} == {second.id} != {first.id}
    assert len(rows) == 4
    assert rows_by_variant(rows)["B"]["n"] == 7000


def rows_by_variant(rows: list) -> dict:
    return {r["variant"]: r for r in rows if r["metric"] == "Order conversion"}


def test_filters_narrow_the_rows_and_a_malformed_one_is_named(as_user, people):
    analysed_experiment(people, title="Free shipping banner")
    other = analysed_experiment(people, title="Checkout in one step")
    client = as_user(people.viewer)
    by_text = client.get(URL, {"q": "checkout"}).json()["results"]
    assert {r["experiment_id"] for r in by_text} == {other.id} and len(by_text) == 4
    metric = other.experiment_metrics.get(role="secondary").metric_id
    by_metric = client.get(URL, {"metric": metric}).json()["results"]
    assert [(r["metric"], r["variant"]) for r in by_metric] == [
        ("Revenue", "A"),
        ("Revenue", "B"),
    ] * 2
    assert client.get(URL, {"team": people.other_team.id}).json()["count"] == 0
    assert client.get(URL, {"status": "running", "role": "primary"}).json()["count"] == 4
    response = client.get(URL, {"computed_after": "yesterday"})
    assert response.status_code == 400
    assert response.json() == {
        "computed_after": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
    }


def test_pandas_reads_the_csv_with_numbers_as_numbers_and_formulas_neutralised(as_user, people):
    analysed_experiment(people, title='=HYPERLINK("http://evil.example","win")')
    response = as_user(people.viewer).get(URL, {"format": "csv"})
    assert response.status_code == 200 and response.streaming
    frame = pd.read_csv(io.BytesIO(b"".join(response.streaming_content)))
    assert len(frame) == 4
    for column in ("n", "experiment_id", "run_id"):
        assert frame[column].dtype == "int64", column
    for column in ("value", "relative_effect", "p_value", "chance_to_win", "alpha"):
        assert frame[column].dtype == "float64", column
    assert frame["is_control"].dtype == "bool"
    assert set(frame["experiment"]) == {'\'=HYPERLINK("http://evil.example","win")'}
    treatment = frame[(frame["variant"] == "B") & (frame["metric"] == "Order conversion")]
    assert treatment["relative_effect"].item() == pytest.approx(0.2)
    assert pd.to_datetime(frame["computed_at"]).notna().all()


def test_query_count_is_constant_in_the_page_size(as_user, people):
    client = as_user(people.viewer)
    analysed_experiment(people)
    one = queries_for(client, URL, {"page_size": 100})
    for number in range(4):
        analysed_experiment(people, title=f"Test {number}")
    assert client.get(URL).json()["count"] == 20
    assert queries_for(client, URL, {"page_size": 100}) == one


def test_rows_list_primary_then_secondary_then_guardrail_metrics(as_user, people):
    experiment = analysed_experiment(people)
    guardrail, _ = Metric.objects.get_or_create(name="Average order value", kind=MetricKind.MEAN)
    experiment_metric_attach(
        experiment=experiment, metric=guardrail, role=MetricRole.GUARDRAIL, user=people.owner
    )
    analyse(experiment, people.owner)
    rows = as_user(people.viewer).get(URL).json()["results"]
    assert [(row["metric"], row["variant"]) for row in rows] == [
        ("Order conversion", "A"),
        ("Order conversion", "B"),
        ("Revenue", "A"),
        ("Revenue", "B"),
        ("Average order value", "A"),
        ("Average order value", "B"),
    ]


def test_a_page_out_of_range_or_not_a_number_is_a_404_naming_it(as_user, people):
    analysed_experiment(people)
    client = as_user(people.viewer)
    response = client.get(URL, {"page": 3})
    assert response.status_code == 404
    assert response.json() == {"detail": "Page 3 does not exist: That page contains no results"}
    response = client.get(URL, {"page": "two"})
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Page two does not exist: That page number is not an integer"
    }
    second = client.get(URL, {"page": 2, "page_size": 3}).json()
    assert (second["count"], len(second["results"]), second["next"]) == (4, 1, None)

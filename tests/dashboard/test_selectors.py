"""Stored analysis runs read back for the dashboard: the real pipeline, run in-process."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analysis.models import AnalysisRun, RunStatus
from analysis.services.runs import analysis_request
from dashboard import selectors
from experiments.models import Experiment, MetricRole
from experiments.services.experiments import experiment_metric_attach
from experiments.services.lifecycle import experiment_transition
from metrics.models import MetricKind
from tests.analysis.data import cohorts_write
from tests.factories import experiment_make, metric_make


@pytest.fixture
def analysed(people, django_capture_on_commit_callbacks):
    """A running test, 5 days of 1,000 users a day per arm, analysed once (2 × 2 × 5 rows)."""
    experiment = experiment_make(people, ready=True)
    experiment_metric_attach(
        experiment=experiment,
        metric=metric_make("Revenue", MetricKind.MEAN),
        role=MetricRole.SECONDARY,
        user=people.owner,
    )
    experiment = experiment_transition(experiment=experiment, user=people.owner, action="start")
    cohorts_write(experiment, b_conversions=80)
    with django_capture_on_commit_callbacks(execute=True):
        analysis_request(experiment=experiment, trigger="manual")
    return experiment


def test_latest_result_holds_each_metric_with_its_output_and_daily_series(analysed):
    results = selectors.latest_result_for(analysed)
    names = sorted(m.name for m in results.metrics)
    assert names == ["Order conversion", "Revenue"]
    conversion = next(m for m in results.metrics if m.name == "Order conversion")
    assert conversion.result.variants[0].value == pytest.approx(0.05)
    assert next(iter(conversion.series)) == conversion.result.control  # control first
    assert [p["n"] for p in next(iter(conversion.series.values()))] == [
        1000,
        2000,
        3000,
        4000,
        5000,
    ]
    assert results.computed_at is not None and results.failure == ""


def test_a_failed_run_after_the_success_is_reported_beside_it(analysed):
    success = AnalysisRun.objects.get(experiment=analysed, status=RunStatus.SUCCEEDED)
    later = success.finished_at + timedelta(minutes=5)
    AnalysisRun.objects.create(
        experiment=analysed,
        status=RunStatus.FAILED,
        fingerprint="x",
        trigger="schedule",
        queued_at=later,
        sent_at=later,
        finished_at=later,
        error="The warehouse did not answer.",
    )
    results = selectors.latest_result_for(analysed)
    assert results.failure == "The warehouse did not answer."
    assert len(results.metrics) == 2  # the last good answer stays


def test_outputs_of_many_experiments_come_in_one_query(analysed, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = selectors.outputs_by_experiment([analysed.pk, 999999])
    assert list(found) == [analysed.pk]
    assert sorted(o.metric_name for o in found[analysed.pk]) == ["Order conversion", "Revenue"]


def test_the_results_page_draws_from_stored_runs(analysed, client, people):
    client.force_login(people.viewer)
    response = client.get(reverse("experiment:results", args=[analysed.pk]))
    assert response.status_code == 200
    assert {"forest-m0", "forest-m1", "traffic"} <= set(response.context["figures"])
    summary = " ".join(response.content.decode().split())
    assert "Tracking pipeline push: 10,000 users read, 2 variants, 5 exposure days" in summary


def test_the_daily_table_reads_rates_in_percent_and_the_correction_by_its_name(
    analysed, client, people
):
    client.force_login(people.viewer)
    page = client.get(reverse("experiment:results", args=[analysed.pk])).content.decode()
    # A converts 50 of each day's 1,000 users: 5.00 %, not 0.05.
    assert '<th scope="col" class="number">A rate %</th>' in page
    assert '<tr><th scope="row">' in page and '<td class="number">5.00</td>' in page
    assert '<th scope="col" class="number">A value</th>' not in page
    assert "p-values corrected for 2 metrics (Holm)" in page


def test_the_experiment_list_and_team_page_badge_a_running_winner(
    people, client, django_capture_on_commit_callbacks
):
    # 5% against 8% of 7,000 users each over a week, as planned: a clear win.
    experiment = experiment_make(people, ready=True)
    experiment = experiment_transition(experiment=experiment, user=people.owner, action="start")
    Experiment.objects.filter(pk=experiment.pk).update(plan_sample_size_per_variant=7000)
    cohorts_write(experiment, days=7, b_conversions=80)
    with django_capture_on_commit_callbacks(execute=True):
        analysis_request(experiment=experiment, trigger="manual")
    analysed = experiment
    client.force_login(people.viewer)
    badge = f'href="/experiments/{analysed.pk}/results/" data-testid="result-badge">Ship now</a>'
    assert badge in client.get(reverse("experiments:experiment_list")).content.decode()
    team_page = client.get(reverse("experiments:team_detail", args=[people.team.slug]))
    assert badge in team_page.content.decode()


def test_badges_cost_one_query_however_many_tests_are_listed(analysed, client, people):
    client.force_login(people.viewer)
    url = reverse("experiments:experiment_list")
    client.get(url)  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def badge_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return sum("analysis_analysisresult" in q["sql"] for q in queries.captured_queries)

    one = badge_queries()
    another = experiment_make(people, title="A second running test")
    type(another).objects.filter(pk=another.pk).update(status="running", started_at=timezone.now())
    assert one == badge_queries() == 1

"""The scheduled refresh: a fingerprint in one query, a change of any input analysed again,
an unchanged test skipped and counted on its last run."""

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from analysis.models import AnalysisResult, AnalysisRun, AnalysisSettings
from analysis.services import team_defaults_update
from analysis.services.inputs import inputs_fingerprint
from analysis.services.runs import latest_success
from analysis.services.schedule import analysis_schedule
from analysis.tasks import scheduled_analysis_refresh_task
from experiments.models import ExperimentMetric, MetricRole, Variant
from experiments.services.experiments import experiment_metric_attach, experiment_update
from metrics.ingestion.columns import CohortTotals
from metrics.ingestion.load import cohorts_replace
from metrics.models import Metric, OutcomeSource
from metrics.services import metric_save
from tests.analysis.data import cohorts_write
from tests.factories import experiment_make, metric_make


def first_day(experiment):
    """The first day of data `cohorts_write` writes: the test's start day."""
    return timezone.localtime(experiment.started_at).date()


def last_day(experiment):
    return first_day(experiment) + timedelta(days=4)  # cohorts_write writes five days


def scheduled_refresh(capture) -> None:
    """Beat's fan-out, with every task and run it sends done in this process."""
    with capture(execute=True):
        scheduled_analysis_refresh_task()


def refresh_logged(caplog) -> str:
    """The fan-out's last log line: what it looked at, skipped and sent."""
    return [r.getMessage() for r in caplog.records if r.name == "analysis.services.schedule"][-1]


def day_pushed(experiment, *, day, conversions: int) -> None:
    """A pipeline's push of one day of conversions, replacing what that day held."""
    totals = {"n": 1000, "sum": conversions, "sum_squares": conversions}
    cohorts = [
        CohortTotals(variant=name, exposure_date=day, metric="Order conversion", **totals)
        for name in ("A", "B")
    ]
    cohorts_replace(experiment=experiment, source=OutcomeSource.PUSH, cohorts=cohorts)


def repush_of_the_same_day(experiment, people):
    day_pushed(experiment, day=last_day(experiment), conversions=50)


def repush_of_a_day_with_new_totals(experiment, people):
    day_pushed(experiment, day=last_day(experiment), conversions=70)


def a_new_day_of_data(experiment, people):
    day_pushed(experiment, day=last_day(experiment) + timedelta(days=1), conversions=50)


def deleted_load(experiment, people):
    experiment.outcome_cohorts.filter(exposure_date=last_day(experiment)).delete()


def day_swapped_for_as_many_rows(experiment, people):
    """As many rows deleted as added: the count alone would not move."""
    experiment.outcome_cohorts.filter(
        exposure_date=first_day(experiment), metric__name="Revenue"
    ).delete()
    repush_of_the_same_day(experiment, people)  # two rows out, two in
    experiment.outcome_cohorts.filter(
        exposure_date=first_day(experiment), metric__kind="binomial"
    ).delete()
    a_new_day_of_data(experiment, people)


def cohort_edited_in_the_admin(experiment, people):
    row = experiment.outcome_cohorts.get(
        exposure_date=first_day(experiment), variant__name="B", metric__name="Order conversion"
    )
    row.sum = row.sum_squares = 61
    row.save()


def own_settings_saved_in_the_admin(experiment, people):
    AnalysisSettings.objects.create(experiment=experiment, alpha=0.01)


def team_defaults_changed(experiment, people):
    team_defaults_update(team=experiment.team, user=people.lead, data={"correction": "bh"})


def metric_definition_changed(experiment, people):
    metric = Metric.objects.get(name="Revenue")
    metric.definition = "SUM(order_value) - SUM(refunds)"
    metric_save(metric=metric)


def metric_direction_changed(experiment, people):
    Metric.objects.filter(name="Revenue").update(good_direction="decrease")


def metric_attached(experiment, people):
    guardrail = metric_make("Unsubscribes")
    experiment_metric_attach(
        experiment=experiment, metric=guardrail, role=MetricRole.GUARDRAIL, user=people.owner
    )


def metric_role_changed(experiment, people):
    ExperimentMetric.objects.filter(experiment=experiment, metric__name="Revenue").update(
        role=MetricRole.GUARDRAIL
    )


def variant_added(experiment, people):
    Variant.objects.create(experiment=experiment, name="C", traffic_share=10)


def traffic_split_changed(experiment, people):
    experiment.variants.filter(name="B").update(traffic_share=40)


def control_switched(experiment, people):
    experiment.variants.update(is_control=False)  # as variant_save demotes the old control
    experiment.variants.filter(name="B").update(is_control=True)


def plan_changed(experiment, people):
    experiment_update(experiment=experiment, user=people.owner, data={"mde_relative": 7.5})


def start_moved(experiment, people):
    """Rows dated before the start day are set aside: a new start day changes what is read."""
    earlier = experiment.started_at - timedelta(days=30)
    type(experiment).objects.filter(pk=experiment.pk).update(started_at=earlier)


def planned_sample_changed(experiment, people):
    type(experiment).objects.filter(pk=experiment.pk).update(plan_sample_size_per_variant=50000)


CHANGES = [
    repush_of_the_same_day,
    repush_of_a_day_with_new_totals,
    a_new_day_of_data,
    deleted_load,
    day_swapped_for_as_many_rows,
    cohort_edited_in_the_admin,
    own_settings_saved_in_the_admin,
    team_defaults_changed,
    metric_definition_changed,
    metric_direction_changed,
    metric_attached,
    metric_role_changed,
    variant_added,
    traffic_split_changed,
    control_switched,
    plan_changed,
    start_moved,
    planned_sample_changed,
]


def test_the_fingerprint_is_one_query(with_data):
    with CaptureQueriesContext(connection) as queries:
        inputs_fingerprint(with_data.id)
    assert len(queries) == 1
    assert "metrics_outcomecohort" in queries[0]["sql"]


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__ for change in CHANGES])
def test_a_change_of_any_input_is_analysed_again_by_the_next_refresh(
    change, with_data, people, django_capture_on_commit_callbacks
):
    scheduled_refresh(django_capture_on_commit_callbacks)
    first = latest_success(with_data.id)
    before = inputs_fingerprint(with_data.id)
    change(with_data, people)
    assert inputs_fingerprint(with_data.id) != before
    scheduled_refresh(django_capture_on_commit_callbacks)
    newest = latest_success(with_data.id)
    assert newest.id != first.id and newest.trigger == "schedule"
    assert newest.results_run_id == newest.id  # analysed again, not the old answer kept
    assert AnalysisResult.objects.filter(run=newest, is_current=True).exists()
    first.refresh_from_db()
    assert first.unchanged_checks == 0


def test_an_unchanged_test_is_skipped_and_counted_on_its_last_run(
    with_data, people, django_capture_on_commit_callbacks, caplog
):
    scheduled_refresh(django_capture_on_commit_callbacks)
    analysed = latest_success(with_data.id)
    caplog.set_level(logging.INFO, logger="analysis.services.schedule")
    for _ in range(2):
        scheduled_refresh(django_capture_on_commit_callbacks)
    assert AnalysisRun.objects.filter(experiment=with_data).count() == 1
    analysed.refresh_from_db()
    assert analysed.unchanged_checks == 2 and analysed.checked_at > analysed.finished_at
    assert refresh_logged(caplog) == (
        "scheduled refresh: 1 running tests with data, 1 unchanged since their last analysis "
        "(skipped), 0 to analyse"
    )
    client = APIClient()
    client.force_authenticate(people.viewer)
    listed = client.get(f"/api/v1/experiments/{with_data.id}/analysis-runs/").json()["results"]
    assert (listed[0]["id"], listed[0]["unchanged_checks"]) == (analysed.id, 2)
    assert listed[0]["checked_at"] is not None


def second_running_test(people, like):
    """Another running test with the same metrics and the same data as `like`."""
    other = experiment_make(people, title="A second running test")
    for link in like.experiment_metrics.all():
        ExperimentMetric.objects.create(experiment=other, metric=link.metric, role=link.role)
    type(other).objects.filter(pk=other.pk).update(status="running", started_at=like.started_at)
    other.refresh_from_db()
    cohorts_write(other)
    return other


def test_only_the_changed_one_of_two_tests_is_analysed_again(
    with_data, people, django_capture_on_commit_callbacks, caplog
):
    other = second_running_test(people, with_data)
    scheduled_refresh(django_capture_on_commit_callbacks)
    repush_of_a_day_with_new_totals(other, people)
    caplog.set_level(logging.INFO, logger="analysis.services.schedule")
    scheduled_refresh(django_capture_on_commit_callbacks)
    assert AnalysisRun.objects.filter(experiment=with_data).count() == 1
    assert AnalysisRun.objects.filter(experiment=other, status="succeeded").count() == 2
    assert "2 running tests with data, 1 unchanged" in refresh_logged(caplog)


def test_a_schedule_check_finding_inputs_unchanged_is_counted_too(
    with_data, django_capture_on_commit_callbacks
):
    """The per-test check, for a test whose inputs changed back before its task ran."""
    scheduled_refresh(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert analysis_schedule(experiment=with_data) is None
    assert latest_success(with_data.id).unchanged_checks == 1


def test_a_refresh_of_unchanged_tests_costs_two_queries_however_many_there_are(
    with_data, people, django_capture_on_commit_callbacks
):
    second_running_test(people, with_data)
    scheduled_refresh(django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries:
        scheduled_refresh(django_capture_on_commit_callbacks)
    # The fan-out's plan (stamps of every test against its last run), and the count.
    assert len(reads_and_writes(queries)) == 2
    assert AnalysisRun.objects.filter(unchanged_checks=1).count() == 2


def reads_and_writes(queries) -> list[str]:
    """The statements that touch rows: no savepoint, no setting of the session."""
    settings = ("SET LOCAL", "SAVEPOINT", "RELEASE SAVEPOINT")
    return [query["sql"] for query in queries if not query["sql"].startswith(settings)]


def test_the_refresh_plan_runs_without_postgresql_compiling_it_first(
    with_data, people, django_capture_on_commit_callbacks
):
    # Costed high over thousands of tests, the plan was compiled by PostgreSQL's JIT for
    # seconds before a second of index reads.
    second_running_test(people, with_data)
    with CaptureQueriesContext(connection) as queries:
        scheduled_refresh(django_capture_on_commit_callbacks)
    statements = [query["sql"] for query in queries]
    plan = next(i for i, sql in enumerate(statements) if "stamp_cohorts" in sql)
    assert statements[plan - 1] == "SET LOCAL jit = off"

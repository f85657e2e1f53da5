"""Runs: request, collapse, claim, execute, store; duplicates and retries change nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from analysis.jobs import ANALYSIS_RUNS
from analysis.models import AnalysisResult, AnalysisRun, RunStatus, Trigger
from analysis.selectors import latest_failure, latest_results
from analysis.services import analysis_request, analysis_run_execute
from analysis.services import runs as runs_module
from analysis.services.runs import NO_DATA
from jobs.attempt import Attempt, Delivery, JobLost, job_claim
from jobs.watchdog import watchdog_sweep
from tests.analysis.data import cohorts_write


def request(experiment, capture, trigger=Trigger.MANUAL, **kwargs):
    with capture(execute=True):
        run = analysis_request(experiment=experiment, trigger=trigger, **kwargs)
    if run is not None:
        run.refresh_from_db()
    return run


def treatment_row(run, metric_name):
    return AnalysisResult.objects.get(run=run, metric__name=metric_name, is_control=False)


def test_a_request_is_analysed_and_stored_with_its_inputs(
    with_data, people, django_capture_on_commit_callbacks
):
    run = request(with_data, django_capture_on_commit_callbacks, user=people.owner)
    assert (run.status, run.trigger, run.requested_by, run.attempts, run.error) == (
        "succeeded",
        "manual",
        people.owner,
        1,
        "",
    )
    assert run.results_run_id == run.id and run.analysed_fingerprint == run.fingerprint
    assert AnalysisResult.objects.filter(run=run).count() == 4  # 2 metrics x 2 variants
    row = treatment_row(run, "Order conversion")
    assert row.inputs == {"name": "B", "n": 5000, "conversions": 300}
    assert row.comparison["relative"]["estimate"] == pytest.approx(0.2)  # 6% against 5%
    assert row.settings["correction"] == "holm" and row.method == "unpooled_z/sequential"
    assert row.verdict == row.comparison["verdict"] and row.verdict
    first_day = timezone.localtime(with_data.started_at).date().isoformat()
    assert next(p["date"] for p in row.series) == first_day and len(row.series) == 5
    whole = AnalysisResult.objects.get(run=run, metric__name="Order conversion", is_control=True)
    assert row.series[-1]["relative"] == whole.output["comparisons"][0]["relative"]
    assert whole.payload["variants"][1] == row.inputs  # the metric's payload, stored once
    assert (row.output, row.payload) == (None, None)


def test_cuped_is_used_for_revenue_when_on_and_dropped_when_off(
    with_data, people, django_capture_on_commit_callbacks
):
    run = request(with_data, django_capture_on_commit_callbacks)
    assert treatment_row(run, "Revenue").comparison["cuped"]["theta"] == pytest.approx(0.5)
    from analysis.services import analysis_settings_update

    with django_capture_on_commit_callbacks(execute=True):
        analysis_settings_update(experiment=with_data, user=people.owner, data={"cuped": False})
    newest = AnalysisRun.objects.filter(experiment=with_data).first()
    assert (newest.trigger, newest.status) == ("settings", "succeeded")
    assert treatment_row(newest, "Revenue").comparison["cuped"] is None


def test_revenue_without_a_pre_period_in_one_arm_says_cuped_was_not_applied(
    with_data, django_capture_on_commit_callbacks
):
    from metrics.models import OutcomeCohort

    treatment = with_data.variants.get(is_control=False)
    OutcomeCohort.objects.filter(
        experiment=with_data, variant=treatment, metric__name="Revenue"
    ).update(pre_sum=None, pre_sum_squares=None, post_pre_sum_products=None)
    run = request(with_data, django_capture_on_commit_callbacks)
    row = treatment_row(run, "Revenue")
    assert row.status != "error" and row.comparison["cuped"] is None
    finding = next(f for f in row.findings if f["code"] == "cuped_not_applied")
    assert finding["detail"] == (
        "Revenue is compared as measured, without CUPED: B has no pre-period value, and CUPED "
        "needs one in every variant."
    )
    from metrics.stats.jsonio import result_from_dict

    control = AnalysisResult.objects.get(run=run, metric__name="Revenue", is_control=True)
    stored = result_from_dict(control.output)  # as the results page reads it back
    assert "cuped_not_applied" in [f.code for f in stored.findings]
    conversion = treatment_row(run, "Order conversion")
    assert "cuped_not_applied" not in [f["code"] for f in conversion.findings]


def test_identical_requests_collapse_into_one_run(with_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as sent:
        first = analysis_request(experiment=with_data, trigger=Trigger.UPLOAD)
        second = analysis_request(experiment=with_data, trigger=Trigger.MANUAL)
    assert second == first and len(sent) == 1
    assert AnalysisRun.objects.filter(experiment=with_data).count() == 1


def test_unchanged_inputs_store_no_new_result(with_data, django_capture_on_commit_callbacks):
    first = request(with_data, django_capture_on_commit_callbacks)
    again = request(with_data, django_capture_on_commit_callbacks)
    assert again.id != first.id and again.status == "succeeded"
    assert again.results_run_id == first.id
    assert AnalysisResult.objects.filter(experiment=with_data).count() == 4
    skipped = request(
        with_data, django_capture_on_commit_callbacks, trigger=Trigger.SCHEDULE, skip_unchanged=True
    )
    assert skipped is None and AnalysisRun.objects.filter(experiment=with_data).count() == 2


def test_a_duplicate_delivery_leaves_one_run_and_one_set_of_results(
    with_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        run = analysis_request(experiment=with_data, trigger=Trigger.UPLOAD)
    analysis_run_execute(run_id=run.id, delivery=Delivery("task-1:0"))
    analysis_run_execute(run_id=run.id, delivery=Delivery("task-1:0"))
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("succeeded", 1)
    assert AnalysisResult.objects.filter(experiment=with_data).count() == 4


def test_a_retry_takes_the_run_back_from_its_own_previous_attempt_only(
    with_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        run = analysis_request(experiment=with_data, trigger=Trigger.UPLOAD)
    AnalysisRun.objects.filter(id=run.id).update(status="running", claim="task-1:0/5eed")
    analysis_run_execute(run_id=run.id, delivery=Delivery("other:1", previous="other:0"))
    run.refresh_from_db()
    assert (run.status, run.claim) == ("running", "task-1:0/5eed")
    analysis_run_execute(run_id=run.id, delivery=Delivery("task-1:1", previous="task-1:0"))
    run.refresh_from_db()
    assert run.status == "succeeded" and run.claim.startswith("task-1:1/")


def test_a_failure_never_replaces_the_last_good_result(
    with_data, monkeypatch, django_capture_on_commit_callbacks
):
    good = request(with_data, django_capture_on_commit_callbacks)
    cohorts_write(with_data, days=1, first=timezone.localdate() + timedelta(days=5))  # new data

    def broken(inputs, beat):
        raise ZeroDivisionError

    monkeypatch.setattr(runs_module, "answer_compute", broken)
    failed = request(with_data, django_capture_on_commit_callbacks)
    assert failed.status == "failed"
    assert failed.error == (
        "The analysis failed on our side (ZeroDivisionError). "
        "Try again, or tell an admin if it happens again."
    )
    assert {row.run_id for row in latest_results(with_data)} == {good.id}
    assert latest_failure(with_data) == failed
    assert not AnalysisResult.objects.filter(run=failed).exists()


def test_only_the_standing_answers_rows_are_current(with_data, django_capture_on_commit_callbacks):
    def current_runs() -> set[int]:
        rows = AnalysisResult.objects.filter(experiment=with_data, is_current=True)
        return set(rows.values_list("run_id", flat=True))

    first = request(with_data, django_capture_on_commit_callbacks)
    assert current_runs() == {first.id}
    cohorts_write(with_data, days=1, first=timezone.localdate() + timedelta(days=5))  # new data
    second = request(with_data, django_capture_on_commit_callbacks)
    assert second.results_run_id == second.id and current_runs() == {second.id}
    assert AnalysisResult.objects.filter(run=first, is_current=False).count() == 4
    unchanged = request(with_data, django_capture_on_commit_callbacks)  # same inputs again
    assert unchanged.results_run_id == second.id and current_runs() == {second.id}


def test_a_test_without_data_fails_in_plain_words(running, django_capture_on_commit_callbacks):
    run = request(running, django_capture_on_commit_callbacks)
    assert (run.status, run.error) == ("failed", NO_DATA)


def test_a_metric_the_engine_refuses_is_named_and_the_others_still_analysed(
    with_data, django_capture_on_commit_callbacks
):
    b = with_data.variants.get(name="B")
    with_data.outcome_cohorts.filter(variant=b, metric__name="Revenue").delete()
    run = request(with_data, django_capture_on_commit_callbacks)
    assert run.status == "succeeded"
    revenue = treatment_row(run, "Revenue")
    assert revenue.status == "error" and revenue.comparison is None
    assert revenue.verdict == "B has no users yet for Revenue."
    assert treatment_row(run, "Order conversion").comparison is not None


def test_a_refused_metric_is_stored_in_english_and_read_in_the_readers_language(
    client, people, with_data, django_capture_on_commit_callbacks
):
    b = with_data.variants.get(name="B")
    with_data.outcome_cohorts.filter(variant=b, metric__name="Revenue").delete()
    with translation.override("fi"):  # a run started in a Finnish reader's request
        run = request(with_data, django_capture_on_commit_callbacks)
    revenue = treatment_row(run, "Revenue")
    assert revenue.verdict == "B has no users yet for Revenue."
    (finding,) = revenue.findings
    assert (finding["code"], finding["title"]) == ("input_error", "Not enough data to analyse")
    assert finding["params"]["variant"] == "B"
    results = reverse("experiment:results", args=[with_data.pk])
    client.force_login(people.viewer)
    assert "B has no users yet for Revenue." in client.get(results).text
    people.viewer.language = "fi"
    people.viewer.save(update_fields=["language"])
    page = client.get(results).text
    assert "Versiolla B ei ole vielä käyttäjiä mittarissa Revenue." in page
    assert "B has no users yet for Revenue." not in page


def test_a_run_taken_away_mid_store_writes_nothing(with_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        run = analysis_request(experiment=with_data, trigger=Trigger.UPLOAD)
    AnalysisRun.objects.filter(id=run.id).update(status="running", claim="mine:0/5eed")
    AnalysisRun.objects.filter(id=run.id).update(claim="watchdog-gave-it-away")
    mine = Attempt(ANALYSIS_RUNS, run.id, "mine:0/5eed")
    with pytest.raises(JobLost):
        runs_module.run_store(mine, "f" * 64, [], results_run_id=run.id)
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.finished_at is None


def test_a_message_delivered_again_after_the_watchdog_took_the_run_over_writes_nothing(
    with_data, django_capture_on_commit_callbacks
):
    """Redis hands the same delivery out again once the first worker went silent."""
    with django_capture_on_commit_callbacks(execute=False):
        run = analysis_request(experiment=with_data, trigger=Trigger.UPLOAD)
    first = job_claim(ANALYSIS_RUNS, run.id, Delivery("task-1:0"))
    AnalysisRun.objects.filter(id=run.id).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=False):
        assert watchdog_sweep(ANALYSIS_RUNS).requeued == [run.id]
    second = job_claim(ANALYSIS_RUNS, run.id, Delivery("task-1:0"))
    with pytest.raises(JobLost):
        runs_module.run_store(first, "f" * 64, [], results_run_id=run.id)
    run.refresh_from_db()
    assert (run.status, run.claim, run.attempts) == ("running", second.token, 2)


def test_a_successful_data_load_queues_an_analysis_of_its_data(
    running, people, settings, tmp_path, django_capture_on_commit_callbacks
):
    from metrics.ingestion.services import data_load_create
    from metrics.models import DataLoad

    settings.MEDIA_ROOT = tmp_path
    payload = [
        {"metric": "Order conversion", "variant": "A", "users": 1000, "conversions": 50},
        {"metric": "Order conversion", "variant": "B", "users": 1010, "conversions": 64},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        data_load_create(
            experiment=running, user=people.owner, kind=DataLoad.Kind.COUNTS, payload=payload
        )
    run = AnalysisRun.objects.get(experiment=running)
    assert (run.trigger, run.requested_by, run.status) == ("upload", people.owner, "succeeded")
    assert treatment_row(run, "Order conversion").inputs == {
        "name": "B",
        "n": 1010,
        "conversions": 64,
    }
    assert treatment_row(run, "Revenue").status == "error"  # no revenue data was loaded

"""An experiment's analysis state, its runs, and re-analyse as an action."""

from analysis.models import AnalysisRun
from tests.analysis.data import fail_runs
from tests.api.analysed import analysed_experiment
from tests.factories import experiment_make


def runs_url(experiment) -> str:
    return f"/api/v1/experiments/{experiment.pk}/analysis-runs/"


def test_runs_are_listed_newest_first_with_who_asked(as_user, people):
    experiment = analysed_experiment(people)
    good = AnalysisRun.objects.get(experiment=experiment)
    fail_runs(experiment, 1, hours_ago=-1)
    response = as_user(people.viewer).get(runs_url(experiment))
    assert response.status_code == 200
    runs = response.json()["results"]
    assert [r["status"] for r in runs] == ["failed", "succeeded"]
    assert runs[0]["error"] == "The warehouse timed out."
    assert (runs[1]["id"], runs[1]["results_run"], runs[1]["requested_by"]["username"]) == (
        good.id,
        good.id,
        "owner",
    )


def test_re_analyse_queues_one_run_and_an_identical_request_joins_it(as_user, people):
    experiment = experiment_make(people, ready=True)
    client = as_user(people.owner)
    first = client.post(runs_url(experiment))
    assert first.status_code == 202
    run = AnalysisRun.objects.get(experiment=experiment)
    assert first.json()["id"] == run.id
    assert (run.status, run.trigger, run.requested_by) == ("queued", "manual", people.owner)
    again = client.post(runs_url(experiment))
    assert (again.status_code, again.json()["id"]) == (202, run.id)
    assert AnalysisRun.objects.filter(experiment=experiment).count() == 1


def test_a_viewer_cannot_re_analyse_and_nothing_is_queued(as_user, people):
    experiment = experiment_make(people, ready=True)
    response = as_user(people.viewer).post(runs_url(experiment))
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this change."}
    assert not AnalysisRun.objects.exists()


def test_unknown_experiment_is_a_json_404(as_user, people):
    response = as_user(people.viewer).get("/api/v1/experiments/999999/analysis-runs/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No Experiment matches the given query."}


def test_analysis_state_shows_the_last_good_result(as_user, people):
    experiment = analysed_experiment(people)
    body = as_user(people.viewer).get(f"/api/v1/experiments/{experiment.pk}/analysis/").json()
    good = AnalysisRun.objects.get(experiment=experiment)
    assert body["last_success"]["id"] == good.id and len(body["results"]) == 4
    assert (body["failure"], body["active"], body["schedule_stopped"]) == (None, None, False)

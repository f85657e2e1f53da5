"""The experiment page and the API: last good result, its time, a failure beside it, retry."""

from django.urls import reverse

from analysis.models import AnalysisRun, AnalysisSettings
from analysis.views import QUEUED, SETTINGS_SAVED
from tests.analysis.data import fail_runs
from tests.conftest import PASSWORD


def signed_in(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def rerun(client, experiment, capture):
    """Press re-analyse, let the worker run (eagerly), then open the page the button led to."""
    with capture(execute=True):
        response = client.post(reverse("analysis:rerun", args=[experiment.pk]))
    if response.status_code != 302:
        return response
    return client.get(response.url)


def test_re_analyse_queues_a_run_and_the_page_shows_its_result(
    client, people, with_data, django_capture_on_commit_callbacks
):
    response = rerun(signed_in(client, people.owner), with_data, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    page = response.content.decode()
    assert str(QUEUED) in page and 'data-testid="analysis-computed-at"' in page
    run = AnalysisRun.objects.get(experiment=with_data)
    assert (run.trigger, run.requested_by, run.status) == ("manual", people.owner, "succeeded")
    assert "+20.0%" in page  # B's conversion lift, 6% against 5%


def test_a_viewer_cannot_re_analyse(client, people, with_data, django_capture_on_commit_callbacks):
    response = rerun(
        signed_in(client, people.viewer), with_data, django_capture_on_commit_callbacks
    )
    assert response.status_code == 403
    assert not AnalysisRun.objects.filter(experiment=with_data).exists()


def test_a_failure_shows_beside_the_last_good_result_on_the_page_and_the_api(
    client, people, with_data, django_capture_on_commit_callbacks
):
    signed_in(client, people.owner)
    rerun(client, with_data, django_capture_on_commit_callbacks)
    good = AnalysisRun.objects.get(experiment=with_data)
    with_data.outcome_cohorts.all().delete()  # the data went away: the next run fails
    page = rerun(client, with_data, django_capture_on_commit_callbacks).content.decode()
    assert "The latest analysis failed" in page and "There is no outcome data" in page
    assert "The result above is the last good one." in page and "+20.0%" in page
    assert "Retry analysis" in page
    body = client.get(reverse("api:experiment-analysis", args=[with_data.pk])).json()
    assert body["last_success"]["id"] == good.id and len(body["results"]) == 4
    assert body["failure"]["error"].startswith("There is no outcome data for this test yet")


def test_changing_a_setting_queues_a_run_and_keeps_the_old_result_until_then(
    client, people, with_data, django_capture_on_commit_callbacks
):
    signed_in(client, people.owner)
    rerun(client, with_data, django_capture_on_commit_callbacks)
    url = reverse("analysis:settings", args=[with_data.pk])
    form = {
        "alpha": "0.01",
        "two_sided": "on",
        "method": "fixed",
        "sequential_tuning_parameter": "5000",
        "correction": "bh",
        "cuped": "on",
    }
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, form, follow=True)
    assert str(SETTINGS_SAVED) in response.content.decode()
    saved = AnalysisSettings.objects.get(experiment=with_data)
    assert (saved.alpha, saved.method, saved.correction, saved.updated_by) == (
        0.01,
        "fixed",
        "bh",
        people.owner,
    )
    newest = AnalysisRun.objects.filter(experiment=with_data).first()
    assert (newest.trigger, newest.status) == ("settings", "queued")
    assert "+20.0%" in response.content.decode()  # the old answer stays meanwhile


def test_a_prior_without_a_spread_is_refused_in_words(
    client, people, with_data, django_capture_on_commit_callbacks
):
    signed_in(client, people.owner)
    url = reverse("analysis:settings", args=[with_data.pk])
    form = {
        "alpha": "0.05",
        "method": "fixed",
        "sequential_tuning_parameter": "5000",
        "correction": "holm",
        "prior_mean": "0.1",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "A prior needs both a mean and a spread." in response.content.decode()
    assert not AnalysisSettings.objects.filter(experiment=with_data).exists()


def test_a_viewer_sees_the_panel_without_buttons(client, people, with_data):
    response = signed_in(client, people.viewer).get(with_data.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="analysis-empty"' in page
    assert "Re-analyse" not in page


def test_the_owner_is_told_when_the_schedule_gave_up(client, people, with_data):
    fail_runs(with_data, 3)
    page = signed_in(client, people.owner).get(with_data.get_absolute_url()).content.decode()
    assert "Scheduled refresh stopped after 3 failures in a row. owner, press re-analyse" in page
    assert "The warehouse timed out." in page and "Retry analysis" in page

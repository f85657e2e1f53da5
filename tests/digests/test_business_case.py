"""The business case on the experiment: its fields on the form and the API, its value on the
page and in the API, before and after the result."""

import pytest
from django.urls import reverse

from experiments.models import Experiment
from tests.digests.conftest import BUSINESS_CASE

EXPERIMENTS = "/api/v1/experiments/"


def test_the_api_writes_the_business_case_and_answers_its_expected_value(as_user, people):
    body = {"team": people.team.id, "title": "Bigger buy button", "plan_baseline": 0.05}
    body |= {"plan_daily_traffic": 2000, "mde_relative": 5.0, "value_per_unit": 120}
    body |= {"value_daily_users": 4000}  # the expected lift falls back to the 5 % MDE
    response = as_user(people.owner).post(EXPERIMENTS, body, format="json")
    assert response.status_code == 201
    experiment = Experiment.objects.get()
    assert (experiment.value_per_unit, experiment.value_daily_users) == (120, 4000)
    case = as_user(people.viewer).get(f"{EXPERIMENTS}{experiment.id}/").json()["business_case"]
    # 0.05 × 4,000 × 365 × 0.05 × 120 = 438,000 SEK a year
    assert case["expected_annual_value"] == pytest.approx(438_000)
    assert (case["currency"], case["expected_lift"], case["daily_users"]) == ("SEK", 0.05, 4000)
    assert case["projected_annual_value"] is None and case["missing"] == []


def test_a_negative_value_per_unit_is_refused_naming_the_field(as_user, people):
    body = {"team": people.team.id, "title": "x", "value_per_unit": -5}
    response = as_user(people.owner).post(EXPERIMENTS, body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "value_per_unit": ["Ensure this value is greater than or equal to 0."]
    }
    assert not Experiment.objects.exists()


def test_after_the_result_the_api_projects_the_measured_lift_with_its_interval(
    as_user, people, running
):
    experiment = running("Free shipping banner")  # B converts 7.5 % against A's 5 %
    case = as_user(people.viewer).get(f"{EXPERIMENTS}{experiment.id}/").json()["business_case"]
    lift = case["measured_lift"]
    assert (lift["variant"], lift["control_value"]) == ("B", pytest.approx(0.05))
    assert lift["estimate"] == pytest.approx(0.5)
    projected = case["projected_annual_value"]
    # The measured baseline 0.05 × 4,000 users × 365 × 120 SEK = 8,760,000 SEK per unit of lift.
    assert projected["estimate"] == pytest.approx(8_760_000 * 0.5)
    assert projected["lower"] == pytest.approx(8_760_000 * lift["lower"])
    assert projected["upper"] == pytest.approx(8_760_000 * lift["upper"])
    assert projected["lower"] < projected["estimate"] < projected["upper"]


def test_the_page_shows_what_the_expected_value_still_needs(client, people):
    from tests.factories import experiment_make

    experiment = experiment_make(people, value_per_unit=50.0)
    client.force_login(people.viewer)
    page = client.get(experiment.get_absolute_url()).text
    assert "No expected value yet: it needs a baseline, daily users, an expected lift." in page


def test_the_page_shows_expected_and_measured_value(client, people, running):
    experiment = running("Free shipping banner")
    client.force_login(people.viewer)
    page = client.get(experiment.get_absolute_url()).text
    # 0.10 plan baseline × 4,000 × 365 × 10 % × 120 SEK
    assert "1,752,000 SEK a year if the hypothesis holds (+10% on 4,000 daily users)" in page
    assert "4,380,000 SEK a year at the measured +50% of B (from " in page


def test_the_form_edits_the_business_case(client, people):
    from tests.factories import experiment_make

    experiment = experiment_make(people)
    client.force_login(people.owner)
    url = reverse("experiment:edit", args=[experiment.pk])
    form = client.get(url).text
    for label in ("Value of one unit", "Expected lift if the hypothesis holds (%)"):
        assert label in form
    body = {"title": experiment.title, "owner": people.owner.pk, "channel": "web"}
    response = client.post(url, body | {k: str(v) for k, v in BUSINESS_CASE.items()})
    assert response.status_code == 302
    experiment.refresh_from_db()
    assert (experiment.value_per_unit, experiment.value_expected_lift) == (120.0, 10.0)
    edit = experiment.history.first()
    assert edit.summary == "Edited the documentation"
    assert {c["field"] for c in edit.changes} == set(BUSINESS_CASE)

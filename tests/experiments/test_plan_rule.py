"""A test's sample-size plan is sized for the decision rule its results are read with."""

from django.urls import reverse

from analysis.services.inputs import plan_of
from experiments.models import Experiment
from metrics import stats
from tests.factories import experiment_make, read_fixed_horizon

# 5 % conversion, +10 % relative, α 0.05, power 0.8, 50/50 at 4,000 users a day.
PLAN_FORM = {
    "plan_baseline": "5",
    "mde_relative": "10",
    "plan_daily_traffic": "4000",
    "plan_alpha": "0.05",
    "plan_power": "0.8",
}
ENGINE = {
    "metric_type": "binomial",
    "baseline_rate": 0.05,
    "mde_relative": 0.10,
    "daily_traffic": 4000,
}


def engine_users(**extra) -> int:
    return max(stats.plan_power(ENGINE | extra)["n_per_variant"])


def planned(client, people, experiment) -> Experiment:
    client.force_login(people.owner)
    url = reverse("experiment:plan", args=[experiment.pk])
    assert client.post(url, PLAN_FORM).status_code == 302
    experiment.refresh_from_db()
    return experiment


def test_a_sequential_test_is_planned_for_the_sequential_interval(client, people):
    experiment = planned(client, people, experiment_make(people, ready=True))
    sequential = engine_users(sequential_tuning_parameter=5000)
    assert experiment.plan_sample_size_per_variant == sequential
    assert sequential > 2 * engine_users()  # wider interval, more users
    assert experiment.plan_method == "sequential"
    # The results' minimum sample is the one the plan saved.
    assert plan_of(experiment)["planned_sample_per_variant"] == sequential


def test_a_fixed_horizon_test_is_planned_for_the_fixed_interval(client, people):
    experiment = read_fixed_horizon(experiment_make(people, ready=True))
    experiment = planned(client, people, experiment)
    assert experiment.plan_sample_size_per_variant == engine_users()
    assert experiment.plan_method == "fixed"


def test_the_plan_says_which_rule_it_is_sized_for_and_why_it_needs_more(client, people):
    experiment = planned(client, people, experiment_make(people, ready=True))
    page = client.get(experiment.get_absolute_url()).text
    assert "The sequential rule: safe to look every day" in page
    fixed = f"{engine_users():,}"
    assert (
        "The sequential interval stays right however often the results are read, so it is "
        "wider than a fixed-horizon one read once at the end, and finding the same effect "
        f"takes more users: {fixed} per variant would do if the test were read only once, "
        "at its planned end."
    ) in " ".join(page.split())


def test_a_plan_sized_for_another_rule_than_the_settings_asks_to_be_sized_again(client, people):
    experiment = planned(client, people, experiment_make(people, ready=True))
    read_fixed_horizon(experiment)
    page = client.get(experiment.get_absolute_url()).text
    assert "This plan was sized for the sequential rule, but the test is now analysed" in page


def test_the_plan_form_says_the_rule_it_sizes_for(client, people):
    experiment = experiment_make(people, ready=True)
    client.force_login(people.owner)
    page = client.get(reverse("experiment:plan", args=[experiment.pk])).text
    assert "This test is read with the sequential rule (its analysis settings)" in page


def test_the_plan_names_the_decision_rules_the_analysis_settings_offer():
    """The plan cannot import the analysis app; its two rule names must still be its methods."""
    from analysis.models import Method
    from experiments.services import planning

    assert {planning.FIXED, planning.SEQUENTIAL} == set(Method.values)

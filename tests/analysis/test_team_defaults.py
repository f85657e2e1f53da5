"""The team lead's analysis defaults page: who may change it, and what a bad value does."""

from django.urls import reverse

from analysis.models import TeamAnalysisDefaults
from analysis.services.choices import analysis_choices
from analysis.views import DEFAULTS_SAVED
from tests.conftest import PASSWORD

DEFAULTS = {
    "alpha": "0.1",
    "two_sided": "",
    "method": "fixed",
    "sequential_tuning_parameter": "5000",
    "prior_mean": "",
    "prior_sd": "",
    "correction": "bh",
    "cuped": "on",
}


def post(client, user, team, **changes):
    client.login(username=user.username, password=PASSWORD)
    url = reverse("analysis:team_defaults", args=[team.slug])
    return client.post(url, {**DEFAULTS, **changes})


def test_a_lead_sets_the_defaults_and_the_teams_tests_use_them(client, people, running):
    response = post(client, people.lead, people.team)
    assert response.status_code == 302
    assert str(DEFAULTS_SAVED) in client.get(response.url).content.decode()
    saved = TeamAnalysisDefaults.objects.get(team=people.team)
    assert (saved.alpha, saved.two_sided, saved.method, saved.correction) == (
        0.1,
        False,
        "fixed",
        "bh",
    )
    assert analysis_choices(running)["alpha"] == 0.1


def test_the_team_page_links_the_defaults_for_its_lead_only(client, people):
    url = reverse("accounts:team_detail", args=[people.team.slug])
    link = reverse("analysis:team_defaults", args=[people.team.slug])
    client.login(username="lead", password=PASSWORD)
    assert link in client.get(url).content.decode()
    client.login(username="owner", password=PASSWORD)
    assert link not in client.get(url).content.decode()


def test_a_marketer_of_the_team_gets_403_and_nothing_is_saved(client, people):
    assert post(client, people.owner, people.team).status_code == 403
    assert client.get(reverse("analysis:team_defaults", args=[people.team.slug])).status_code == 403
    assert not TeamAnalysisDefaults.objects.exists()


def test_a_lead_of_another_team_gets_403_and_nothing_is_saved(client, people):
    assert post(client, people.outside_lead, people.team).status_code == 403
    assert not TeamAnalysisDefaults.objects.exists()


def test_a_word_for_alpha_is_a_400_naming_the_field_and_nothing_is_saved(client, people):
    response = post(client, people.lead, people.team, alpha="five percent")
    assert response.status_code == 400
    assert "Significance level: Enter a number." in response.content.decode()
    assert not TeamAnalysisDefaults.objects.exists()


def test_an_alpha_out_of_range_is_a_400_and_saved_defaults_stay(client, people):
    post(client, people.lead, people.team)
    response = post(client, people.lead, people.team, alpha="0.7", correction="holm")
    assert response.status_code == 400
    assert "The significance level lies between 0 and 0.5." in response.content.decode()
    saved = TeamAnalysisDefaults.objects.get(team=people.team)
    assert (saved.alpha, saved.correction) == (0.1, "bh")


def test_a_half_prior_is_a_400_and_nothing_is_saved(client, people):
    response = post(client, people.lead, people.team, prior_mean="0.02")
    assert response.status_code == 400
    assert "A prior needs both a mean and a spread." in response.content.decode()
    assert not TeamAnalysisDefaults.objects.exists()


def test_the_stored_choices_the_engine_and_analyse_many_default_to_one_correction():
    import inspect

    from analysis.models import AnalysisChoices
    from metrics.stats.analysis import Settings
    from metrics.stats.corrections import DEFAULT_CORRECTION
    from metrics.stats.jsonio import analyse_many, parse_settings

    many = inspect.signature(analyse_many).parameters["correction"].default
    stored = AnalysisChoices._meta.get_field("correction").default
    assert Settings().correction == many == stored == parse_settings({}).correction
    assert DEFAULT_CORRECTION == "holm"

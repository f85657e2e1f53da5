"""Sprint pages read the stored analysis results: card badges, outcomes, harm and impact.

Results are computed by the real analysis service on cohorts with known totals: per day and
variant 1,000 users, A converts 50 and B `b_conversions`, so B's lift is exactly b/50 - 1.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from experiments.models import Decision
from sprints.services import experiment_add_to_sprint
from tests.sprints.conftest import days, pdf_text, today


def url(name: str, *args) -> str:
    return reverse(f"sprints:{name}", args=args)


def test_board_card_shows_the_result_badge_and_its_link(client, people, sprint, running):
    winner = running("Delivery date")
    client.force_login(people.viewer)
    response = client.get(url("board", sprint.pk))
    results = reverse("experiment:results", args=[winner.pk])
    assert f'href="{results}" data-testid="result-badge">Ship now</a>' in response.text


def test_board_badges_cost_one_query_however_many_cards(client, people, sprint, running):
    running("Delivery date")
    client.force_login(people.viewer)
    with CaptureQueriesContext(connection) as one_card:
        client.get(url("board", sprint.pk))
    running("Trust badges", b_conversions=50)
    running("Gift wrapping", b_conversions=None)
    with CaptureQueriesContext(connection) as three_cards:
        response = client.get(url("board", sprint.pk))
    assert len(three_cards) == len(one_card)
    assert response.text.count('data-testid="result-badge"') == 3
    assert ">No data</a>" in response.text  # the one without results


def test_days_left_fall_back_to_the_sprint_end(client, people, sprint, make_test):
    dated = make_test("Dated", planned_end=today() + days(5))
    undated = make_test("Undated")
    for experiment in (dated, undated):
        experiment_add_to_sprint(sprint=sprint, experiment=experiment, user=people.lead)
    client.force_login(people.viewer)
    response = client.get(url("board", sprint.pk))
    cards = {e.title: e for c in response.context["columns"] for e in c.cards}
    assert (cards["Dated"].days_left, cards["Dated"].ends_with_sprint) == (5, False)
    assert (cards["Undated"].days_left, cards["Undated"].ends_with_sprint) == (20, True)
    assert '20 <span class="muted small">(sprint end)</span>' in response.text


def test_review_says_how_tests_ended_from_results_else_the_decision(
    client, people, sprint, concluded, return_rate
):
    concluded("Delivery date", Decision.INCONCLUSIVE)  # the results say it won
    concluded("Free shipping bar", Decision.SHIP, guardrail=return_rate)  # returns up 50 %
    concluded("Gift wrapping", Decision.ABANDON, b_conversions=None)  # no results
    client.force_login(people.viewer)
    response = client.get(url("review", sprint.pk))
    outcomes = {e.title: e.outcome for e in response.context["review"].concluded}
    assert outcomes == {
        "Delivery date": "Won",
        "Free shipping bar": "Lost",
        "Gift wrapping": "Abandoned",
    }
    assert "Guardrail harmed: Return rate up 50%" in response.text


def test_review_lists_the_guardrails_that_were_harmed(
    client, people, sprint, concluded, return_rate
):
    concluded("Free shipping bar", Decision.ABANDON, guardrail=return_rate)
    concluded("Delivery date", Decision.SHIP, b_conversions=40, guardrail=return_rate)
    client.force_login(people.viewer)
    response = client.get(url("review", sprint.pk))
    (harm,) = response.context["review"].harmed  # returns fell 20 % on "Delivery date": good
    assert (harm.experiment.title, harm.metric, harm.variant) == (
        "Free shipping bar",
        "Return rate",
        "B",
    )
    assert harm.lift == pytest.approx(0.5)
    assert response.text.count('data-testid="harmed-guardrail"') == 1
    assert "Return rate +50% with B on" in response.text


def test_review_without_harm_says_so(client, people, sprint, concluded, return_rate):
    concluded("Delivery date", Decision.SHIP, b_conversions=40, guardrail=return_rate)
    client.force_login(people.viewer)
    response = client.get(url("review", sprint.pk))
    assert response.context["review"].harmed == []
    assert "No guardrail was harmed, by the stored results." in response.text


def test_programme_sums_the_measured_lifts_of_shipped_tests(client, people, sprint, concluded):
    concluded("Delivery date", Decision.SHIP)  # +50 %
    concluded("Reviews on cards", Decision.SHIP, b_conversions=60)  # +20 %
    concluded("Exit pop-up", Decision.ABANDON, b_conversions=70)  # not shipped: not counted
    concluded("Gift wrapping", Decision.SHIP, b_conversions=None)  # shipped, never measured
    client.force_login(people.viewer)
    response = client.get(reverse("sprints:programme", args=[people.team.pk]))
    assert list(response.context["impact"]) == ["Order conversion"]
    assert response.context["impact"]["Order conversion"] == pytest.approx([0.7])
    assert response.context["figures"]["impact"]["data"][0]["y"] == [70.0]
    assert '<td>Sprint 1</td><td class="number">70%</td>' in response.text
    assert "1 shipped test without stored results is not counted." in response.text


def test_the_review_pdf_words_a_harmed_guardrail_in_the_readers_language(
    client, people, sprint, concluded, return_rate
):
    concluded("Free shipping bar", Decision.ABANDON, guardrail=return_rate)  # returns up 50 %
    people.viewer.language = "fi"
    people.viewer.save(update_fields=["language"])
    client.force_login(people.viewer)
    response = client.get(url("review_pdf", sprint.pk))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Heikentyneet suojamittarit" in text
    # The Finnish number style, a space before the percent sign (drawn as a plain space).
    assert "Return rate +50 % versiolla B testissä Free shipping bar" in text
    # The title a PDF reader shows in its window is the page's own, in Finnish.
    assert f"/Title ({people.team} \\267 sprintin {sprint.number} katselmointi)".encode() in (
        response.content
    )

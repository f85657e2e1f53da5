import re

import pytest
from django.urls import reverse

from experiments.models import Decision, Experiment
from experiments.services.lifecycle import experiment_conclude, experiment_transition
from sprints.models import Sprint
from sprints.services import experiment_add_to_sprint, sprint_activate, sprint_start_review
from tests.factories import idea_make
from tests.sprints.conftest import pdf_text, today

Status = Experiment.Status


def url(name: str, *args) -> str:
    return reverse(f"sprints:{name}", args=args)


@pytest.fixture
def planned(people, sprint, make_test):
    return experiment_add_to_sprint(sprint=sprint, experiment=make_test(), user=people.lead)


@pytest.fixture
def in_review(people, sprint, make_test):
    sprint_activate(sprint=sprint, user=people.lead)
    won = experiment_add_to_sprint(sprint=sprint, experiment=make_test("Won"), user=people.lead)
    experiment_transition(experiment=won, user=people.owner, action="start")
    experiment_conclude(
        experiment=won,
        user=people.lead,
        decision=Decision.SHIP,
        learning="Delivery dates sell.",
        reason="Shipped on last year's result.",
    )
    return sprint_start_review(sprint=sprint, user=people.lead)


@pytest.mark.parametrize("persona", ["owner", "outsider", "viewer", "outside_lead"])
def test_only_the_team_lead_may_pull_a_test(client, people, sprint, make_test, persona):
    experiment = make_test()
    client.force_login(getattr(people, persona))
    response = client.post(url("pull", sprint.pk), {"experiment": experiment.pk})
    assert response.status_code == 403
    experiment.refresh_from_db()
    assert (experiment.status, experiment.sprint) == (Status.DRAFT, None)


def test_team_lead_pulls_a_test_and_sees_the_fit(client, people, sprint, make_test):
    experiment = make_test()
    client.force_login(people.lead)
    response = client.post(url("pull", sprint.pk), {"experiment": experiment.pk}, follow=True)
    assert response.status_code == 200
    assert "“Free shipping banner” is now in sprint 1." in response.text
    assert "Reaches 14,751 users per variant in 15 days; 21 days are left" in response.text
    experiment.refresh_from_db()
    assert (experiment.status, experiment.sprint) == (Status.PLANNED, sprint)


def test_planning_page_flags_a_test_that_cannot_fit(client, people, sprint, make_test):
    slow = make_test("Tiny effect", mde_relative=2.0)
    experiment_add_to_sprint(sprint=sprint, experiment=slow, user=people.lead)
    client.force_login(people.viewer)
    response = client.get(url("detail", sprint.pk))
    assert response.status_code == 200
    assert "⚠ Cannot reach its sample size in this sprint: it needs" in response.text
    assert "Pull in" not in response.text  # a viewer reads, never plans


def test_refused_pull_shows_the_lifecycle_message_and_changes_nothing(
    client, people, sprint, make_test
):
    experiment = make_test(hypothesis_effect="")
    client.force_login(people.lead)
    response = client.post(url("pull", sprint.pk), {"experiment": experiment.pk})
    assert response.status_code == 400
    assert "It still needs the expected effect (“will …”)." in response.text
    experiment.refresh_from_db()
    assert experiment.sprint is None


def test_pulling_an_idea_makes_a_draft_in_the_sprint(client, people, sprint):
    idea = idea_make(people)
    client.force_login(people.lead)
    response = client.post(url("pull", sprint.pk), {"idea": idea.pk})
    assert response.status_code == 302
    experiment = Experiment.objects.get(idea=idea)
    assert (experiment.status, experiment.sprint, experiment.title) == (
        Status.DRAFT,
        sprint,
        "Show delivery date on product page",
    )


def test_board_move_gives_the_lifecycle_message(client, people, sprint, planned):
    client.force_login(people.lead)
    response = client.post(url("board_move", sprint.pk, planned.pk, "stop"))
    assert response.status_code == 409
    assert "“Free shipping banner”: A planned test cannot be stopped." in response.text
    response = client.post(url("board_move", sprint.pk, planned.pk, "start"))
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.status == Status.RUNNING


@pytest.mark.parametrize("persona", ["owner", "outsider", "viewer"])
def test_board_moves_are_for_the_team_lead(client, people, sprint, planned, persona):
    client.force_login(getattr(people, persona))
    response = client.post(url("board_move", sprint.pk, planned.pk, "start"))
    assert response.status_code == 403
    planned.refresh_from_db()
    assert planned.status == Status.PLANNED


def test_board_shows_cards_in_their_columns(client, people, sprint, planned):
    client.force_login(people.viewer)
    response = client.get(url("board", sprint.pk))
    assert response.status_code == 200
    columns = {c.status: [e.title for e in c.cards] for c in response.context["columns"]}
    assert columns["planned"] == ["Free shipping banner"]
    assert "Start test: Free shipping banner" not in response.text


def test_anonymous_people_are_sent_to_sign_in(client, sprint):
    for page in (url("list"), url("detail", sprint.pk), url("review", sprint.pk)):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    response = client.post(url("activate", sprint.pk))
    assert response.status_code == 302
    sprint.refresh_from_db()
    assert sprint.status == Sprint.Status.PLANNING


def test_lead_creates_a_sprint_with_the_team_defaults(client, people):
    client.force_login(people.lead)
    data = {"team": people.team.pk, "starts_on": today().isoformat(), "goal": "More orders"}
    response = client.post(url("create"), data)
    sprint = Sprint.objects.get(team=people.team)
    assert response.status_code == 302
    assert (sprint.number, sprint.goal, (sprint.ends_on - sprint.starts_on).days) == (
        1,
        "More orders",
        20,
    )


def test_bad_dates_are_named_on_the_form_and_nothing_is_saved(client, people):
    client.force_login(people.lead)
    data = {"team": people.team.pk, "starts_on": "2026-03-10", "ends_on": "2026-03-01"}
    response = client.post(url("create"), data)
    assert response.status_code == 400
    assert "A sprint must end after the day it starts." in response.text
    assert not Sprint.objects.exists()


def test_marketer_cannot_create_a_sprint(client, people):
    client.force_login(people.owner)
    response = client.post(url("create"), {"team": people.team.pk, "starts_on": "2026-03-10"})
    assert response.status_code == 403
    assert not Sprint.objects.exists()


def test_closing_the_review_records_notes_and_freezes(client, people, in_review):
    client.force_login(people.lead)
    response = client.post(url("review", in_review.pk), {"review_notes": "", "action_items": ""})
    assert response.status_code == 400
    assert "This field is required." in response.text
    data = {"review_notes": "Shipping costs matter.", "action_items": "- Test thresholds (Lina)"}
    response = client.post(url("review", in_review.pk), data, follow=True)
    assert "Review closed. Sprint 1 is now on record." in response.text
    in_review.refresh_from_db()
    assert (in_review.status, in_review.review_notes) == ("closed", "Shipping costs matter.")
    response = client.post(url("edit", in_review.pk), {"starts_on": "2026-01-01", "goal": "x"})
    assert response.status_code == 400
    assert "Sprint 1 is closed: its record can no longer change." in response.text


@pytest.mark.parametrize("persona", ["owner", "outsider", "viewer"])
def test_only_the_lead_closes_the_review(client, people, in_review, persona):
    client.force_login(getattr(people, persona))
    response = client.post(url("review", in_review.pk), {"review_notes": "Sneaky."})
    assert response.status_code == 403
    in_review.refresh_from_db()
    assert in_review.status == Sprint.Status.IN_REVIEW


def test_review_page_lists_the_agenda_with_charts_data(client, people, in_review):
    client.force_login(people.viewer)
    response = client.get(url("review", in_review.pk))
    assert response.status_code == 200
    review = response.context["review"]
    assert [e.title for e in review.concluded] == ["Won"]
    assert review.concluded[0].outcome == "Won"
    assert "Delivery dates sell." in response.text
    assert 'id="sprint-figures"' in response.text
    assert response.context["figures"]["velocity"]["data"][0]["y"] == [1]


def test_the_review_reads_in_finnish_with_finnish_numbers_and_dates(
    client, people, sprint, make_test
):
    sprint_activate(sprint=sprint, user=people.lead)
    for title, decision in [
        ("Won", Decision.SHIP),
        ("Stopped", Decision.ABANDON),
        ("Unclear", Decision.INCONCLUSIVE),
    ]:
        experiment = experiment_add_to_sprint(
            sprint=sprint, experiment=make_test(title), user=people.lead
        )
        experiment_transition(experiment=experiment, user=people.owner, action="start")
        experiment_conclude(
            experiment=experiment,
            user=people.lead,
            decision=decision,
            learning="Delivery dates sell.",
            reason="Shipped on last year's result.",
        )
    sprint_start_review(sprint=sprint, user=people.lead)
    people.viewer.language = "fi"
    people.viewer.save(update_fields=["language"])
    client.force_login(people.viewer)
    page = client.get(url("review", sprint.pk)).content.decode()
    assert '<html lang="fi">' in page
    assert f"{people.team} · sprintti 1" in page
    for phrase in ("Mitä päättyi ja miten", "Opit ja jälkiarvioinnit", "Mitä opimme:"):
        assert phrase in page
    assert "<td>Voitti" in page and "<td>Hylätty" in page and "<td>Ei ratkaisua" in page
    # One shipped of three concluded, with a decimal comma and a space before the sign.
    assert '<td class="number" data-testid="win-rate">33,3\xa0%</td>' in page
    started = today()
    assert f"alkoi {started.day}.{started.month}.{started.year}" in page
    # The charts' own words travel as JSON in a script; the page's text is what is checked here.
    text = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    for english in ("What concluded", "Win rate", "Learnings and post-mortems", "Carried over"):
        assert english not in text


def test_review_exports_as_pdf_and_printable_page(client, people, in_review):
    client.force_login(people.viewer)
    response = client.get(url("review_pdf", in_review.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert (
        response["Content-Disposition"] == 'attachment; filename="web-growth-sprint-1-review.pdf"'
    )
    printable = client.get(url("review_print", in_review.pk))
    assert printable.status_code == 200
    assert "sprint 1 review" in printable.text


def test_the_review_pdf_reads_in_the_readers_language(client, people, in_review):
    """Headings, the tables' column words and the outcome a Finnish reader reads in Finnish."""
    people.viewer.language = "fi"
    people.viewer.save(update_fields=["language"])
    client.force_login(people.viewer)
    response = client.get(url("review_pdf", in_review.pk))
    assert response.status_code == 200
    text = pdf_text(response.content)
    for finnish in ("Mitä päättyi ja miten", "Testi", "Lopputulos", "Päätös", "Voitti", "Sprintti"):
        assert finnish in text
    for english in ("What concluded", "Outcome", "Decision", "Win rate", "Median days"):
        assert english not in text

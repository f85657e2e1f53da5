"""The backlog as each person reads it: their own team's ideas first, each team ranked by its
own scoring model from 1, and no "New idea" for someone who cannot write one.

Screenshots land in $GROWTHLAB_TEST_ARTIFACTS/screenshots/.
"""

from playwright.sync_api import Page, expect

from accounts.models import ScoringModel, Team
from experiments.services.ideas import idea_create
from tests.factories import idea_make

# CRM ranks by RICE (reach × impact × confidence ÷ effort ÷ 10): scores in the thousands.
CRM_IDEAS = {
    "Birthday voucher e-mail": (40_000, 8, 8, 2),  # 128,000
    "Win-back SMS": (20_000, 6, 7, 3),  # 28,000
    "Points reminder push": (10_000, 5, 5, 5),  # 5,000
}
# Web Growth ranks by ICE (the average of impact, confidence and ease, 1–10).
WEB_IDEAS = {"Delivery date on product page": (9, 8, 9), "Bigger search box": (6, 5, 7)}


def ideas_of_both_teams(people) -> None:
    Team.objects.filter(pk=people.other_team.pk).update(scoring_model=ScoringModel.RICE)
    for title, (reach, impact, confidence, effort) in CRM_IDEAS.items():
        idea_create(
            team=people.other_team,
            author=people.outsider,
            data={
                "title": title,
                "reach": reach,
                "impact": impact,
                "confidence": confidence,
                "effort": effort,
            },
        )
    for title, (impact, confidence, ease) in WEB_IDEAS.items():
        idea_make(people, title=title, impact=impact, confidence=confidence, ease=ease)


def team_sections(page: Page) -> list[tuple[str, list[str], list[str]]]:
    """(heading, ranks, titles) of each team's part of the backlog, top to bottom."""
    sections = []
    for section in page.get_by_test_id("backlog-team").all():
        heading = section.get_by_role("heading").inner_text()
        ranks = section.get_by_test_id("rank").all_inner_texts()
        titles = section.locator("tbody tr td:nth-child(2) a").all_inner_texts()
        sections.append((heading, ranks, titles))
    return sections


def test_a_marketer_sees_their_own_team_first_ranked_by_its_own_model(
    page, people, sign_in, screenshot
):
    ideas_of_both_teams(people)
    sign_in(page, people.owner)
    page.goto("/ideas/")
    (first, first_ranks, first_titles), (second, second_ranks, second_titles) = team_sections(page)
    assert first == "Web Growth your team"
    assert (first_ranks, first_titles) == (["1", "2"], list(WEB_IDEAS))
    assert second == "CRM"
    assert (second_ranks, second_titles) == (["1", "2", "3"], list(CRM_IDEAS))
    web, crm = page.get_by_test_id("backlog-team").all()
    expect(web.get_by_role("columnheader", name="ICE score")).to_be_visible()
    expect(crm.get_by_role("columnheader", name="RICE score")).to_be_visible()
    expect(page.get_by_role("link", name="New idea")).to_be_visible()
    screenshot(page, "backlog")


def test_the_other_teams_marketer_sees_their_team_first(page, people, sign_in):
    ideas_of_both_teams(people)
    sign_in(page, people.outsider)
    page.goto("/ideas/")
    headings = [heading for heading, _, _ in team_sections(page)]
    assert headings == ["CRM your team", "Web Growth"]


def test_a_viewer_is_offered_no_new_idea_or_new_test(page, people, sign_in):
    ideas_of_both_teams(people)
    sign_in(page, people.viewer)
    for path in ("/", "/ideas/", "/experiments/"):
        page.goto(path)
        expect(page.get_by_role("link", name="New idea")).to_have_count(0)
        expect(page.get_by_role("link", name="New test")).to_have_count(0)

"""No control a person cannot use: walking the demo's pages in Chromium, every link a person is
shown opens for them, and nobody is shown a button for a change their role does not allow.

Walked as the demo's viewer (Web Growth, reads everything, changes nothing), as a marketer of
another team (CRM) reading Web Growth's pages, and as Web Growth's own marketer, whose test
pages (outcome data included) hold the most controls.
"""

from urllib.parse import urlparse

from django.core.management import call_command
from playwright.sync_api import Page

from experiments.models import Experiment, Idea
from metrics.models import Metric
from sprints.models import Sprint
from tests.browser.test_demo_results import DEMO_PASSWORD, FAST_HASHERS

FORBIDDEN = 403
# Links that change nothing and lead nowhere a role decides: the page itself, files.
NOT_WALKED = ("/static/", "/media/", "/admin/", "/accounts/logout/")
# Buttons that act on the reader alone, never on shared work: every role may use them.
PERSONAL = ("/accounts/logout/", "/accounts/language/", "/notifications/follow/")


def sign_in_as(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def web_growth_pages() -> list[str]:
    """The backlog, an idea, tests in several states with their results, sprints, metrics,
    learnings and the calculator, as Web Growth's people and everyone else read them."""
    ideas = Idea.objects.filter(team__name="Web Growth").order_by("pk")[:3]
    experiments = Experiment.objects.filter(team__name="Web Growth").order_by("pk")
    tests = {e.status: e for e in experiments}.values()  # one test in each state
    sprints = Sprint.objects.filter(team__name="Web Growth").order_by("-starts_on")[:2]
    metric = Metric.objects.order_by("pk").first()
    return [
        "/",
        "/ideas/",
        *(idea.get_absolute_url() for idea in ideas),
        "/experiments/",
        *(e.get_absolute_url() for e in tests),
        *(f"/experiments/{e.pk}/results/" for e in tests),
        "/sprints/",
        *(s.get_absolute_url() for s in sprints),
        *(f"/sprints/{s.pk}/board/" for s in sprints),
        *(f"/sprints/{s.pk}/review/" for s in sprints),
        "/metrics/",
        f"/metrics/{metric.pk}/",
        "/learnings/",
        "/calculator/",
    ]


def controls_on(page: Page, path: str) -> tuple[set[str], set[str]]:
    """The same-site links and the actions of the POST forms on the page at ``path``."""
    page.goto(path)
    links = page.eval_on_selector_all("a[href]", "nodes => nodes.map((a) => a.href)")
    forms = page.eval_on_selector_all(
        "form[method=post], form[method=POST]", "nodes => nodes.map((f) => f.action)"
    )
    own = urlparse(page.url).netloc
    site_links = {
        urlparse(link)._replace(fragment="").geturl()
        for link in links
        if urlparse(link).netloc == own and not urlparse(link).path.startswith(NOT_WALKED)
    }
    posts = {
        urlparse(action).path for action in forms if not urlparse(action).path.startswith(PERSONAL)
    }
    return site_links, posts


def links_that_refuse(page: Page, pages: list[str]) -> list[str]:
    """'page -> link' for every link shown on ``pages`` that answers this person 403."""
    refused, answered = [], {}
    for path in pages:
        links, _ = controls_on(page, path)
        for link in sorted(links):
            if link not in answered:
                answered[link] = page.request.get(link).status
            if answered[link] == FORBIDDEN:
                refused.append(f"{path} -> {link}")
    return refused


def buttons_shown(page: Page, pages: list[str]) -> list[str]:
    """'page -> form action' for every button that would change something."""
    return [
        f"{path} -> {action}" for path in pages for action in sorted(controls_on(page, path)[1])
    ]


def test_a_viewer_is_shown_no_link_or_button_they_cannot_use(page, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    call_command("load_demo_data")
    pages = web_growth_pages()
    sign_in_as(page, "viewer.vic")
    assert links_that_refuse(page, pages) == []
    assert buttons_shown(page, pages) == []


def test_a_marketer_of_another_team_is_shown_nothing_they_cannot_use(page, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    call_command("load_demo_data")
    pages = web_growth_pages()
    sign_in_as(page, "johan.lundgren")  # a marketer in CRM & Loyalty
    assert links_that_refuse(page, pages) == []
    # Web Growth's tests, ideas and sprints are not theirs to change.
    assert buttons_shown(page, [p for p in pages if p not in ("/", "/ideas/")]) == []


def test_a_marketer_on_their_own_tests_is_shown_only_links_they_can_use(page, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    call_command("load_demo_data")
    experiments = Experiment.objects.filter(team__name="Web Growth").order_by("pk")
    outcome_pages = [f"/experiments/{e.pk}/outcomes/" for e in experiments[:3]]
    sign_in_as(page, "marketer.max")
    assert links_that_refuse(page, web_growth_pages() + outcome_pages) == []

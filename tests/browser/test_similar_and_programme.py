"""Similar past tests appear while an idea is typed; the programme view shows raw beside shrunk.

Screenshots land in $GROWTHLAB_TEST_ARTIFACTS/screenshots/.
"""

from playwright.sync_api import expect

from tests.learnings.conftest import library, shipped  # noqa: F401  (fixtures of learnings)


def test_similar_past_tests_appear_while_an_idea_is_typed(
    page,
    people,
    library,  # noqa: F811
    sign_in,
    screenshot,
):
    sign_in(page, people.owner)
    page.goto("/ideas/new/")
    similar = page.get_by_test_id("similar-tests")
    expect(similar).to_contain_text("Start typing")
    page.locator("#id_title").press_sequentially("when to send the birthday vouchers", delay=20)
    expect(similar.get_by_role("link").first).to_contain_text("Birthday voucher timing")
    expect(similar.locator("li")).to_have_count(5)
    screenshot(page, "similar-tests-while-typing")


def test_the_programme_view_shows_raw_and_shrunk_lifts(page, people, shipped, sign_in, screenshot):  # noqa: F811
    sign_in(page, people.viewer)
    page.goto("/learnings/")
    page.get_by_role("link", name="Programme impact of shipped tests").click()
    node = page.get_by_test_id("programme-node")
    expect(node).to_contain_text("Order conversion")
    expect(node.get_by_test_id("team-row")).to_have_count(1)
    expect(node.get_by_test_id("shipped-test")).to_have_count(5)
    # the node's chart is drawn by plotly.js from static files, under the strict CSP
    expect(node.locator("[data-figure]")).to_have_attribute("data-drawn", "true", timeout=30_000)
    expect(node.locator("[data-figure] .legend")).to_contain_text("Shrunk")
    expect(page.get_by_test_id("quarter-row")).to_have_count(1)
    screenshot(page, "programme-impact")


def test_the_live_list_shows_decision_and_lift(page, people, shipped, sign_in, screenshot):  # noqa: F811
    sign_in(page, people.owner)
    page.goto("/ideas/new/")
    similar = page.get_by_test_id("similar-tests")
    page.locator("#id_title").press_sequentially("shipped test again", delay=20)
    expect(similar.get_by_role("link").first).to_contain_text("Shipped test")
    expect(similar.locator(".badge-ship").first).to_be_visible()
    expect(similar.get_by_test_id("similar-lift").first).to_contain_text("on Order conversion")
    screenshot(page, "similar-tests-with-lift")

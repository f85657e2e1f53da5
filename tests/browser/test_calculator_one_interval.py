"""The calculator's answer names one interval for one effect: the one its verdict is decided on.

Screenshots land in $GROWTHLAB_TEST_ARTIFACTS/screenshots/.
"""

import re
from urllib.parse import urlencode

from playwright.sync_api import expect

# 1,000 of 10,000 against 1,220 of 10,000: a +22% change, the answer a marketer checks.
FINISHED_TEST = {
    "question": "significance",
    "kind": "binomial",
    "alpha": "0.05",
    "a_users": 10000,
    "a_conversions": 1000,
    "b_users": 10000,
    "b_conversions": 1220,
}
INTERVAL = re.compile(r"95% CI [+-]?[\d.]+% to [+-]?[\d.]+%")


def test_the_change_shows_the_verdicts_interval_and_labels_the_other_numbers(
    page, people, sign_in, screenshot
):
    sign_in(page, people.viewer)
    page.goto("/calculator/?" + urlencode(FINISHED_TEST))
    answer = page.get_by_test_id("significance-answer")
    verdict = answer.locator(".calc-verdict").inner_text()
    assert "Ship it." in verdict
    change = page.get_by_test_id("change").inner_text()
    # One interval on the screen, and it is the verdict's: the sentence and the figure agree.
    assert INTERVAL.findall(verdict) == INTERVAL.findall(change) != []
    assert change.startswith("+22% (")
    assert len(set(INTERVAL.findall(answer.inner_text()))) == 1
    # The chart's table draws that same range.
    low, high = re.search(r"95% CI ([+-][\d.]+)% to ([+-][\d.]+)%", change).groups()
    row = answer.locator("details.chart-table tbody tr").first
    _, table_low, table_high = (float(cell) for cell in row.locator("td").all_text_contents())
    assert (round(table_low), round(table_high)) == (round(float(low)), round(float(high)))
    expect(page.get_by_test_id("p-value")).to_contain_text("the one the verdict uses")
    expect(page.get_by_test_id("chance-to-win")).to_contain_text("the verdict does not use it")
    expect(answer.locator("[data-figure]")).to_have_attribute("data-drawn", "true")
    screenshot(page, "calculator")

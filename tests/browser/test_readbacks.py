"""Did the win hold, as a team lead sees it on the learning: a read-back that held, a later one
that reversed, and the post-mortem the reversal asks for, written on the page.

Screenshots land in $GROWTHLAB_TEST_ARTIFACTS/screenshots/.
"""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from learnings.readbacks import readback_plan_save, readback_sweep
from tests.learnings.readback_setup import (
    TABLE,
    customers,
    lifetime_value,
    shipped_from_sql,
    warehouse_drop,
    warehouse_fill,
    warehouse_run,
)


@pytest.fixture
def read_back(people):
    """Shipped 75 days ago; held at 30 days, and by 60 days the shipped variant's customers
    are worth less than the control's."""
    warehouse_fill(customers(shipped_gain=12.0))
    experiment = shipped_from_sql(people)
    readback_plan_save(
        experiment=experiment,
        user=people.lead,
        metric=lifetime_value(),
        column="clv",
        days=[30, 60],
    )
    readback_sweep(today=experiment.concluded_at.date() + timedelta(days=30))
    warehouse_run(f"UPDATE {TABLE} SET clv = clv - 40 WHERE grp = 'B'")
    readback_sweep()
    yield experiment
    warehouse_drop()


def test_the_learning_shows_a_held_and_a_reversed_read_back(
    page, people, read_back, sign_in, screenshot
):
    sign_in(page, people.lead)
    page.goto(f"/learnings/{read_back.pk}/")
    card = page.get_by_test_id("readbacks")
    expect(card.get_by_test_id("readback-30")).to_contain_text("Held")
    expect(card.get_by_test_id("readback-60")).to_contain_text("Reversed")
    prompt = card.get_by_test_id("postmortem-prompt")
    expect(prompt).to_contain_text("The win reversed: this learning is open for a post-mortem.")
    screenshot(page, "readbacks-held-and-reversed")
    prompt.get_by_label("What happened").fill(
        "Free shipping drew one-off buyers who never came back."
    )
    prompt.get_by_role("button", name="Save the post-mortem").click()
    expect(card.get_by_test_id("readback-postmortem")).to_contain_text("one-off buyers")
    expect(card.get_by_test_id("postmortem-prompt")).to_have_count(0)
    screenshot(page, "readbacks-postmortem-written")

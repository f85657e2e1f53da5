"""Did the win hold, beyond the learning: in the API (learnings, an experiment's read-backs)
and in the programme view (each shipped test's latest read-back, held/faded/reversed counts)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from experiments.models import Experiment
from learnings.models import ReadBack, ReadBackPlan, ReadBackStatus
from metrics.models import Metric
from tests.api.conftest import token_client


def plan_with(experiment, *readbacks: dict) -> ReadBackPlan:
    """Read-backs as the worker leaves them (their runs are tested in test_readbacks)."""
    metric = Metric.objects.create(name=f"Revenue per member {experiment.pk}", kind="mean")
    plan = ReadBackPlan.objects.create(
        experiment=experiment, metric=metric, control="A", shipped_variant="B"
    )
    for fields in readbacks:
        due = timezone.localdate() + timedelta(days=fields["days"] - 75)
        ReadBack.objects.create(plan=plan, due_on=due, **fields)
    return plan


HELD_30 = {
    "days": 30,
    "status": ReadBackStatus.SUCCEEDED,
    "outcome": "held",
    "estimate": 0.05,
    "ci_lower": 0.01,
    "ci_upper": 0.09,
    "metric_name": "Revenue per member",
}
REVERSED_60 = {**HELD_30, "days": 60, "outcome": "reversed", "estimate": -0.04}
REVERSED_60 |= {"ci_lower": -0.07, "ci_upper": -0.01}
PENDING_90 = {"days": 90}
FAILED_30 = {"days": 30, "status": ReadBackStatus.FAILED, "error": "The source is gone."}


@pytest.fixture
def read_back(shipped):
    """Shipped tests 0 (held then reversed, 90 days pending) and 1 (failed); the rest none."""
    first, second = Experiment.objects.get(pk=shipped[0]), Experiment.objects.get(pk=shipped[1])
    plan_with(first, HELD_30, REVERSED_60, PENDING_90)
    plan_with(second, FAILED_30)
    return first, second


def test_the_library_api_carries_each_read_back_with_its_outcome(people, read_back):
    first, second = read_back
    rows = token_client(people.viewer).get("/api/v1/learnings/").json()["results"]
    by_id = {row["id"]: row for row in rows}
    assert [(r["days"], r["outcome"]) for r in by_id[first.pk]["readbacks"]] == [
        (30, "held"),
        (60, "reversed"),
        (90, "pending"),
    ]
    reversed_60 = by_id[first.pk]["readbacks"][1]
    assert reversed_60["metric"] == "Revenue per member"
    assert (reversed_60["estimate"], reversed_60["ci_lower"], reversed_60["ci_upper"]) == (
        -0.04,
        -0.07,
        -0.01,
    )
    pending = by_id[first.pk]["readbacks"][2]
    assert pending["estimate"] is None and pending["metric"].startswith("Revenue per member ")
    [failed] = by_id[second.pk]["readbacks"]
    assert (failed["outcome"], failed["error"]) == ("failed", "The source is gone.")
    assert all(
        row["readbacks"] == [] for pk, row in by_id.items() if pk not in (first.pk, second.pk)
    )


def test_similar_tests_carry_their_read_backs(people, read_back):
    client = token_client(people.viewer)
    found = client.get("/api/v1/learnings/similar/", {"q": "shipped test 0"}).json()
    first = next(row for row in found if row["title"] == "Shipped test 0")
    assert [r["outcome"] for r in first["readbacks"]] == ["held", "reversed", "pending"]


def test_an_experiments_read_backs_and_a_missing_experiment(people, read_back, shipped):
    client = token_client(people.viewer)
    first, _ = read_back
    response = client.get(f"/api/v1/experiments/{first.pk}/readbacks/")
    assert response.status_code == 200
    assert [r["outcome"] for r in response.json()] == ["held", "reversed", "pending"]
    none_planned = client.get(f"/api/v1/experiments/{shipped[4]}/readbacks/")
    assert none_planned.status_code == 200 and none_planned.json() == []
    assert client.get("/api/v1/experiments/999999/readbacks/").status_code == 404
    assert client.post(f"/api/v1/experiments/{first.pk}/readbacks/").status_code == 405


def test_the_programme_view_shows_each_shipped_tests_latest_read_back_and_counts(
    client, people, read_back, shipped
):
    client.force_login(people.viewer)
    response = client.get(reverse("learnings:programme"))
    assert response.status_code == 200
    rows = response.text.split('data-testid="shipped-test"')[1:]
    cells = {row.split("</a>")[0].rsplit(">", 1)[1]: row for row in rows}
    latest = cells["Shipped test 0"].split('data-testid="shipped-readback"')[1].split("</td>")[0]
    assert "60 days" in latest and "badge-readback-reversed" in latest and "Reversed" in latest
    failed = cells["Shipped test 1"].split('data-testid="shipped-readback"')[1].split("</td>")[0]
    assert "30 days" in failed and "Failed" in failed
    none = cells["Shipped test 2"].split('data-testid="shipped-readback"')[1].split("</td>")[0]
    assert none.strip(">\n ") == "–"
    total = response.text.split('data-testid="node-total"')[1].split("</tr>")[0]
    assert '<td class="number" data-testid="held">0</td>' in total
    assert '<td class="number" data-testid="reversed">1</td>' in total


def test_the_counts_follow_each_tests_latest_outcome(people, read_back):
    from learnings.impact import programme_impact

    first, _ = read_back
    [node] = programme_impact()
    assert node.readback_counts == {"held": 0, "faded": 0, "reversed": 1}
    ReadBack.objects.filter(plan__experiment=first, days=60).delete()
    [node] = programme_impact()
    assert node.readback_counts == {"held": 1, "faded": 0, "reversed": 0}

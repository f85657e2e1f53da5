"""The calculator page: GET forms, answers in words and numbers, refusals naming the field."""

import pytest
from django.urls import reverse

URL = reverse("dashboard:calculator")


@pytest.fixture
def client_in(client, people):
    client.force_login(people.viewer)
    return client


def test_significance_of_a_finished_test_in_plain_words(client_in):
    # 5.0% of 20,000 vs 6.0% of 20,000: a 20% lift, z ≈ 4.4.
    query = {
        "question": "significance",
        "kind": "binomial",
        "alpha": "5",
        "a_users": 20000,
        "a_conversions": 1000,
        "b_users": 20000,
        "b_conversions": 1200,
    }
    response = client_in.get(URL, query)
    assert response.status_code == 200
    text = response.content.decode()
    assert "B raised the metric by 20%" in text
    assert "Ship it." in text
    figures = response.context["figures"]["significance"]
    assert figures["data"][0]["x"][1] == pytest.approx(20.0)


def test_significance_of_averages_from_mean_and_sd(client_in):
    query = {
        "question": "significance",
        "kind": "mean",
        "alpha": "5",
        "a_users": 5000,
        "a_mean": 100,
        "a_sd": 40,
        "b_users": 5000,
        "b_mean": 100.5,
        "b_sd": 40,
    }
    response = client_in.get(URL, query)
    assert response.status_code == 200
    comparison = response.context["answer"]["comparison"]
    assert comparison["relative"]["estimate"] == pytest.approx(0.005)
    assert comparison["status"] == "no_difference"


def test_more_conversions_than_users_is_refused_on_that_field(client_in):
    query = {
        "question": "significance",
        "kind": "binomial",
        "alpha": "5",
        "a_users": 100,
        "a_conversions": 150,
        "b_users": 100,
        "b_conversions": 10,
    }
    response = client_in.get(URL, query)
    assert response.status_code == 400
    errors = response.context["forms"]["significance"].errors
    assert list(errors) == ["a_conversions"]
    assert "Conversions in A" in errors["a_conversions"][0]


def test_plan_gives_users_days_and_the_sprint_check(client_in):
    # 5% baseline, 10% relative MDE, α 0.05 two-sided, power 0.8: 31,234 per arm (statsmodels).
    query = {
        "question": "plan",
        "kind": "binomial",
        "baseline": 5,
        "mde": 10,
        "daily_traffic": 4000,
        "n_variants": 2,
        "alpha": 5,
        "power": 80,
    }
    response = client_in.get(URL, query)
    answer = response.context["answer"]
    assert response.status_code == 200
    assert answer["n_per_variant"][0] == pytest.approx(31234, abs=20)
    assert answer["days"] == 16
    assert "It fits in a 21-day sprint." in response.content.decode()


def test_a_baseline_rate_above_100_percent_names_the_field(client_in):
    query = {
        "question": "plan",
        "kind": "binomial",
        "baseline": 150,
        "mde": 10,
        "daily_traffic": 4000,
        "n_variants": 2,
        "alpha": 5,
        "power": 80,
    }
    response = client_in.get(URL, query)
    assert response.status_code == 400
    assert list(response.context["forms"]["plan"].errors) == ["baseline"]


def test_sprint_question_gives_the_smallest_detectable_lift(client_in):
    # 4,000 users a day for 21 days in two arms: 42,000 per arm on a 5% baseline.
    query = {
        "question": "sprint",
        "kind": "binomial",
        "baseline": 5,
        "daily_traffic": 4000,
        "n_variants": 2,
        "alpha": 5,
        "power": 80,
        "days": 21,
    }
    response = client_in.get(URL, query)
    answer = response.context["answer"]
    assert answer["per_variant"] == 42000
    assert 0.08 < answer["mde"] < 0.09
    assert "can detect a change of 8." in response.content.decode()


def test_an_empty_calculator_shows_three_forms_and_no_answer(client_in):
    response = client_in.get(URL)
    assert response.status_code == 200
    assert response.context["answer"] is None
    assert set(response.context["forms"]) == {"significance", "plan", "sprint"}


def test_signed_out_people_are_sent_to_sign_in(client, db):
    assert client.get(URL).status_code == 302


SIGNIFICANCE = {
    "question": "significance",
    "kind": "binomial",
    "alpha": 5,
    "a_users": 100,
    "a_conversions": 5,
    "b_users": 100,
    "b_conversions": 6,
}
PLAN = {
    "question": "plan",
    "kind": "binomial",
    "baseline": 5,
    "mde": 10,
    "daily_traffic": 4000,
    "n_variants": 2,
    "alpha": 5,
    "power": 80,
}
A_USERS = "Visitors in A (control): enter"


@pytest.mark.parametrize(
    ("question", "change", "field", "message"),
    [
        ("significance", {"a_users": "9" * 401}, "a_users", f"{A_USERS} at most"),
        ("significance", {"a_users": 0}, "a_users", f"{A_USERS} at least 1 visitor."),
        (
            "significance",
            {"b_conversions": 150},
            "b_conversions",
            "Conversions in B: cannot be more than the visitors.",
        ),
        ("plan", {"baseline": "9" * 401}, "baseline", "enter a percentage between 0 and 100 %"),
        (
            "plan",
            {"baseline": 0},
            "baseline",
            "Today's conversion rate: enter a percentage between 0 and 100 %.",
        ),
        ("plan", {"daily_traffic": "9" * 30}, "daily_traffic", "at least 1 user a day"),
        ("plan", {"mde": 5000}, "mde", "Smallest lift worth finding (%): enter a percentage"),
        ("plan", {"alpha": 0.0}, "alpha", "Significance level (%): enter a percentage"),
        ("sprint", {"days": 10**9}, "days", "Days the test runs: enter from 1 to 365 days."),
    ],
)
def test_a_number_out_of_range_is_refused_in_plain_words(
    client_in, question, change, field, message
):
    base = SIGNIFICANCE if question == "significance" else PLAN
    query = base | {"question": question} | change
    if question == "sprint":
        query = {k: v for k, v in query.items() if k != "mde"} | {"days": change["days"]}
    response = client_in.get(URL, query)
    assert response.status_code == 400
    errors = response.context["forms"][question].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert "must be" not in response.text


def test_percentages_are_percentages_everywhere_on_the_calculator(client_in):
    """5 % significance and 80 % power are the engine's 0.05 and 0.8: the same 31,234 users."""
    response = client_in.get(URL, PLAN)
    assert response.status_code == 200
    assert response.context["answer"]["n_per_variant"][0] == pytest.approx(31234, abs=20)
    page = client_in.get(URL).text
    assert "Significance level (%)" in page and "Power (%)" in page

from datetime import timedelta

from django.utils import timezone

from experiments.models import Decision, Experiment, MetricRole, Variant
from experiments.services.lifecycle import experiment_transition
from sprints.models import Sprint
from tests.factories import experiment_make, metric_make, read_fixed_horizon

EXPERIMENTS = "/api/v1/experiments/"


def url(experiment, tail: str = "") -> str:
    return f"{EXPERIMENTS}{experiment.id}/{tail}"


def test_detail_has_hypothesis_variants_metrics_and_history(as_user, people):
    experiment = experiment_make(people, ready=True)
    body = as_user(people.viewer).get(url(experiment)).json()
    assert body["hypothesis"] == (
        "Because we saw cart abandonment peaks when shipping costs appear, we believe that "
        "showing free shipping above 499 SEK in the cart for Returning visitors in Sweden will "
        "increase completed orders on Order conversion. We will know when Order conversion "
        "moves by 5% within 21 days."
    )
    assert [(v["name"], v["is_control"]) for v in body["variants"]] == [("A", True), ("B", False)]
    assert [(m["metric"]["name"], m["role"]) for m in body["metrics"]] == [
        ("Order conversion", "primary")
    ]
    assert body["status"] == "draft"
    assert body["history"][-1]["summary"] == "Created the test"


def test_create_with_a_bad_plan_names_the_fields(as_user, people):
    body = {"team": people.team.id, "title": "x", "plan_alpha": "often", "mde_relative": -1}
    response = as_user(people.owner).post(EXPERIMENTS, body, format="json")
    assert response.status_code == 400
    assert response.json() == {"plan_alpha": ["A valid number is required."]}
    body["plan_alpha"] = 0.05
    response = as_user(people.owner).post(EXPERIMENTS, body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["The minimum detectable effect must be above zero."]
    }
    assert not Experiment.objects.exists()


def test_create_makes_a_draft_with_control_and_treatment(as_user, people):
    body = {"team": people.team.id, "title": "Bigger buy button", "tags": ["cta"]}
    response = as_user(people.owner).post(EXPERIMENTS, body, format="json")
    assert response.status_code == 201
    experiment = Experiment.objects.get()
    assert response.json()["id"] == experiment.id
    assert experiment.owner == people.owner
    assert experiment.variants.count() == 2


def test_start_refused_with_the_services_message_and_nothing_changed(as_user, people):
    experiment = experiment_make(people)
    response = as_user(people.owner).post(url(experiment, "transitions/start/"))
    assert response.status_code == 409
    assert response.json()["detail"].startswith("The test cannot start yet. It still needs the ")
    experiment.refresh_from_db()
    assert experiment.status == Experiment.Status.DRAFT


def test_ready_test_starts_and_stops(as_user, people):
    experiment = experiment_make(people, ready=True)
    response = as_user(people.owner).post(url(experiment, "transitions/start/"))
    assert response.status_code == 200
    assert response.json()["status"] == "running"
    assert as_user(people.owner).post(url(experiment, "transitions/stop/")).status_code == 200
    experiment.refresh_from_db()
    assert experiment.status == Experiment.Status.ANALYSING


def test_unknown_action_is_a_404_listing_the_actions(as_user, people):
    experiment = experiment_make(people)
    response = as_user(people.owner).post(url(experiment, "transitions/launch/"))
    assert response.status_code == 404
    assert response.json() == {
        "detail": "There is no transition “launch”; the actions are plan, unplan, start, stop, "
        "archive."
    }


def test_lead_concludes_with_decision_learning_and_postmortem(as_user, people):
    experiment = experiment_make(people, ready=True)
    experiment_transition(experiment=experiment, user=people.owner, action="start")
    body = {
        "decision": "ship",
        "learning": "Free shipping lifts orders.",
        "why": "Clear lift.",
        "reason": "Shipped on judgement.",
    }
    response = as_user(people.lead).post(url(experiment, "conclude/"), body, format="json")
    assert response.status_code == 200
    experiment.refresh_from_db()
    assert experiment.status == Experiment.Status.CONCLUDED
    assert experiment.decision == Decision.SHIP
    assert experiment.postmortem_why == "Clear lift."


def test_conclude_without_learning_names_the_field(as_user, people):
    experiment = experiment_make(people, ready=True)
    experiment_transition(experiment=experiment, user=people.owner, action="start")
    body = {"decision": "maybe", "learning": "  "}
    response = as_user(people.lead).post(url(experiment, "conclude/"), body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "decision": ['"maybe" is not a valid choice.'],
        "learning": ["This field may not be blank."],
    }
    experiment.refresh_from_db()
    assert experiment.status == Experiment.Status.RUNNING


def test_conclude_a_draft_is_refused_with_the_services_message(as_user, people):
    experiment = experiment_make(people)
    body = {"decision": "ship", "learning": "x"}
    response = as_user(people.lead).post(url(experiment, "conclude/"), body, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "A draft test cannot be concluded."}


def test_variant_added_then_locked_once_running(as_user, people):
    experiment = experiment_make(people, ready=True)
    client = as_user(people.owner)
    body = {"name": "C", "traffic_share": "20.00"}
    response = client.post(url(experiment, "variants/"), body, format="json")
    assert response.status_code == 201
    assert Variant.objects.filter(experiment=experiment, name="C").exists()
    client.delete(url(experiment, f"variants/{response.json()['id']}/"))
    experiment_transition(experiment=experiment, user=people.owner, action="start")
    response = client.post(url(experiment, "variants/"), body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "Variants cannot change once the test has started: users already saw them."
        ]
    }
    assert experiment.variants.count() == 2


def test_attach_and_detach_a_guardrail(as_user, people):
    experiment = experiment_make(people, ready=True)
    metric = metric_make("Returns", kind="binomial")
    client = as_user(people.owner)
    body = {"metric": metric.id, "role": "guardrail"}
    response = client.post(url(experiment, "metrics/"), body, format="json")
    assert response.status_code == 201
    link = experiment.experiment_metrics.get(metric=metric)
    assert link.role == MetricRole.GUARDRAIL
    assert client.delete(url(experiment, f"metrics/{link.id}/")).status_code == 204
    assert not experiment.experiment_metrics.filter(metric=metric).exists()


def test_attach_an_unknown_metric_names_the_field(as_user, people):
    experiment = experiment_make(people)
    body = {"metric": 999999, "role": "primary"}
    response = as_user(people.owner).post(url(experiment, "metrics/"), body, format="json")
    assert response.status_code == 400
    assert response.json() == {"metric": ['Invalid pk "999999" - object does not exist.']}


def test_plan_computes_the_sample_size(as_user, people):
    experiment = read_fixed_horizon(experiment_make(people, ready=True))
    body = {"plan_baseline": 0.05, "mde_relative": 10, "plan_daily_traffic": 4000}
    response = as_user(people.owner).post(url(experiment, "plan/"), body, format="json")
    assert response.status_code == 200
    experiment.refresh_from_db()
    assert (
        experiment.plan_sample_size_per_variant == response.json()["plan_sample_size_per_variant"]
    )
    assert 30000 < experiment.plan_sample_size_per_variant < 33000


def test_filters_by_status_team_and_text(as_user, people):
    a = experiment_make(people, title="Free shipping banner")
    b = experiment_make(people, title="Checkout copy")
    Experiment.objects.filter(pk=b.pk).update(status="archived")
    client = as_user(people.viewer)
    ids = lambda **q: [row["id"] for row in client.get(EXPERIMENTS, q).json()["results"]]  # noqa: E731
    assert ids(status="archived") == [b.id]
    assert ids(q="shipping") == [a.id]
    assert ids(team=people.other_team.id) == []
    assert sorted(ids(team=people.team.id)) == sorted([a.id, b.id])


def test_date_and_sprint_filters(as_user, people):
    experiment = experiment_make(people)
    today = timezone.localdate()
    sprint = Sprint.objects.create(
        team=people.team, number=1, starts_on=today, ends_on=today + timedelta(days=20)
    )
    Experiment.objects.filter(pk=experiment.pk).update(sprint=sprint)
    client = as_user(people.viewer)
    rows = client.get(EXPERIMENTS, {"sprint": sprint.id, "created_after": today}).json()
    assert [row["id"] for row in rows["results"]] == [experiment.id]
    tomorrow = today + timedelta(days=1)
    assert client.get(EXPERIMENTS, {"created_after": tomorrow}).json()["count"] == 0


def test_malformed_filters_are_400s_naming_them(as_user, people):
    client = as_user(people.viewer)
    assert client.get(EXPERIMENTS, {"team": "abc"}).json() == {
        "team": ["A valid integer is required."]
    }
    assert client.get(EXPERIMENTS, {"status": "done"}).json() == {
        "status": ['"done" is not a valid choice.']
    }
    response = client.get(EXPERIMENTS, {"created_after": "2025-13-01"})
    assert response.status_code == 400
    assert list(response.json()) == ["created_after"]
    response = client.get(
        EXPERIMENTS, {"updated_after": "2025-02-01", "updated_before": "2025-01-01"}
    )
    assert response.json() == {"updated_before": ["Must be on or after updated_after."]}


def test_page_out_of_range_is_a_404_naming_it(as_user, people):
    experiment_make(people)
    response = as_user(people.viewer).get(EXPERIMENTS, {"page": 7})
    assert response.status_code == 404
    assert response.json() == {"detail": "Page 7 does not exist: That page contains no results"}


def test_page_size_is_capped(as_user, people):
    experiment_make(people)
    response = as_user(people.viewer).get(EXPERIMENTS, {"page_size": 10000})
    assert response.status_code == 200
    assert response.json()["count"] == 1

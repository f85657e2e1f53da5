"""The documentation services and the checked lifecycle: every precondition, every refusal.

Each precondition of a start (or a plan) is taken away on its own from a test that is
otherwise ready, and the refusal must name exactly that item. The database constraints are
exercised by bypassing the services, because they must hold for any writer.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from experiments.models import (
    Decision,
    Experiment,
    ExperimentMetric,
    HistoryEntry,
    Idea,
    MetricRole,
    Variant,
)
from experiments.services.experiments import (
    experiment_create_from_idea,
    experiment_metric_attach,
    experiment_metric_detach,
    experiment_update,
    variant_remove,
    variant_save,
)
from experiments.services.ideas import idea_create, idea_update
from experiments.services.lifecycle import (
    TRANSITIONS,
    experiment_conclude,
    experiment_transition,
)
from metrics.models import Metric, MetricKind
from sprints.models import Sprint
from tests.factories import experiment_make, idea_make, metric_make

Status = Experiment.Status

INSIGHT = "the insight behind the hypothesis (“Because we saw …”)"
CHANGE = "the change the hypothesis tests (“we believe that …”)"
EFFECT = "the expected effect (“will …”)"


def force(experiment: Experiment, status: str, **fields) -> Experiment:
    """Put the experiment in `status` directly, with what the database demands of it."""
    if status in (Status.RUNNING, Status.ANALYSING, Status.CONCLUDED):
        fields.setdefault("started_at", timezone.now())
    if status == Status.CONCLUDED:
        fields.setdefault("decision", Decision.ITERATE)
        fields.setdefault("learning", "Shipping costs matter less than we thought.")
    Experiment.objects.filter(pk=experiment.pk).update(status=status, **fields)
    experiment.refresh_from_db()
    return experiment


def in_a_sprint(people, experiment: Experiment) -> Experiment:
    """Planning a test means pulling it into a sprint; give it one."""
    start = datetime.date(2025, 3, 3)
    sprint = Sprint.objects.create(
        team=people.team, number=1, starts_on=start, ends_on=start + datetime.timedelta(21)
    )
    Experiment.objects.filter(pk=experiment.pk).update(sprint=sprint)
    experiment.refresh_from_db()
    return experiment


def refused(call, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as error:
        call(**kwargs)
    return error.value.messages


# --- Start and plan: each missing item named on its own ----------------------------------


def drop_insight(experiment):
    Experiment.objects.filter(pk=experiment.pk).update(hypothesis_insight="")


def drop_change(experiment):
    Experiment.objects.filter(pk=experiment.pk).update(hypothesis_change="")


def drop_effect(experiment):
    Experiment.objects.filter(pk=experiment.pk).update(hypothesis_effect="")


def drop_mde(experiment):
    Experiment.objects.filter(pk=experiment.pk).update(mde_relative=None)


def drop_control(experiment):
    experiment.variants.update(is_control=False)


def drop_treatment(experiment):
    experiment.variants.filter(is_control=False).delete()
    experiment.variants.update(traffic_share=100)


def unbalance_traffic(experiment):
    experiment.variants.filter(is_control=False).update(traffic_share=30)


def drop_primary_metric(experiment):
    experiment.experiment_metrics.update(role=MetricRole.SECONDARY)


def drop_plan(experiment):
    Experiment.objects.filter(pk=experiment.pk).update(plan_sample_size_per_variant=None)


MISSING_ONE = [
    pytest.param(drop_insight, INSIGHT, id="insight"),
    pytest.param(drop_change, CHANGE, id="change"),
    pytest.param(drop_effect, EFFECT, id="effect"),
    pytest.param(drop_mde, "a minimum detectable effect", id="mde"),
    pytest.param(drop_control, "a control variant", id="control"),
    pytest.param(drop_treatment, "at least one treatment variant", id="treatment"),
    pytest.param(
        unbalance_traffic, "traffic shares that add up to 100% (now 80%)", id="traffic-80"
    ),
    pytest.param(drop_primary_metric, "a primary metric", id="primary-metric"),
    pytest.param(drop_plan, "a sample-size plan", id="sample-size-plan"),
]


@pytest.mark.parametrize(("take_away", "missing"), MISSING_ONE)
@pytest.mark.parametrize(
    ("action", "verb"), [("start", "start"), ("plan", "be planned")], ids=["start", "plan"]
)
def test_start_and_plan_name_the_single_missing_item(people, take_away, missing, action, verb):
    experiment = in_a_sprint(people, experiment_make(people, ready=True))
    take_away(experiment)
    before = HistoryEntry.objects.filter(experiment=experiment).count()

    messages = refused(
        experiment_transition, experiment=experiment, user=people.owner, action=action
    )

    assert messages == [f"The test cannot {verb} yet. It still needs {missing}."]
    experiment.refresh_from_db()
    assert experiment.status == Status.DRAFT
    assert experiment.started_at is None
    assert HistoryEntry.objects.filter(experiment=experiment).count() == before


def test_several_missing_items_are_listed_in_one_sentence(people):
    experiment = experiment_make(people, ready=True)
    drop_effect(experiment)
    drop_control(experiment)
    drop_plan(experiment)
    messages = refused(
        experiment_transition, experiment=experiment, user=people.owner, action="start"
    )
    assert messages == [
        f"The test cannot start yet. It still needs {EFFECT}, a control variant "
        "and a sample-size plan."
    ]


def test_traffic_over_100_is_named_with_its_total(people):
    experiment = in_a_sprint(people, experiment_make(people, ready=True))
    experiment.variants.filter(is_control=True).update(traffic_share="60.5")
    messages = refused(
        experiment_transition, experiment=experiment, user=people.owner, action="plan"
    )
    assert messages == [
        "The test cannot be planned yet. It still needs traffic shares that add up to 100% "
        "(now 110.5%)."
    ]


def test_three_variants_sharing_100_may_start(people):
    experiment = experiment_make(people, ready=True)
    experiment.variants.update(traffic_share="33.33")
    Variant.objects.create(experiment=experiment, name="C", traffic_share="33.34")
    started = experiment_transition(experiment=experiment, user=people.owner, action="start")
    assert started.status == Status.RUNNING


def test_plan_then_start_from_planned(people):
    experiment = in_a_sprint(people, experiment_make(people, ready=True))
    planned = experiment_transition(experiment=experiment, user=people.owner, action="plan")
    assert planned.status == Status.PLANNED
    assert planned.started_at is None
    back = experiment_transition(experiment=planned, user=people.owner, action="unplan")
    assert back.status == Status.DRAFT
    experiment_transition(experiment=back, user=people.owner, action="plan")
    running = experiment_transition(experiment=back, user=people.teammate, action="start")
    assert running.status == Status.RUNNING
    assert running.started_at is not None
    summaries = list(running.history.values_list("summary", flat=True)[:4])
    assert summaries == ["Start test", "Plan", "Back to draft", "Plan"]


def test_stop_stamps_the_stop_time(people):
    experiment = experiment_make(people, ready=True)
    experiment_transition(experiment=experiment, user=people.owner, action="start")
    stopped = experiment_transition(experiment=experiment, user=people.owner, action="stop")
    assert stopped.status == Status.ANALYSING
    assert stopped.stopped_at is not None
    assert stopped.stopped_at >= stopped.started_at


# --- Transitions from the wrong state ----------------------------------------------------

ARTICLE = {"analysing": "An", "archived": "An"}
WRONG_STATES = [
    pytest.param(action, status, id=f"{action}-from-{status}")
    for action, transition in TRANSITIONS.items()
    for status in Status.values
    if status not in transition.sources
]


@pytest.mark.parametrize(("action", "status"), WRONG_STATES)
def test_transition_from_a_wrong_state_is_refused_by_name(people, action, status):
    experiment = force(experiment_make(people, ready=True), status)
    details = {"decision": Decision.SHIP, "learning": "x"} if action == "conclude" else {}
    before = experiment.history.count()

    messages = refused(
        experiment_transition, experiment=experiment, user=people.lead, action=action, **details
    )

    label = Status(status).label.lower()
    article = ARTICLE.get(status, "A")
    assert messages == [f"{article} {label} test cannot be {TRANSITIONS[action].verb}."]
    experiment.refresh_from_db()
    assert experiment.status == status
    assert experiment.history.count() == before


def test_wrong_state_messages_read_as_english(people):
    experiment = force(experiment_make(people, ready=True), Status.RUNNING)
    assert refused(
        experiment_transition, experiment=experiment, user=people.owner, action="start"
    ) == ["A running test cannot be started."]
    assert refused(
        experiment_transition, experiment=experiment, user=people.owner, action="unplan"
    ) == ["A running test cannot be moved back to draft."]
    force(experiment, Status.ARCHIVED)
    assert refused(
        experiment_transition, experiment=experiment, user=people.owner, action="archive"
    ) == ["An archived test cannot be archived."]


def test_wrong_state_is_checked_before_missing_documentation(people):
    experiment = force(experiment_make(people), Status.ANALYSING)  # nothing documented
    assert refused(
        experiment_transition, experiment=experiment, user=people.owner, action="start"
    ) == ["An analysing test cannot be started."]


def test_the_transition_reads_the_current_state_not_a_stale_copy(people):
    experiment = experiment_make(people, ready=True)
    stale = Experiment.objects.get(pk=experiment.pk)
    experiment_transition(experiment=experiment, user=people.owner, action="start")
    messages = refused(
        experiment_transition, experiment=stale, user=people.teammate, action="start"
    )
    assert messages == ["A running test cannot be started."]


# --- Conclude and archive ----------------------------------------------------------------

DECISION_NEEDED = "a decision (ship, iterate, abandon or inconclusive)"


@pytest.mark.parametrize(
    ("decision", "learning", "missing"),
    [
        ("", "We learned a lot.", DECISION_NEEDED),
        ("maybe", "We learned a lot.", DECISION_NEEDED),
        (Decision.SHIP, "", "a written learning"),
        (Decision.SHIP, "   \n ", "a written learning"),
        ("", "", f"{DECISION_NEEDED} and a written learning"),
    ],
    ids=["no-decision", "unknown-decision", "no-learning", "blank-learning", "neither"],
)
def test_conclude_names_what_is_missing(people, decision, learning, missing):
    experiment = force(experiment_make(people, ready=True), Status.ANALYSING)
    messages = refused(
        experiment_conclude,
        experiment=experiment,
        user=people.lead,
        decision=decision,
        learning=learning,
    )
    assert messages == [f"The test cannot be concluded yet. It still needs {missing}."]
    experiment.refresh_from_db()
    assert experiment.status == Status.ANALYSING
    assert experiment.concluded_at is None


def test_conclude_keeps_decision_learning_and_post_mortem(people):
    experiment = experiment_make(people, ready=True)
    experiment_transition(experiment=experiment, user=people.owner, action="start")
    concluded = experiment_transition(
        experiment=experiment,
        user=people.lead,
        action="conclude",
        decision=Decision.ABANDON,
        learning="  Free shipping did not move orders.  ",
        what_happened=" Orders flat. ",
        why="Shipping cost was not the blocker.",
        next_test="Delivery date promise.",
    )
    concluded.refresh_from_db()
    assert concluded.status == Status.CONCLUDED
    assert concluded.decision == Decision.ABANDON
    assert concluded.learning == "Free shipping did not move orders."
    assert concluded.postmortem_what_happened == "Orders flat."
    assert concluded.postmortem_why == "Shipping cost was not the blocker."
    assert concluded.postmortem_next_test == "Delivery date promise."
    assert concluded.concluded_at is not None
    assert concluded.stopped_at is not None  # concluded straight from running
    entry = concluded.history.first()
    assert entry.summary == "Concluded"
    assert entry.user == people.lead
    changed = {change["field"]: (change["old"], change["new"]) for change in entry.changes}
    assert changed["status"] == ("Running", "Concluded")
    assert changed["decision"] == ("", "Abandon")
    assert changed["learning"] == ("", "Free shipping did not move orders.")


def test_conclude_from_analysing_keeps_the_stop_time(people):
    experiment = experiment_make(people, ready=True)
    experiment_transition(experiment=experiment, user=people.owner, action="start")
    stopped = experiment_transition(experiment=experiment, user=people.owner, action="stop")
    concluded = experiment_conclude(
        experiment=stopped,
        user=people.lead,
        decision=Decision.SHIP,
        learning="It works.",
        reason="Shipped on judgement.",
    )
    assert concluded.stopped_at == stopped.stopped_at


@pytest.mark.parametrize("status", [Status.DRAFT, Status.PLANNED, Status.CONCLUDED])
def test_archive_from_each_allowed_state(people, status):
    experiment = force(experiment_make(people, ready=True), status)
    archived = experiment_transition(experiment=experiment, user=people.owner, action="archive")
    assert archived.status == Status.ARCHIVED
    assert archived.archived_at is not None
    entry = archived.history.first()
    assert entry.summary == "Archive"
    assert entry.changes == [
        {"field": "status", "label": "Status", "old": Status(status).label, "new": "Archived"}
    ]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Status.CONCLUDED, "A concluded test is part of the record and can no longer be edited."),
        (Status.ARCHIVED, "An archived test is part of the record and can no longer be edited."),
    ],
)
def test_concluded_and_archived_tests_are_frozen(people, status, message):
    experiment = force(experiment_make(people, ready=True), status)
    link = experiment.experiment_metrics.get()
    other = metric_make("Revenue per visitor", kind=MetricKind.MEAN)

    assert refused(
        experiment_update, experiment=experiment, user=people.owner, data={"title": "New"}
    ) == [message]
    assert refused(
        experiment_metric_attach,
        experiment=experiment,
        metric=other,
        role=MetricRole.GUARDRAIL,
        user=people.owner,
    ) == [message]
    assert refused(experiment_metric_detach, link=link, user=people.owner) == [message]
    experiment.refresh_from_db()
    assert experiment.title == "Free shipping banner on the cart page"
    assert experiment.experiment_metrics.count() == 1


@pytest.mark.parametrize(
    "status", [Status.RUNNING, Status.ANALYSING, Status.CONCLUDED, Status.ARCHIVED]
)
def test_variants_are_locked_once_users_saw_them(people, status):
    experiment = force(experiment_make(people, ready=True), status)
    locked = "Variants cannot change once the test has started: users already saw them."
    treatment = experiment.variants.get(is_control=False)
    treatment.traffic_share = 10
    assert refused(variant_save, variant=treatment, user=people.owner) == [locked]
    new = Variant(experiment=experiment, name="C", traffic_share=10)
    assert refused(variant_save, variant=new, user=people.owner) == [locked]
    assert refused(variant_remove, variant=treatment, user=people.owner) == [locked]
    assert sorted(experiment.variants.values_list("name", "traffic_share")) == [
        ("A", 50),
        ("B", 50),
    ]


# --- Documentation services --------------------------------------------------------------


def test_an_idea_becomes_a_linked_experiment_carrying_its_documentation(people):
    idea = idea_create(
        team=people.team,
        author=people.owner,
        data={
            "title": "Delivery date on the product page",
            "insight": "Support hears 'when will it arrive?' daily",
            "proposed_change": "showing the delivery date under the price",
            "audience": "Mobile visitors",
            "channel": "app",
            "impact": 8,
            "confidence": 6,
            "ease": 7,
        },
        tags=["checkout", "delivery"],
    )
    first = experiment_create_from_idea(idea=idea, user=people.teammate)
    second = experiment_create_from_idea(idea=idea, user=people.owner)

    assert first.idea == idea
    assert first.team == people.team
    assert first.owner == people.teammate
    assert first.title == "Delivery date on the product page"
    assert first.hypothesis_insight == "Support hears 'when will it arrive?' daily"
    assert first.hypothesis_change == "showing the delivery date under the price"
    assert first.audience == "Mobile visitors"
    assert first.channel == "app"
    assert sorted(first.tags.values_list("name", flat=True)) == ["checkout", "delivery"]
    assert first.status == Status.DRAFT
    assert list(first.variants.values_list("name", "is_control", "traffic_share")) == [
        ("A", True, 50),
        ("B", False, 50),
    ]
    idea.refresh_from_db()
    assert idea.status == Idea.Status.TESTING
    assert set(idea.experiments.all()) == {first, second}
    assert idea.history.first().summary == f"Turned into the test “{second.title}”"


def test_a_new_control_takes_over_from_the_old_one(people):
    experiment = experiment_make(people)
    treatment = experiment.variants.get(name="B")
    treatment.is_control = True
    variant_save(variant=treatment, user=people.owner)
    assert list(experiment.variants.filter(is_control=True).values_list("name", flat=True)) == ["B"]
    assert experiment.history.first().summary == "Changed variant B (control, 50%)"


def test_a_new_primary_metric_demotes_the_old_one(people):
    experiment = experiment_make(people, ready=True)
    old = experiment.experiment_metrics.get().metric
    new = metric_make("Add to cart rate")
    experiment_metric_attach(
        experiment=experiment, metric=new, role=MetricRole.PRIMARY, user=people.owner
    )
    roles = dict(experiment.experiment_metrics.values_list("metric__name", "role"))
    assert roles == {old.name: MetricRole.SECONDARY, new.name: MetricRole.PRIMARY}


def test_services_refuse_invalid_values_by_validation_not_by_crash(people):
    with pytest.raises(ValidationError) as error:
        idea_make(people, impact=11)
    assert "Impact is scored from 1 to 10." in error.value.messages
    assert Idea.objects.count() == 0

    idea = idea_make(people)
    with pytest.raises(ValidationError) as error:
        idea_update(idea=idea, user=people.owner, data={"title": ""})
    assert "title" in error.value.error_dict
    idea.refresh_from_db()
    assert idea.title == "Show delivery date on product page"

    experiment = experiment_make(people)
    with pytest.raises(ValidationError) as error:
        experiment_update(
            experiment=experiment,
            user=people.owner,
            data={
                "planned_start": datetime.date(2025, 3, 10),
                "planned_end": datetime.date(2025, 3, 1),
            },
        )
    assert error.value.messages == ["The planned end must be after the planned start."]
    assert experiment.history.count() == 1  # only "Created the test"


def test_services_refuse_fields_that_are_not_documentation(people):
    experiment = experiment_make(people)
    with pytest.raises(TypeError, match="status"):
        experiment_update(experiment=experiment, user=people.owner, data={"status": "running"})
    with pytest.raises(TypeError, match="team"):
        idea_update(idea=idea_make(people), user=people.owner, data={"team": people.other_team})


# --- Database constraints hold for any writer --------------------------------------------


def violates(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_database_refuses_a_concluded_test_without_learning_or_decision(people):
    experiment = force(experiment_make(people, ready=True), Status.ANALYSING)
    rows = Experiment.objects.filter(pk=experiment.pk)
    violates(lambda: rows.update(status="concluded"))
    violates(lambda: rows.update(status="concluded", decision="ship", learning=""))
    violates(lambda: rows.update(status="concluded", decision="", learning="A learning."))
    rows.update(status="concluded", decision="ship", learning="A learning.")  # allowed


@pytest.mark.parametrize("status", ["running", "analysing", "concluded"])
def test_database_refuses_a_started_test_without_start_time(people, status):
    rows = Experiment.objects.filter(pk=experiment_make(people).pk)
    violates(lambda: rows.update(status=status, decision="ship", learning="x"))


def test_database_refuses_a_second_control_and_a_second_primary_metric(people):
    experiment = experiment_make(people, ready=True)
    violates(lambda: Variant.objects.create(experiment=experiment, name="C", is_control=True))
    violates(lambda: experiment.variants.update(is_control=True))
    violates(lambda: Variant.objects.create(experiment=experiment, name="A"))  # same name
    second = metric_make("Average order value", kind=MetricKind.MEAN)
    violates(
        lambda: ExperimentMetric.objects.create(
            experiment=experiment, metric=second, role=MetricRole.PRIMARY
        )
    )
    first = experiment.experiment_metrics.get().metric
    violates(
        lambda: ExperimentMetric.objects.create(
            experiment=experiment, metric=first, role=MetricRole.GUARDRAIL
        )
    )


@pytest.mark.parametrize("share", ["0", "-5", "100.01", "150"])
def test_database_refuses_a_traffic_share_outside_0_to_100(people, share):
    experiment = experiment_make(people)
    violates(lambda: experiment.variants.filter(name="B").update(traffic_share=share))


@pytest.mark.parametrize("field", ["impact", "confidence", "ease"])
@pytest.mark.parametrize("value", [0, 11])
def test_database_refuses_an_ice_score_outside_1_to_10(people, field, value):
    rows = Idea.objects.filter(pk=idea_make(people).pk)
    violates(lambda: rows.update(**{field: value}))
    rows.update(**{field: 10})
    rows.update(**{field: 1})


def test_database_refuses_other_impossible_documentation(people):
    ideas = Idea.objects.filter(pk=idea_make(people).pk)
    violates(lambda: ideas.update(effort=0))
    experiments = Experiment.objects.filter(pk=experiment_make(people).pk)
    violates(
        lambda: experiments.update(
            planned_start=datetime.date(2025, 3, 10), planned_end=datetime.date(2025, 3, 10)
        )
    )
    violates(lambda: experiments.update(mde_relative=0))
    violates(lambda: experiments.update(plan_alpha=0.5))
    violates(lambda: experiments.update(plan_power=0.5))


def test_database_refuses_impossible_sprints_metrics_and_history(people):
    start = datetime.date(2025, 3, 3)
    violates(
        lambda: Sprint.objects.create(
            team=people.team, number=1, starts_on=start, ends_on=start - datetime.timedelta(1)
        )
    )
    end = start + datetime.timedelta(21)
    violates(
        lambda: Sprint.objects.create(team=people.team, number=1, starts_on=start, ends_on=start)
    )
    Sprint.objects.create(team=people.team, number=1, starts_on=start, ends_on=end, status="active")
    violates(
        lambda: Sprint.objects.create(
            team=people.team,
            number=2,
            starts_on=start,
            ends_on=start + datetime.timedelta(21),
            status="active",
        )
    )
    violates(lambda: Metric.objects.create(name="Rate", kind="binomial", baseline_value=1.5))
    violates(lambda: Metric.objects.create(name="Mean", kind="mean", baseline_sd=0))
    metric = metric_make()
    violates(lambda: Metric.objects.filter(pk=metric.pk).update(parent=metric))
    teams = type(people.team).objects.filter(pk=people.team.pk)
    violates(lambda: teams.update(sprint_length_days=3))
    violates(lambda: HistoryEntry.objects.create(summary="Belongs to nothing"))

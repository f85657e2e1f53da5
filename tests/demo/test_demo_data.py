"""The demo organisation: complete, consistent with its own timeline, and safe to load twice."""

import io
import re
from itertools import pairwise

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import models, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.access import can_conclude_experiment, can_edit_experiment
from accounts.models import Membership, Role, ScoringModel, Team, User
from analysis.models import AnalysisResult, AnalysisRun, RunStatus
from dashboard import selectors
from dashboard.headline import verdict_headline
from dashboard.selectors import latest_result_for
from demo.load import NOTHING_CREATED
from experiments.models import (
    Decision,
    Experiment,
    ExperimentMetric,
    HistoryEntry,
    Idea,
    MetricRole,
    Tag,
    Variant,
)
from experiments.services.lifecycle import start_blockers
from experiments.services.planning import sample_size_plan
from learnings.models import ReadBackPlan
from metrics.models import Direction, Metric, MetricKind, OutcomeCohort, OutcomeSource
from metrics.stats import wording
from metrics.stats.verdict import decision_interval
from sprints.models import Sprint

Status = Experiment.Status
MAIN_TEAMS = ("Web Growth", "CRM & Loyalty", "App Growth")
SIGN_INS = {
    "lead.lina": Role.TEAM_LEAD,
    "marketer.max": Role.MARKETER,
    "analyst.ava": Role.ANALYST,
    "viewer.vic": Role.VIEWER,
    "admin.ada": Role.ADMIN,
}
ROW_MODELS = (
    Team,
    User,
    Membership,
    Metric,
    Tag,
    Idea,
    Experiment,
    Variant,
    ExperimentMetric,
    HistoryEntry,
    Sprint,
    OutcomeCohort,
    AnalysisRun,
    AnalysisResult,
)


# Fourteen people with the real hasher cost seconds per load; what is checked stays the same.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load() -> str:
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue().strip()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Load the demo once for the module, in a transaction rolled back after its last test.

    Each test still runs inside its own savepoint (the `db` fixture), so what one test
    changes is undone before the next.
    """
    fast = override_settings(PASSWORD_HASHERS=FAST_HASHERS)
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield load()
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded, db, settings) -> str:
    """The loaded demo; returns what the first load printed."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    return loaded


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROW_MODELS}


def rows() -> list:
    """Every column of the rows a careless second run could change."""
    return [list(model.objects.order_by("pk").values()) for model in ROW_MODELS]


def local_day(moment):
    return timezone.localtime(moment).date()


def test_first_run_says_what_it_created(demo):
    assert demo.startswith("Loaded the demo organisation. Created 3 teams, ")
    assert f"{Experiment.objects.count()} experiments" in demo
    assert f"{Idea.objects.count()} ideas" in demo


def test_second_run_changes_no_row(demo):
    counts, before = row_counts(), rows()
    assert load() == NOTHING_CREATED
    assert row_counts() == counts
    assert rows() == before


def test_a_deleted_test_is_loaded_again_and_nothing_else(demo):
    Experiment.objects.get(title="Category tiles instead of the homepage carousel").delete()
    counts = row_counts()
    assert load() == "Loaded the demo organisation. Created 1 experiment."
    assert row_counts()["Experiment"] == counts["Experiment"] + 1
    assert row_counts()["Idea"] == counts["Idea"]


def test_the_demo_is_about_the_size_the_product_promises(demo):
    assert 38 <= Idea.objects.count() <= 45
    assert 18 <= Experiment.objects.count() <= 25
    assert 15 <= Metric.objects.count() <= 22
    assert Experiment.objects.filter(idea__isnull=False).count() >= 5
    assert set(Idea.objects.values_list("status", flat=True)) == set(Idea.Status.values)


def test_every_lifecycle_state_and_every_decision_is_shown(demo):
    assert set(Experiment.objects.values_list("status", flat=True)) == set(Status.values)
    concluded = Experiment.objects.filter(status=Status.CONCLUDED)
    assert set(concluded.values_list("decision", flat=True)) == set(Decision.values)


def test_demo_sign_ins_authenticate_with_their_roles(demo):
    web = Team.objects.get(name="Web Growth")
    for username, role in SIGN_INS.items():
        user = authenticate(username=username, password="growthlab-demo")
        assert user is not None, username
        assert user.memberships.get(team=web).role == role
    ada = User.objects.get(username="admin.ada")
    assert ada.is_staff and ada.is_superuser
    assert not User.objects.filter(is_staff=True).exclude(username="admin.ada").exists()


def test_demo_roles_decide_who_may_edit(demo):
    running = Experiment.objects.get(title="Sticky add-to-cart bar on mobile product pages")
    people = {name: User.objects.get(username=name) for name in SIGN_INS}
    assert can_edit_experiment(people["marketer.max"], running)
    assert not can_edit_experiment(people["viewer.vic"], running)
    assert can_conclude_experiment(people["lead.lina"], running)
    assert not can_conclude_experiment(people["marketer.max"], running)
    outsider = User.objects.get(username="ali.hassan")
    assert not can_edit_experiment(outsider, running)


def test_every_role_is_held_in_the_organisation(demo):
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)


def test_variants_have_one_control_and_shares_adding_to_100(demo):
    for experiment in Experiment.objects.prefetch_related("variants"):
        variants = list(experiment.variants.all())
        assert sum(variant.traffic_share for variant in variants) == 100, experiment.title
        assert [variant.is_control for variant in variants].count(True) == 1, experiment.title
    assert Experiment.objects.filter(variants__name="Review snippets").exists()  # a 3-way test


def test_every_decided_test_has_its_learning_and_post_mortem(demo):
    decided = Experiment.objects.exclude(decision="")
    assert decided.filter(status=Status.CONCLUDED).count() >= 8
    for experiment in decided:
        assert experiment.learning, experiment.title
        assert experiment.postmortem_what_happened, experiment.title
        assert experiment.postmortem_why, experiment.title
        assert experiment.postmortem_next_test, experiment.title


def test_tests_beyond_draft_pass_the_start_checks(demo):
    for experiment in Experiment.objects.exclude(status=Status.DRAFT):
        assert start_blockers(experiment) == [], experiment.title
        assert experiment.plan_days and experiment.planned_start, experiment.title
        roles = set(experiment.experiment_metrics.values_list("role", flat=True))
        assert MetricRole.SECONDARY in roles, experiment.title


def test_demo_plans_are_the_engines_so_the_results_page_agrees_with_them(demo):
    planned = Experiment.objects.exclude(plan_days=None)
    assert planned.count() >= 15
    for experiment in planned:
        plan = sample_size_plan(experiment)
        assert experiment.plan_days == plan["days"], experiment.title
        assert experiment.plan_sample_size_per_variant == max(plan["n_per_variant"])
        assert experiment.planned_duration_days >= plan["days"], experiment.title


def test_each_main_team_has_four_reviewed_sprints_and_one_active(demo):
    today = timezone.localdate()
    for team in Team.objects.filter(name__in=MAIN_TEAMS):
        closed = list(team.sprints.filter(status=Sprint.Status.CLOSED))
        active = team.sprints.get(status=Sprint.Status.ACTIVE)
        assert len(closed) >= 4, team.name
        assert all(s.ends_on < today and s.review_notes and s.action_items for s in closed)
        assert all(s.closed_at is not None for s in closed)
        assert active.starts_on <= today <= active.ends_on


def test_sprints_are_consecutive_and_three_weeks_long(demo):
    for team in Team.objects.filter(name__in=MAIN_TEAMS):
        sprints = list(team.sprints.order_by("number"))
        for earlier, later in pairwise(sprints):
            assert (earlier.ends_on - earlier.starts_on).days + 1 == 21
            assert (later.starts_on - earlier.ends_on).days == 1


def test_tests_in_progress_belong_to_the_active_sprint(demo):
    in_progress = Experiment.objects.filter(
        status__in=[Status.PLANNED, Status.RUNNING, Status.ANALYSING]
    )
    assert in_progress.count() >= 6
    for experiment in in_progress:
        assert experiment.sprint.status == Sprint.Status.ACTIVE, experiment.title


def test_decided_tests_ran_inside_a_closed_sprint(demo):
    for experiment in Experiment.objects.exclude(concluded_at=None).select_related("sprint"):
        sprint = experiment.sprint
        assert sprint.status == Sprint.Status.CLOSED, experiment.title
        assert sprint.starts_on <= local_day(experiment.started_at), experiment.title
        assert experiment.started_at < experiment.stopped_at < experiment.concluded_at
        assert local_day(experiment.concluded_at) <= sprint.ends_on, experiment.title


def test_nothing_is_dated_in_the_future_or_before_its_cause(demo):
    now = timezone.now()
    for experiment in Experiment.objects.select_related("idea"):
        stamps = [
            experiment.created_at,
            experiment.started_at,
            experiment.stopped_at,
            experiment.concluded_at,
            experiment.archived_at,
        ]
        assert all(stamp is None or stamp <= now for stamp in stamps), experiment.title
        if experiment.idea:
            assert experiment.idea.created_at < experiment.created_at, experiment.title
    assert not HistoryEntry.objects.filter(created_at__gt=now).exists()


def test_history_tells_how_each_test_was_decided(demo):
    concluded = Experiment.objects.get(title="Delivery date promise on product pages")
    history = concluded.history.order_by("created_at", "id")
    summaries = list(history.values_list("summary", flat=True))
    assert summaries[0] == "Created the test"
    assert summaries[-4:] == ["Plan", "Start test", "Stop and analyse", "Concluded"]
    assert concluded.history.get(summary="Concluded").user.username == "lead.lina"


def test_kpi_tree_has_two_levels_under_each_north_star(demo):
    for team in Team.objects.filter(name__in=MAIN_TEAMS):
        north_star = team.north_star
        assert north_star.team == team and north_star.parent is None
        assert Metric.objects.filter(parent__parent=north_star).exists(), team.name
    assert set(Metric.objects.values_list("kind", flat=True)) == set(MetricKind.values)
    assert not Metric.objects.filter(owner=None).exists()


def test_guardrails_that_should_go_down_protect_the_tests(demo):
    guardrails = ExperimentMetric.objects.filter(role=MetricRole.GUARDRAIL)
    names = set(guardrails.values_list("metric__name", flat=True))
    assert {"Unsubscribe rate", "Product return rate"} <= names
    assert guardrails.filter(metric__good_direction=Direction.DECREASE).count() >= 8


def test_rice_team_scores_reach_and_effort(demo):
    rice_team = Team.objects.get(scoring_model=ScoringModel.RICE)
    assert rice_team.ideas.count() >= 10
    assert not rice_team.ideas.filter(rice_score=None).exists()
    assert not Idea.objects.filter(ice_score=None).exists()


# The demo test that shows each state of the results page, and the headline it must show.
RESULT_STATES = {
    "Delivery date promise on product pages": ("ship", "Ship Delivery date"),
    "Personalised feed on the app home screen": (
        "harmful",
        "Do not ship Personal feed: App order conversion down",
    ),
    "Customer reviews above the fold": ("no_difference", "No difference worth acting on"),
    "Payment options shown on the product page": ("srm", "Data problem: traffic split is broken"),
    "Daily offer e-mails for engaged members": ("harmful", "Guardrail harmed: Unsubscribe rate up"),
    "Win-back series for lapsed members": ("keep_running", "Keep running: "),
    "Sticky add-to-cart bar on mobile product pages": ("ship", "Ship Sticky bar"),
}


def headline_of(title: str) -> tuple[str, str]:
    results = latest_result_for(Experiment.objects.get(title=title))
    return verdict_headline(results.stored)


@pytest.mark.parametrize("title", list(RESULT_STATES))
def test_the_results_page_has_a_demo_test_in_each_state(demo, title):
    status, words = RESULT_STATES[title]
    shown_status, sentence = headline_of(title)
    assert shown_status == status
    assert sentence.startswith(words)


def test_every_test_that_ran_has_daily_totals_and_an_answer(demo):
    ran = Experiment.objects.filter(status__in=[Status.RUNNING, Status.ANALYSING, Status.CONCLUDED])
    for experiment in ran:
        end = local_day(experiment.stopped_at) if experiment.stopped_at else timezone.localdate()
        days = end - local_day(experiment.started_at)
        # A read-back's later push of a long-term metric (demo/load_readbacks.py) is not the
        # test's own data.
        cohorts = experiment.outcome_cohorts.exclude(source=OutcomeSource.PUSH)
        assert cohorts.values("exposure_date").distinct().count() == days.days, experiment.title
        expected = days.days * experiment.variants.count() * experiment.experiment_metrics.count()
        assert cohorts.count() == expected, experiment.title
        assert latest_result_for(experiment).metrics, experiment.title
    assert not OutcomeCohort.objects.exclude(experiment__in=ran).exists()


def test_the_too_early_test_is_three_days_in_and_says_how_long_to_go(demo):
    _, sentence = headline_of("Win-back series for lapsed members")
    share, day = re.fullmatch(
        r"Keep running: (\d+)% of the planned sample, day (\d+) of \d+", sentence
    ).groups()
    assert 0 < int(share) < 100 and day == "3"
    running = Experiment.objects.get(title="Win-back series for lapsed members")
    assert running.outcome_cohorts.values("exposure_date").distinct().count() == 3


def test_the_failed_refresh_is_newer_than_the_answer_and_says_why_in_plain_words(demo):
    experiment = Experiment.objects.get(title="Sticky add-to-cart bar on mobile product pages")
    failed = experiment.analysis_runs.get(status=RunStatus.FAILED)
    succeeded = experiment.analysis_runs.get(status=RunStatus.SUCCEEDED)
    assert failed.finished_at > succeeded.finished_at
    results = latest_result_for(experiment)
    assert results.failure.startswith("The nightly export from the web analytics tool")
    assert results.failed_at == failed.finished_at
    assert not AnalysisRun.objects.filter(status=RunStatus.FAILED).exclude(pk=failed.pk).exists()


def test_srm_demo_splits_about_1_to_1_2_against_a_planned_50_50(demo):
    experiment = Experiment.objects.get(title="Payment options shown on the product page")
    primary = experiment.experiment_metrics.get(role=MetricRole.PRIMARY).metric
    users = dict(
        experiment.outcome_cohorts.filter(metric=primary)
        .values_list("variant__is_control")
        .annotate(total=models.Sum("n"))
    )
    assert set(experiment.variants.values_list("traffic_share", flat=True)) == {50}
    assert users[False] / users[True] == pytest.approx(1.2, abs=0.02)


def test_conversions_are_stored_as_sufficient_statistics(demo):
    binomial = OutcomeCohort.objects.filter(metric__kind=MetricKind.BINOMIAL)
    assert binomial.exists()
    assert not binomial.exclude(sum=models.F("sum_squares")).exists()
    assert not binomial.filter(sum__gt=models.F("n")).exists()
    ratio = OutcomeCohort.objects.filter(metric__kind=MetricKind.RATIO)
    assert ratio.exists() and not ratio.filter(den_sum=None).exists()
    mean = OutcomeCohort.objects.filter(metric__kind=MetricKind.MEAN)
    assert mean.exists() and not mean.filter(sum_squares=0).exists()


def badge_for(page: str, experiment: Experiment) -> str:
    href = (
        f'href="{reverse("dashboard:results", args=[experiment.pk])}" data-testid="result-badge">'
    )
    return page.split(href, 1)[1].split("</a>", 1)[0]


def test_the_list_badges_a_failed_refresh_as_unhealthy_not_by_its_old_answer(demo, client):
    client.force_login(User.objects.get(username="viewer.vic"))
    page = client.get(reverse("experiments:experiment_list")).content.decode()
    failed = Experiment.objects.get(title="Sticky add-to-cart bar on mobile product pages")
    assert badge_for(page, failed) == "Unhealthy"
    waiting = Experiment.objects.get(title="Win-back series for lapsed members")
    assert re.fullmatch(r"About \d+ days left", badge_for(page, waiting))


def test_p_values_too_small_to_print_read_below_one_in_ten_thousand(demo, client):
    client.force_login(User.objects.get(username="viewer.vic"))
    srm = Experiment.objects.get(title="Payment options shown on the product page")
    page = client.get(reverse("dashboard:results", args=[srm.pk])).content.decode()
    assert "SRM check p &lt; 0.0001)" in page
    winner = Experiment.objects.get(title="Delivery date promise on product pages")
    page = client.get(reverse("dashboard:results", args=[winner.pk])).content.decode()
    assert '<td class="number">&lt; 0.0001</td>' in page
    assert "0.0000<" not in page


QUOTED_PERCENT = re.compile(r"[+\-−]?\d+(?:\.\d+)?%(?! CI)")
QUOTED_USERS = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+) users per variant")


def numbers_shown(experiment) -> set[str]:
    """Every percentage and user count the test's stored results show, as the pages word them."""
    shown = set()
    for result in selectors.outputs_by_experiment([experiment.pk]).get(experiment.pk, []):
        for variant in result.variants:
            shown.add(f"{variant.n:,}")
            if result.metric_type == "binomial":
                shown.add(f"{variant.value * 100:.2f}%")
        for comparison in result.comparisons:
            lift = decision_interval(result.settings, comparison)
            shown |= {
                wording.signed_percent(v) for v in (lift.estimate, lift.ci_lower, lift.ci_upper)
            }
    return shown


def test_every_demo_learning_quotes_the_numbers_of_its_stored_result(demo):
    concluded = Experiment.objects.filter(concluded_at__isnull=False).exclude(learning="")
    assert concluded.count() >= 10
    for experiment in concluded:
        text = f"{experiment.learning} {experiment.postmortem_what_happened}"
        shown = numbers_shown(experiment)
        quoted = QUOTED_PERCENT.findall(text) + QUOTED_USERS.findall(text)
        # A test with a stored result quotes it; one without (archived unloaded) quotes none.
        assert bool(quoted) == bool(shown), f"{experiment.title}: {quoted} against {shown}"
        for number in quoted:
            assert number.replace("−", "-") in shown, f"{experiment.title}: {number} not in {shown}"


def test_the_demo_reads_in_english_but_for_one_person_per_language(demo, client):
    assert User.objects.get(username="marketer.max").language == ""
    for username, language, sign_out in [
        ("markkinoija.mia", "fi", "Kirjaudu ulos"),
        ("marknad.maja", "sv", "Logga ut"),
        ("marketeer.daan", "nl", "Uitloggen"),
    ]:
        client.force_login(User.objects.get(username=username))
        page = client.get("/").content.decode()
        assert f'<html lang="{language}">' in page and sign_out in page, username
    client.force_login(User.objects.get(username="marketer.max"))
    assert '<html lang="en-gb">' in client.get("/").content.decode()


def test_the_demo_reads_one_test_by_device_where_the_effect_differs_and_one_where_it_does_not(
    demo, client
):
    client.force_login(User.objects.get(username="viewer.vic"))
    differs = Experiment.objects.get(title="Guest checkout as the default path")
    page = client.get(reverse("dashboard:results", args=[differs.pk])).content.decode()
    assert "Mobile gains more than desktop; test that separately" in page
    same = Experiment.objects.get(title="Delivery date promise on product pages")
    page = client.get(reverse("dashboard:results", args=[same.pk])).content.decode()
    assert "The effect does not differ between device segments" in page
    assert "leads for the next test, never a verdict" in page


def test_one_shipped_win_held_and_one_reversed_with_the_post_mortem_asked(demo, client):
    held = ReadBackPlan.objects.get(experiment__title="Delivery date promise on product pages")
    reversed_ = ReadBackPlan.objects.get(experiment__title="Birthday voucher a week early")
    assert set(held.readbacks.exclude(outcome="").values_list("outcome", flat=True)) == {"held"}
    assert set(reversed_.readbacks.exclude(outcome="").values_list("outcome", flat=True)) == {
        "reversed"
    }
    assert reversed_.postmortem_open and not held.postmortem_open
    client.force_login(User.objects.get(username="emil.virtanen"))
    page = client.get(reverse("learnings:detail", args=[reversed_.experiment_id])).content.decode()
    assert "The win reversed: this learning is open for a post-mortem." in page

"""The pages: bad input named by field with nothing saved, sanitised Markdown, the ranked
backlog and its filters, and the sample-size plan computed by the statistics engine."""

import io
import math
import os

import PIL.Image
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import samplesize_proportions_2indep_onetail

from accounts.models import ScoringModel, Team
from experiments.models import Experiment, HistoryEntry, Idea, Variant
from experiments.services.ideas import idea_create
from metrics.models import MetricKind
from tests.factories import experiment_make, idea_make, metric_make, read_fixed_horizon


@pytest.fixture
def client_as(client):
    def sign_in(user) -> Client:
        client.force_login(user)
        return client

    return sign_in


def counts() -> dict:
    models = (Idea, Experiment, Variant, HistoryEntry)
    return {model.__name__: model.objects.count() for model in models}


def field_error(page: str, field: str) -> str:
    """The text of the first message shown under the field `field`."""
    marker = f'id="id_{field}_error">'
    assert marker in page, f"no message under {field}"
    start = page.index(marker) + len(marker)
    return page[start : page.index("</p>", start)]


def png_bytes(size=(4, 3), noise: bool = False) -> bytes:
    image = PIL.Image.new("RGB", size, "teal")
    if noise:
        image = PIL.Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# --- Bad input: a 400 naming the field, and nothing saved --------------------------------


IDEA = {"title": "Exit-intent coupon", "channel": "web", "impact": 6, "confidence": 5, "ease": 4}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"impact": 11}, "impact", "Ensure this value is less than or equal to 10."),
        ({"confidence": 0}, "confidence", "Ensure this value is greater than or equal to 1."),
        ({"ease": "lots"}, "ease", "Enter a whole number."),
        ({"title": ""}, "title", "This field is required."),
        ({"channel": "carrier-pigeon"}, "channel", "Select a valid choice."),
    ],
    ids=["impact-11", "confidence-0", "ease-text", "empty-title", "unknown-channel"],
)
def test_bad_idea_input_is_named_and_nothing_saved(people, client_as, change, field, message):
    before = counts()
    response = client_as(people.owner).post(
        reverse("experiments:idea_create"), {"team": people.team.pk, **IDEA, **change}
    )
    assert response.status_code == 400
    assert field_error(response.text, field).startswith(message)
    assert counts() == before


def test_bad_idea_edit_keeps_the_old_values(people, client_as):
    idea = idea_make(people)
    data = {**IDEA, "status": "new", "impact": 11}
    response = client_as(people.owner).post(reverse("experiments:idea_edit", args=[idea.pk]), data)
    assert response.status_code == 400
    assert field_error(response.text, "impact").startswith("Ensure this value is less than")
    idea.refresh_from_db()
    assert (idea.title, idea.impact) == ("Show delivery date on product page", 7)
    assert idea.history.count() == 1


def experiment_form(people, **change) -> dict:
    return {"title": "Sticky add-to-cart", "owner": people.owner.pk, "channel": "web", **change}


def test_empty_experiment_title_is_named(people, client_as):
    experiment = experiment_make(people)
    before = counts()
    response = client_as(people.owner).post(
        reverse("experiment:edit", args=[experiment.pk]),
        experiment_form(people, title=""),
    )
    assert response.status_code == 400
    assert field_error(response.text, "title") == "This field is required."
    assert counts() == before


def test_planned_end_before_start_is_refused(people, client_as):
    experiment = experiment_make(people)
    before = counts()
    response = client_as(people.owner).post(
        reverse("experiment:edit", args=[experiment.pk]),
        experiment_form(people, planned_start="2025-05-10", planned_end="2025-05-01"),
    )
    assert response.status_code == 400
    assert "The planned end must be after the planned start." in response.text
    experiment.refresh_from_db()
    assert experiment.planned_start is None
    assert experiment.title == "A test still being written"
    assert counts() == before


def test_negative_mde_is_named(people, client_as):
    experiment = experiment_make(people)
    response = client_as(people.owner).post(
        reverse("experiment:edit", args=[experiment.pk]),
        experiment_form(people, mde_relative="-3"),
    )
    assert response.status_code == 400
    assert "The minimum detectable effect must be above zero." in response.text
    experiment.refresh_from_db()
    assert experiment.mde_relative is None


@pytest.mark.parametrize("share", ["0", "150", "-10"])
def test_traffic_share_outside_0_to_100_is_refused(people, client_as, share):
    experiment = experiment_make(people)
    before = counts()
    response = client_as(people.owner).post(
        reverse("experiment:variant_create", args=[experiment.pk]),
        {"name": "C", "traffic_share": share},
    )
    assert response.status_code == 400
    assert "traffic share" in response.text.lower()
    assert "A traffic share lies above 0% and at most 100%." in response.text
    assert counts() == before


def test_a_screenshot_that_is_not_an_image_is_refused(people, client_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    experiment = experiment_make(people)
    before = counts()
    fake = SimpleUploadedFile("shot.png", b"%PDF-1.4 not an image", content_type="image/png")
    response = client_as(people.owner).post(
        reverse("experiment:variant_create", args=[experiment.pk]),
        {"name": "C", "traffic_share": "10", "screenshot": fake},
    )
    assert response.status_code == 400
    assert field_error(response.text, "screenshot").startswith("Upload a valid image.")
    assert counts() == before
    assert not any(tmp_path.rglob("*.png"))


def test_a_screenshot_over_the_limit_is_refused(people, client_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SCREENSHOT_MAX_BYTES = 2_000
    experiment = experiment_make(people)
    big = png_bytes((64, 64), noise=True)
    assert len(big) > settings.SCREENSHOT_MAX_BYTES
    before = counts()
    response = client_as(people.owner).post(
        reverse("experiment:variant_create", args=[experiment.pk]),
        {
            "name": "C",
            "traffic_share": "10",
            "screenshot": SimpleUploadedFile("big.png", big, "image/png"),
        },
    )
    assert response.status_code == 400
    assert field_error(response.text, "screenshot").startswith("The screenshot is ")
    assert counts() == before
    assert not any(tmp_path.rglob("*.png"))


def test_a_screenshot_within_the_limit_is_kept_and_served(people, client_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    experiment = experiment_make(people)
    client = client_as(people.owner)
    response = client.post(
        reverse("experiment:variant_create", args=[experiment.pk]),
        {
            "name": "C",
            "traffic_share": "10",
            "screenshot": SimpleUploadedFile("ok.png", png_bytes(), "image/png"),
        },
    )
    assert response.status_code == 302
    variant = experiment.variants.get(name="C")
    served = client.get(reverse("experiment:variant_screenshot", args=[experiment.pk, variant.pk]))
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == png_bytes()


def test_conclude_without_learning_is_named(people, client_as):
    experiment = experiment_make(people, ready=True)
    Experiment.objects.filter(pk=experiment.pk).update(status="running", started_at=timezone.now())
    response = client_as(people.lead).post(
        reverse("experiment:conclude", args=[experiment.pk]), {"decision": "ship"}
    )
    assert response.status_code == 400
    assert field_error(response.text, "learning") == "This field is required."
    experiment.refresh_from_db()
    assert (experiment.status, experiment.decision) == ("running", "")


def test_refused_start_names_what_is_missing_on_the_page(people, client_as):
    experiment = experiment_make(people)
    response = client_as(people.owner).post(
        reverse("experiment:move", args=[experiment.pk, "start"])
    )
    assert response.status_code == 409
    assert "The test cannot start yet. It still needs" in response.text
    assert "a primary metric and a sample-size plan." in response.text
    experiment.refresh_from_db()
    assert experiment.status == "draft"


# --- Markdown is sanitised ----------------------------------------------------------------


def test_description_markdown_is_rendered_and_sanitised(people, client_as):
    experiment = experiment_make(
        people,
        description=(
            "**Bold plan** with a [safe link](https://example.com).\n\n"
            "<script>alert('x')</script>\n\n"
            "[click me](javascript:alert(1)) <img src=x onerror=alert(2)>\n\n"
            '<a href="javascript:alert(3)" onclick="alert(4)">raw</a>'
        ),
    )
    page = client_as(people.viewer).get(experiment.get_absolute_url()).text
    description = page[page.index('<div class="markdown">') :]
    description = description[: description.index("</section>")]
    assert "<strong>Bold plan</strong>" in description
    assert 'href="https://example.com"' in description
    assert "<script" not in page
    assert "javascript:" not in description
    assert 'href="javascript' not in page
    assert "onerror" not in description and "onclick" not in description
    assert "<img" not in description
    # The history shows the raw text, escaped: inert.
    assert "&lt;script&gt;" in page


# --- The ranked backlog -----------------------------------------------------------------


def backlog_titles(client, **query) -> list[str]:
    response = client.get(reverse("experiments:backlog"), query)
    assert response.status_code == 200
    return [idea.title for idea in response.context["ideas"]]


def test_ice_backlog_is_ranked_by_average_score_unscored_last(people, client_as):
    for title, scores in [
        ("Middling", (5, 5, 5)),
        ("Unscored", (None, None, None)),
        ("Best", (9, 9, 9)),
        ("Lopsided", (10, 1, 1)),
        ("Partly scored", (8, None, 8)),
    ]:
        impact, confidence, ease = scores
        idea_make(people, title=title, impact=impact, confidence=confidence, ease=ease)
    titles = backlog_titles(client_as(people.viewer), team=people.team.pk)
    assert titles[:3] == ["Best", "Middling", "Lopsided"]
    assert set(titles[3:]) == {"Unscored", "Partly scored"}


def test_rice_backlog_is_ranked_by_reach_impact_confidence_over_effort(people, client_as):
    Team.objects.filter(pk=people.other_team.pk).update(scoring_model=ScoringModel.RICE)
    rows = {
        # title: (reach, impact, confidence, effort); RICE = r * i * c / e
        "Small reach, easy": (1_000, 5, 8, 0.5),  # 80 000
        "Huge reach, hard": (50_000, 3, 5, 10),  # 75 000
        "Big reach": (20_000, 6, 9, 4),  # 270 000
        "High ICE, no RICE": (None, 10, 10, None),
    }
    for title, (reach, impact, confidence, effort) in rows.items():
        idea_create(
            team=people.other_team,
            author=people.outsider,
            data={
                "title": title,
                "reach": reach,
                "impact": impact,
                "confidence": confidence,
                "effort": effort,
                "ease": 10,
            },
        )
    titles = backlog_titles(client_as(people.owner), team=people.other_team.pk)
    assert titles == ["Big reach", "Small reach, easy", "Huge reach, hard", "High ICE, no RICE"]
    idea = Idea.objects.get(title="Big reach")
    assert idea.rice_score == pytest.approx(20_000 * 6 * 9 / 4 / 10)


def test_backlog_filters_narrow_the_list(people, client_as):
    idea_make(people, title="Cart reminder e-mail", channel="email", insight="abandoned carts")
    idea_create(
        team=people.team,
        author=people.owner,
        data={"title": "Pricing page FAQ", "channel": "web", "impact": 3},
        tags=["pricing", "faq"],
    )
    rejected = idea_make(people, title="Pop-up on every page", channel="web")
    Idea.objects.filter(pk=rejected.pk).update(status=Idea.Status.REJECTED)
    idea_create(
        team=people.other_team, author=people.outsider, data={"title": "CRM win-back"}, tags=[]
    )
    client = client_as(people.viewer)

    assert set(backlog_titles(client)) == {
        "Cart reminder e-mail",
        "Pricing page FAQ",
        "CRM win-back",
    }
    assert set(backlog_titles(client, team=people.other_team.pk)) == {"CRM win-back"}
    assert backlog_titles(client, channel="email") == ["Cart reminder e-mail"]
    assert backlog_titles(client, tag="Pricing") == ["Pricing page FAQ"]
    assert backlog_titles(client, status="rejected") == ["Pop-up on every page"]
    assert backlog_titles(client, q="ABANDONED") == ["Cart reminder e-mail"]
    assert backlog_titles(client, q="faq", team=people.team.pk) == ["Pricing page FAQ"]
    assert backlog_titles(client, q="nothing like this") == []
    assert backlog_titles(client, team="not-a-number", channel="email") == ["Cart reminder e-mail"]


# --- The sample-size plan -------------------------------------------------------------------


def plan(client, experiment, **fields):
    data = {"plan_alpha": "0.05", "plan_power": "0.8", **fields}
    return client.post(reverse("experiment:plan", args=[experiment.pk]), data)


def test_binomial_plan_matches_statsmodels(people, client_as):
    experiment = read_fixed_horizon(experiment_make(people, ready=True))
    Experiment.objects.filter(pk=experiment.pk).update(plan_sample_size_per_variant=None)
    response = plan(
        client_as(people.owner),
        experiment,
        plan_baseline="5",  # percent: a conversion rate is typed as a percentage
        mde_relative="5",
        plan_daily_traffic="4000",
    )
    assert response.status_code == 302
    experiment.refresh_from_db()
    p0, p1 = 0.05, 0.05 * 1.05
    expected = samplesize_proportions_2indep_onetail(
        diff=p1 - p0, prop2=p0, power=0.8, ratio=1, alpha=0.05, alternative="two-sided"
    )
    assert experiment.plan_sample_size_per_variant == pytest.approx(expected, rel=0.01)
    assert experiment.plan_days == math.ceil(2 * experiment.plan_sample_size_per_variant / 4000)
    entry = experiment.history.first()
    assert entry.summary == "Planned the sample size"
    assert "plan_sample_size_per_variant" in {change["field"] for change in entry.changes}


@pytest.mark.parametrize(("control", "treatment"), [(50, 50), (40, 60)])
def test_mean_plan_matches_statsmodels(people, client_as, control, treatment):
    experiment = read_fixed_horizon(experiment_make(people))
    experiment.variants.filter(name="A").update(traffic_share=control)
    experiment.variants.filter(name="B").update(traffic_share=treatment)
    from experiments.services.experiments import experiment_metric_attach

    experiment_metric_attach(
        experiment=experiment,
        metric=metric_make("Revenue per visitor", kind=MetricKind.MEAN),
        role="primary",
        user=people.owner,
    )
    response = plan(
        client_as(people.teammate),
        experiment,
        plan_baseline="100",
        plan_baseline_sd="40",
        mde_relative="5",
        plan_daily_traffic="500",
    )
    assert response.status_code == 302
    experiment.refresh_from_db()
    ratio = treatment / control
    control_n = NormalIndPower().solve_power(
        effect_size=5 / 40, alpha=0.05, power=0.8, ratio=ratio, alternative="two-sided"
    )
    largest = max(control_n, control_n * ratio)
    assert experiment.plan_sample_size_per_variant == pytest.approx(largest, rel=0.01)
    total = control_n * (1 + ratio)
    assert abs(experiment.plan_days - total / 500) <= 1


def test_mean_plan_without_standard_deviation_is_named(people, client_as):
    experiment = experiment_make(people)
    from experiments.services.experiments import experiment_metric_attach

    experiment_metric_attach(
        experiment=experiment,
        metric=metric_make("Revenue per visitor", kind=MetricKind.MEAN),
        role="primary",
        user=people.owner,
    )
    before = counts()
    response = plan(
        client_as(people.owner),
        experiment,
        plan_baseline="100",
        mde_relative="5",
        plan_daily_traffic="500",
    )
    assert response.status_code == 400
    assert (
        field_error(response.text, "plan_baseline_sd")
        == "A mean or ratio metric needs the baseline standard deviation."
    )
    experiment.refresh_from_db()
    assert experiment.plan_sample_size_per_variant is None
    assert counts() == before


def test_plan_needs_a_primary_metric_and_required_fields(people, client_as):
    experiment = experiment_make(people)
    client = client_as(people.owner)
    response = plan(client, experiment, plan_baseline="0.05", mde_relative="5")
    assert response.status_code == 400
    assert field_error(response.text, "plan_daily_traffic") == "This field is required."
    response = plan(
        client, experiment, plan_baseline="0.05", mde_relative="5", plan_daily_traffic="100"
    )
    assert response.status_code == 400
    assert "Attach a primary metric first: the plan depends on its kind." in response.text
    experiment.refresh_from_db()
    assert experiment.plan_sample_size_per_variant is None

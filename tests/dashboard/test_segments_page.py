"""Results by segment on the results page: the primary metric per device, read by the real
analysis service and the segment engine from stored segment totals on PostgreSQL.

Per variant 10,000 users split evenly over mobile and desktop; control converts 5 % in both.
"""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from analysis.models import Trigger
from analysis.services import analysis_request, analysis_run_execute
from experiments.services.lifecycle import experiment_transition
from metrics.models import OutcomeCohort, OutcomeSegment, OutcomeSource
from tests.factories import experiment_make

PER_SEGMENT = 5000


def analysed(people, treatment_conversions: dict[str, int] | None):
    """A running test whose B converts ``treatment_conversions`` per device (None: no segments)."""
    experiment = experiment_make(people, ready=True)
    experiment = experiment_transition(experiment=experiment, user=people.owner, action="start")
    day = timezone.localtime(experiment.started_at).date()
    metric = experiment.experiment_metrics.get(role="primary").metric
    by_device = treatment_conversions or {"mobile": 300, "desktop": 300}
    segments, cohorts = [], []
    for variant in experiment.variants.all():
        total = 0
        for device, b_conversions in by_device.items():
            conversions = 250 if variant.is_control else b_conversions
            total += conversions
            segments.append(
                OutcomeSegment(
                    experiment=experiment,
                    variant=variant,
                    metric=metric,
                    exposure_date=day,
                    source=OutcomeSource.PUSH,
                    dimension="device",
                    segment=device,
                    n=PER_SEGMENT,
                    sum=conversions,
                    sum_squares=conversions,
                )
            )
        cohorts.append(
            OutcomeCohort(
                experiment=experiment,
                variant=variant,
                metric=metric,
                exposure_date=day,
                source=OutcomeSource.PUSH,
                n=PER_SEGMENT * len(by_device),
                sum=total,
                sum_squares=total,
            )
        )
    OutcomeCohort.objects.bulk_create(cohorts)
    if treatment_conversions is not None:
        OutcomeSegment.objects.bulk_create(segments)
    run = analysis_request(experiment=experiment, trigger=Trigger.MANUAL, user=people.owner)
    analysis_run_execute(run_id=run.id)
    return experiment


def page(client, people, experiment):
    client.force_login(people.viewer)
    response = client.get(reverse("experiment:results", args=[experiment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def figures_of(html: str) -> dict:
    script = r'<script id="result-figures" type="application/json">(.*?)</script>'
    raw = re.search(script, html, re.S)
    return json.loads(raw[1])


@pytest.mark.django_db
def test_an_effect_that_differs_by_device_names_who_gains_more_and_draws_the_forest(client, people):
    experiment = analysed(people, {"mobile": 400, "desktop": 250})
    html = page(client, people, experiment)
    assert "Mobile gains more than desktop; test that separately" in html
    assert "does not differ" not in html
    assert "leads for the next test, never a verdict" in html
    figure = figures_of(html)["segments-0"]
    assert [trace["name"] for trace in figure["data"]] == ["desktop", "mobile"]
    assert [trace["x"][1] for trace in figure["data"]] == pytest.approx([0.0, 60.0])
    overall_line = figure["layout"]["shapes"][1]
    assert overall_line["x0"] == pytest.approx(30.0)  # 650 against 500 conversions
    assert "BH-adjusted" in html and "Shrunk lift %" in html


@pytest.mark.django_db
def test_the_same_effect_on_every_device_says_it_does_not_differ(client, people):
    html = page(client, people, analysed(people, {"mobile": 300, "desktop": 300}))
    assert "The effect does not differ between device segments" in html
    assert "gains more" not in html
    figure = figures_of(html)["segments-0"]
    assert [trace["x"][1] for trace in figure["data"]] == pytest.approx([20.0, 20.0])


@pytest.mark.django_db
def test_a_test_without_segments_shows_no_segment_section(client, people):
    html = page(client, people, analysed(people, None))
    assert 'data-testid="segments"' not in html
    assert "Results by segment" not in html
    assert not any(key.startswith("segments-") for key in figures_of(html))
    assert 'data-figure="forest-m0"' in html  # the rest of the page is drawn as before


@pytest.mark.django_db
def test_one_segment_reads_every_chart_from_its_own_totals_and_names_no_winner(client, people):
    experiment = analysed(people, {"mobile": 400, "desktop": 250})
    client.force_login(people.viewer)
    url = reverse("experiment:results", args=[experiment.pk])
    response = client.get(url, {"segment": "device:mobile"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This page shows one segment: device = mobile" in html
    assert "leads for the next test, not verdicts" in html
    assert 'data-testid="headline"' not in html and 'data-testid="verdict"' not in html
    assert 'data-testid="segments"' not in html  # the overview of segments is the whole page's
    figures = figures_of(html)
    # Mobile alone: 400 against 250 conversions of 5,000 users is +60 % (the whole test +30 %).
    assert figures["forest-m0"]["data"][0]["x"][1] == pytest.approx(60.0)
    assert '<option value="device:mobile" selected>' in html
    whole = figures_of(client.get(url).content.decode())
    assert whole["forest-m0"]["data"][0]["x"][1] == pytest.approx(30.0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("asked", "words"),
    [
        ("country:fi", "“country:fi” names no dimension of this test"),
        ("device:tv", "has no segment “tv”"),
        ("mobile", "names no dimension"),
    ],
)
def test_an_unknown_segment_is_a_400_naming_it_and_the_whole_page_is_shown(
    client, people, asked, words
):
    experiment = analysed(people, {"mobile": 400, "desktop": 250})
    client.force_login(people.viewer)
    response = client.get(reverse("experiment:results", args=[experiment.pk]), {"segment": asked})
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html
    assert 'data-testid="segments"' in html and "This page shows one segment" not in html


@pytest.mark.django_db
def test_every_metric_has_its_segment_section_with_links_to_each_segment(client, people):
    from tests.api.analysed import analysed_experiment, segments_write

    experiment = analysed_experiment(people)
    segments_write(experiment)
    html = page(client, people, experiment)
    headings = re.findall(r'data-testid="segment-metric">([^<]+)<', html)
    assert [h.strip() for h in headings] == ["Order conversion", "Revenue"]
    assert html.count('data-testid="segment-dimension"') == 2
    assert 'href="?segment=device%3Amobile"' in html
    # The test follows the sequential rule; the segment intervals say they do not.
    assert "fixed-horizon, although this test's verdict follows the sequential rule" in html


@pytest.mark.django_db
def test_a_dimension_folded_into_other_says_how_many_values_were_folded(client, people):
    from metrics.ingestion.segments import FOLDED
    from metrics.models import DataLoad

    experiment = analysed(people, {"mobile": 400, "other": 250})
    load = DataLoad.objects.create(
        experiment=experiment,
        kind=DataLoad.Kind.FILE,
        status=DataLoad.Status.SUCCEEDED,
        notes=[FOLDED.format(dimension="device", count=9950, limit=50)],
    )
    OutcomeSegment.objects.filter(experiment=experiment).update(load=load)
    html = page(client, people, experiment)
    assert "9,950 device values beyond the 50 largest are folded into “other”." in html
    assert html.count('data-testid="segments-folded"') == 1

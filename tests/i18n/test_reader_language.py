"""Verdicts, findings, charts and numbers in the reader's language, worded when read.

The engine stores a code and its numbers beside its English sentence; a Finnish reader gets
the Finnish sentence with Finnish numbers ("12,5 %"), an English reader exactly the engine's
own sentence, and a verdict stored before codes existed reads as it was stored.
"""

import dataclasses
import re

import pytest
from django.urls import reverse
from django.utils import translation

from analysis import wording
from dashboard import charts, selectors
from growthlab.web import numbers
from metrics.stats import analyse
from metrics.stats.jsonio import result_from_dict
from tests.dashboard import engine_results as er
from tests.factories import experiment_make

NBSP = "\u00a0"


def stored(payload: dict):
    return result_from_dict(analyse(payload))


# Counts chosen to reach each sentence of the engine; each pair is (payload, expected code).
SCENARIOS = {
    "ship": er.binomial_output("Order conversion", "primary", [0.05, 0.06]),
    "harm": er.binomial_output("Order conversion", "primary", [0.06, 0.05]),
    "too_early": er.binomial_output("Order conversion", "primary", [0.05, 0.0501], n=20000),
    "guardrail_harmed": er.binomial_output(
        "Unsubscribes", "guardrail", [0.01, 0.014], direction="decrease"
    ),
    "guardrail_not_harmed": er.binomial_output(
        "Unsubscribes", "guardrail", [0.01, 0.0101], direction="decrease"
    ),
    "too_few_units": er.binomial_output("Order conversion", "primary", [0.1, 0.2], n=30),
    "srm": er.binomial_output("Order conversion", "primary", [0.05, 0.05], n=[20000, 18000]),
    "early": er.binomial_output(
        "Order conversion", "primary", [0.05, 0.0502], planned_sample=90000, days_run=3
    ),
}


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_an_english_reader_reads_the_engines_own_sentence(code):
    result = result_from_dict(SCENARIOS[code])
    comparison = result.comparisons[0]
    assert comparison.verdict.code == code
    with translation.override("en-gb"):
        assert wording.verdict_sentence(comparison.verdict) == comparison.verdict.sentence


def test_a_finnish_reader_gets_a_finnish_verdict_with_finnish_numbers():
    comparison = result_from_dict(SCENARIOS["ship"]).comparisons[0]
    with translation.override("fi"):
        sentence = wording.verdict_sentence(comparison.verdict)
    assert sentence.startswith(
        f"B nosti mittaria Order conversion 20{NBSP}% (95{NBSP}%:n luottamusväli +"
    )
    assert sentence.endswith("Julkaise se.")
    assert f"20{NBSP}%" in sentence and "%:n luottamusväli" in sentence
    # The interval's ends are written with a decimal comma, never a dot.
    ends = re.search(r"luottamusväli ([^–]+) – ([^)]+)\)", sentence)
    assert ends and all("." not in end for end in ends.groups())


def test_swedish_and_dutch_readers_get_their_own_sentences():
    comparison = result_from_dict(SCENARIOS["guardrail_harmed"]).comparisons[0]
    with translation.override("sv"):
        assert wording.verdict_sentence(comparison.verdict).startswith(
            f"Skyddsmätvärdet har försämrats: Unsubscribes upp 40{NBSP}%"
        )
    with translation.override("nl"):
        assert wording.verdict_sentence(comparison.verdict).startswith(
            "Vangrailmetric geschaad: Unsubscribes 40% omhoog"
        )


def test_a_plural_reads_right_in_finnish():
    comparison = result_from_dict(SCENARIOS["early"]).comparisons[0]
    assert comparison.verdict.code == "early"
    with translation.override("fi"):
        sentence = wording.verdict_sentence(comparison.verdict)
    assert sentence.startswith("Jatka testiä: ")
    assert "päivä 3/21. Toistaiseksi B on muuttanut mittaria Order conversion +0,4" in sentence


def test_a_verdict_stored_before_codes_existed_reads_as_stored():
    output = SCENARIOS["ship"]
    old = {**output, "comparisons": [dict(output["comparisons"][0])]}
    del old["comparisons"][0]["verdict_code"], old["comparisons"][0]["verdict_params"]
    comparison = result_from_dict(old).comparisons[0]
    with translation.override("fi"):
        assert wording.verdict_sentence(comparison.verdict) == output["comparisons"][0]["verdict"]


def test_health_findings_are_worded_for_the_reader():
    finding = next(f for f in result_from_dict(SCENARIOS["srm"]).findings if f.code == "srm")
    with translation.override("fi"):
        shown = wording.finding_words(finding)
    assert shown["title"] == "Kävijöitä ei jaettu versioiden kesken suunnitellusti"
    assert f"control: 20{NBSP}000, B: 18{NBSP}000" in shown["detail"]
    assert "khiin neliö p < 0,0001" in shown["detail"]
    with translation.override("en-gb"):
        assert "(control: 20,000, B: 18,000)" in wording.finding_words(finding)["detail"]
    # A finding stored without parameters keeps its stored words.
    bare = dataclasses.replace(finding, params={})
    with translation.override("fi"):
        assert wording.finding_words(bare)["detail"] == finding.detail


@pytest.mark.parametrize(
    ("language", "integer", "percent", "separators"),
    [
        ("en-gb", "12,345", "3.4%", ".,"),
        ("fi", f"12{NBSP}345", f"3,4{NBSP}%", f",{NBSP}"),
        ("sv", f"12{NBSP}345", f"3,4{NBSP}%", f",{NBSP}"),
        ("nl", "12.345", "3,4%", ",."),
    ],
)
def test_numbers_follow_the_language(language, integer, percent, separators):
    with translation.override(language):
        assert numbers.integer(12345) == integer
        assert wording.percent(0.034) == percent
        assert numbers.plotly_separators() == separators


def test_charts_speak_the_readers_language():
    result = result_from_dict(SCENARIOS["ship"])
    with translation.override("fi"):
        figure = charts.forest_figure(result, mde=0.1)
        traffic = charts.traffic_figure(
            {"control": [{"date": "2026-12-01", "n": 10}], "B": [{"date": "2026-12-01", "n": 9}]},
            planned=[1, 1],
            srm_p_value=0.5,
        )
    layout = figure["layout"]
    assert layout["separators"] == f",{NBSP}"
    assert layout["xaxis"]["title"]["text"] == "Muutos vertailuversioon"
    assert layout["xaxis"]["ticksuffix"] == f"{NBSP}%"
    assert figure["data"][0]["text"][0].startswith("+20,0")
    assert "luottamusväli" in figure["data"][0]["text"][0]
    assert traffic["layout"]["title"]["text"] == "Jaon tarkistus (SRM) p = 0,5000"
    assert traffic["layout"]["xaxis"]["tickformat"] == "%-d.%-m."


@pytest.fixture
def experiment(people):
    return experiment_make(people, ready=True)


def test_the_results_page_in_finnish_reads_the_verdict_in_finnish(
    monkeypatch, client, people, experiment
):
    people.viewer.language = "fi"
    people.viewer.save(update_fields=["language"])
    client.force_login(people.viewer)
    monkeypatch.setattr(
        selectors, "latest_result_for", lambda _: er.experiment_results(*er.STATES["winner"]())
    )
    try:
        page = client.get(reverse("experiment:results", args=[experiment.pk])).content.decode()
    finally:
        # The request activated the reader's language in this thread; the tests after this
        # one read the default again.
        translation.deactivate()
    assert '<html lang="fi">' in page
    assert "nosti mittaria Order conversion" in page
    assert "Julkaise se." in page
    verdicts = re.findall(r'data-testid="verdict">(.*?)</p>', page, re.S)
    assert verdicts and all("chance" not in v and "Ship it" not in v for v in verdicts)

"""The flat results by segment: ?dimension=device(&segment=mobile) on the API and its CSV."""

import io
import math

import pandas as pd
import pytest
import scipy.stats

from metrics.models import OutcomeSegment
from tests.api.analysed import analysed_experiment, segments_write

URL = "/api/v1/results/"


def unpooled_p(c1: int, n1: int, c0: int, n0: int) -> float:
    p1, p0 = c1 / n1, c0 / n0
    z = (p1 - p0) / math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    return 2 * scipy.stats.norm.sf(abs(z))


def test_whole_test_rows_carry_an_empty_dimension_and_segment(as_user, people):
    experiment = analysed_experiment(people)
    segments_write(experiment)
    rows = as_user(people.viewer).get(URL).json()["results"]
    assert len(rows) == 4
    assert {(r["dimension"], r["segment"]) for r in rows} == {("", "")}
    assert all(r["segment_p_value_adjusted"] is None for r in rows)


def test_a_dimension_answers_one_row_per_segment_read_from_that_segments_totals(as_user, people):
    experiment = analysed_experiment(people)
    analysed_experiment(people, title="No segments here")  # left out: it has no device rows
    segments_write(experiment)
    response = as_user(people.viewer).get(URL, {"dimension": "device"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {r["experiment_id"] for r in rows} == {experiment.id}
    by = {(r["segment"], r["metric"], r["variant"]): r for r in rows}
    assert len(by) == 8 and {r["dimension"] for r in rows} == {"device"}
    mobile = by[("mobile", "Order conversion", "B")]
    # 5 days x 600 mobile users: B converts 225 (7.5 %), A 150 (5 %).
    assert (mobile["n"], mobile["value"]) == (3000, pytest.approx(0.075))
    assert mobile["relative_effect"] == pytest.approx(0.5)
    assert mobile["p_value"] == pytest.approx(unpooled_p(225, 3000, 150, 3000), rel=1e-6)
    desktop = by[("desktop", "Order conversion", "B")]
    assert desktop["relative_effect"] == pytest.approx(-0.25)
    # A segment names no winner: its treatment rows are leads, with no verdict sentence.
    assert (mobile["status"], mobile["verdict"]) == ("lead", "")
    assert by[("mobile", "Order conversion", "A")]["status"] == "control"
    # BH over the segments, shrunk toward the whole test (exact values: tests/stats).
    assert 0 < mobile["segment_p_value_adjusted"] <= 1
    overall_lift = 0.2  # 300 against 250 conversions over all users
    low, high = sorted((mobile["relative_effect"], overall_lift))
    assert low <= mobile["shrunk_relative_effect"] <= high


def test_one_segment_filters_to_its_rows(as_user, people):
    experiment = analysed_experiment(people)
    segments_write(experiment)
    rows = as_user(people.viewer).get(URL, {"dimension": "device", "segment": "mobile"}).json()
    assert {r["segment"] for r in rows["results"]} == {"mobile"}
    assert rows["count"] == 4 and len(rows["results"]) == 4


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"dimension": "country"}, "dimension", "“country”"),
        ({"dimension": "device", "segment": "tv"}, "segment", "no segment “tv”"),
        ({"segment": "mobile"}, "segment", "Name the dimension too"),
        ({"dimension": "device", "result_status": "won"}, "result_status", "no verdict status"),
    ],
)
def test_an_unknown_dimension_or_segment_is_a_400_naming_it(as_user, people, params, field, words):
    segments_write(analysed_experiment(people))
    response = as_user(people.viewer).get(URL, params)
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])


def test_the_csv_export_has_the_segment_columns_and_stays_spreadsheet_safe(as_user, people):
    experiment = analysed_experiment(people)
    segments_write(experiment)
    # A segment value a spreadsheet would run as a formula.
    OutcomeSegment.objects.filter(experiment=experiment, segment="desktop").update(
        segment="=HYPERLINK(1)"
    )
    response = as_user(people.viewer).get(URL, {"dimension": "device", "format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    frame = pd.read_csv(io.StringIO(body), keep_default_na=False)
    assert {"dimension", "segment", "segment_p_value_adjusted", "shrunk_relative_effect"} <= set(
        frame.columns
    )
    assert set(frame["segment"]) == {"mobile", "'=HYPERLINK(1)"}
    whole = as_user(people.viewer).get(URL, {"format": "csv"})
    flat = pd.read_csv(io.StringIO(b"".join(whole.streaming_content).decode()))
    assert flat["dimension"].isna().all() and len(flat) == 4


def test_the_schema_documents_the_segment_filters_and_columns(as_user, people):
    schema = as_user(people.viewer).get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"][URL]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"dimension", "segment"} <= names
    row = schema["components"]["schemas"]["FlatResult"]["properties"]
    assert {"dimension", "segment", "segment_p_value_adjusted", "shrunk_relative_effect"} <= set(
        row
    )
    assert "lead" in row["status"]["description"]

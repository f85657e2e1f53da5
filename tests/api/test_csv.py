import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.models import Experiment
from growthlab.rest.export import csv_lines, safe_cell
from tests.factories import experiment_make

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def is_plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower().lstrip("+-") not in ("inf", "infinity", "nan")


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=4))
def test_every_string_is_neutralised_or_round_trips_exactly(values):
    text = "".join(
        csv_lines(
            [f"c{i}" for i in range(len(values))],
            [{f"c{i}": value for i, value in enumerate(values)}],
        )
    )
    _header, row = parse(text)
    for original, cell in zip(values, row, strict=True):
        if original.startswith(FORMULA_STARTS) and not is_plain_number(original):
            assert cell == "'" + original
        else:
            assert cell == original


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False)))
def test_numbers_stay_numbers_even_when_negative(number):
    (cell,) = parse("".join(csv_lines(["x"], [{"x": number}])))[1]
    assert cell == str(number)
    assert type(number)(cell) == number  # reads back as the same number


def test_plain_number_text_is_not_neutralised_but_formulas_are():
    assert safe_cell("-0.05") == "-0.05"
    assert safe_cell("+1e3") == "+1e3"
    assert safe_cell("-1+2") == "'-1+2"
    assert safe_cell("=SUM(A1:A2)") == "'=SUM(A1:A2)"
    assert safe_cell("@cmd") == "'@cmd"
    assert safe_cell("\tx") == "'\tx"
    assert safe_cell(None) == ""
    assert safe_cell(True) == "true"


def test_experiment_export_is_streamed_flat_and_safe(as_user, people):
    experiment = experiment_make(people, ready=True, title='=HYPERLINK("http://x","y")')
    Experiment.objects.filter(pk=experiment.pk).update(plan_baseline=-0.05)
    response = as_user(people.viewer).get("/api/v1/experiments/?format=csv")
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    assert text.endswith("\r\n")
    header, row = parse(text)
    cells = dict(zip(header, row, strict=True))
    assert cells["title"] == '\'=HYPERLINK("http://x","y")'
    assert cells["team.name"] == "Web Growth"
    assert cells["plan_baseline"] == "-0.05"
    assert cells["tags"] == ""
    assert cells["variants"].startswith('[{"description": ""')


def test_accept_header_selects_csv_and_errors_stay_json(as_user, people):
    experiment_make(people)
    client = as_user(people.viewer)
    response = client.get("/api/v1/experiments/", HTTP_ACCEPT="text/csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert len(parse(b"".join(response.streaming_content).decode())) == 2
    response = client.get("/api/v1/experiments/", {"team": "abc"}, HTTP_ACCEPT="text/csv")
    assert response.status_code == 400
    assert response.json() == {"team": ["A valid integer is required."]}


def test_csv_export_holds_every_filtered_row_not_one_page(as_user, people):
    for number in range(3):
        experiment_make(people, title=f"Test {number}")
    client = as_user(people.viewer)
    response = client.get("/api/v1/experiments/", {"format": "csv", "page_size": 1, "q": "Test"})
    assert len(parse(b"".join(response.streaming_content).decode())) == 4


def test_empty_export_still_has_its_header(as_user, people):
    response = as_user(people.viewer).get("/api/v1/ideas/?format=csv")
    rows = parse(b"".join(response.streaming_content).decode())
    assert rows[0][:3] == ["id", "team.id", "team.name"]
    assert len(rows) == 1

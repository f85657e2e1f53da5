"""CSV for machines by default; the reader's spreadsheet (``?dialect=local``) on request."""

import csv
import io

from django.utils import translation

from experiments.models import Experiment
from growthlab.rest.export import BYTE_ORDER_MARK, MACHINE, csv_lines, local_dialect
from tests.factories import experiment_make


def parse(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


ROW = {"name": "Äiti", "rate": 0.125, "count": 12345, "text": "-0.05", "day": "2026-12-02"}
FORMULA = {"name": "=1+2", "rate": -0.5, "count": 1, "text": "+3e2", "day": "2026-12-03"}


def test_a_finnish_spreadsheet_gets_semicolons_decimal_commas_and_a_byte_order_mark():
    with translation.override("fi"):
        dialect = local_dialect()
    text = "".join(csv_lines(list(ROW), [ROW, FORMULA], dialect))
    assert text.startswith(BYTE_ORDER_MARK)
    header, row, formula = parse(text.removeprefix(BYTE_ORDER_MARK), ";")
    assert header == list(ROW)
    assert row == ["Äiti", "0,125", "12345", "-0,05", "2026-12-02"]
    # Still spreadsheet-safe: a formula is neutralised, a number is not.
    assert formula == ["'=1+2", "-0,5", "1", "+3e2", "2026-12-03"]


def test_an_english_spreadsheet_keeps_commas_and_dots():
    with translation.override("en-gb"):
        dialect = local_dialect()
    text = "".join(csv_lines(list(ROW), [ROW], dialect))
    assert text.startswith(BYTE_ORDER_MARK)
    assert parse(text.removeprefix(BYTE_ORDER_MARK))[1][1] == "0.125"


def test_the_default_stays_machine_readable_whatever_the_language():
    with translation.override("fi"):
        text = "".join(csv_lines(list(ROW), [ROW], MACHINE))
    assert not text.startswith(BYTE_ORDER_MARK)
    assert parse(text)[1] == ["Äiti", "0.125", "12345", "-0.05", "2026-12-02"]


def test_the_api_export_answers_the_local_dialect_on_request(as_user, people):
    experiment = experiment_make(people, ready=True)
    Experiment.objects.filter(pk=experiment.pk).update(plan_baseline=-0.05)
    client = as_user(people.viewer)
    local = client.get(
        "/api/v1/experiments/", {"format": "csv", "dialect": "local"}, HTTP_ACCEPT_LANGUAGE="fi"
    )
    machine = client.get("/api/v1/experiments/", {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="fi")
    assert local.status_code == machine.status_code == 200
    local_text = b"".join(local.streaming_content).decode()
    assert local_text.startswith(BYTE_ORDER_MARK)
    header, row = parse(local_text.removeprefix(BYTE_ORDER_MARK), ";")
    assert dict(zip(header, row, strict=True))["plan_baseline"] == "-0,05"
    header, row = parse(b"".join(machine.streaming_content).decode())
    assert dict(zip(header, row, strict=True))["plan_baseline"] == "-0.05"

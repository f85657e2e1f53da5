"""A marketer uploads a per-user CSV, maps its columns, watches the load and reads the statistics.

The load's Celery message is held, as a broker holds it until a worker is free: the progress page
first shows the load queued and polls its status, then the test delivers the message (the real
task, in this process) and the page's own script must reload it to show the outcome.
Screenshots of every step land in $GROWTHLAB_TEST_ARTIFACTS/screenshots/.
"""

import csv
import io
import random
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from experiments.services.lifecycle import experiment_transition
from metrics.models import DataLoad, OutcomeCohort
from metrics.tasks import data_load_execute_task
from tests.ingestion.conftest import media, outcome_experiment  # noqa: F401 (fixtures)
from tests.ingestion.corpus import ENGLISH, FINNISH, entries

CORPUS = {entry.name: entry for entry in entries()}

HEADER = ["user_id", "group", "day", "converted", "revenue", "pre_revenue"]
FIRST_DAY = date(2024, 3, 1)
ROWS = 300
# What a person picks on the mapping step, by the labels they read beside the selects.
PICKS = {
    "User id": "user_id",
    "Variant": "group",
    "Exposure date": "day",
    "Order conversion: value": "converted",
    "Revenue: value": "revenue",
    "Revenue: pre-period covariate (CUPED, optional)": "pre_revenue",
}
STATISTICS_COLUMNS = [
    "Metric",
    "Exposure date",
    "Variant",
    "Users",
    "Sum",
    "Rate, mean or ratio",
    "Sum of squares",
]


def outcome_rows(count: int = ROWS, seed: int = 18) -> list[list[str]]:
    """One row per user, as a spreadsheet export would hold them: all text, money in cents."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        converted = int(rng.random() < 0.3)
        revenue = Decimal(rng.randint(500, 9000) * converted) / 100
        pre_revenue = Decimal(rng.randint(0, 6000)) / 100
        day = FIRST_DAY + timedelta(days=i % 3)
        rows.append(
            [
                f"u{i}",
                rng.choice("AB"),
                day.isoformat(),
                str(converted),
                f"{revenue:.2f}",
                f"{pre_revenue:.2f}",
            ]
        )
    return rows


def csv_text(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def expected_table(rows: list[list[str]]) -> dict[tuple[str, str, str], dict]:
    """{(metric, day, variant): users, sum, rate or mean}, summed here with exact decimals."""
    groups = defaultdict(list)
    for row in rows:
        groups[(row[2], row[1])].append(row)
    table = {}
    for (day, variant), members in groups.items():
        n = len(members)
        conversions = sum(int(row[3]) for row in members)
        revenue = sum(Decimal(row[4]) for row in members)
        table[("Order conversion", day, variant)] = {
            "n": n,
            "sum": Decimal(conversions),
            "value": Decimal(conversions) / n,
        }
        table[("Revenue", day, variant)] = {"n": n, "sum": revenue, "value": revenue / n}
    return table


def shown_table(page: Page) -> dict[tuple[str, str, str], dict]:
    """The statistics table as the page shows it, keyed like expected_table."""
    table = page.get_by_role("table")
    headers = table.get_by_role("columnheader").all_text_contents()
    assert headers == STATISTICS_COLUMNS
    shown = {}
    for cells in (
        row.get_by_role("cell").all_text_contents() for row in table.locator("tbody tr").all()
    ):
        metric, day, variant, users, total, value, _ = cells
        day = datetime.strptime(day, "%d %b %Y").date().isoformat()  # e.g. "1 Mar 2024"
        shown[(metric, day, variant)] = {
            "n": int(users),
            "sum": Decimal(total),
            "value": Decimal(value),
        }
    return shown


def total(table: dict, metric: str, variant: str, field: str):
    return sum(cells[field] for (m, _, v), cells in table.items() if (m, v) == (metric, variant))


@pytest.fixture
def held_messages(monkeypatch) -> list[int]:
    """The ids of loads the web pages sent to Celery, held until the test delivers them."""
    held: list[int] = []
    monkeypatch.setattr(data_load_execute_task, "delay", lambda load_id: held.append(load_id))
    return held


def deliver(held: list[int]) -> DataLoad:
    """A worker takes the one waiting message and runs the real task; the finished load."""
    assert len(held) == 1, f"expected one message for the load, got {held}"
    load_id = held.pop()
    result = data_load_execute_task.apply(args=(load_id,))
    assert result.successful(), result.traceback
    return DataLoad.objects.get(pk=load_id)


def upload(page: Page, screenshot, experiment, name: str, data: bytes) -> None:
    page.goto(experiment.get_absolute_url())
    page.get_by_role("link", name="Outcome data", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcome data")
    page.get_by_label("File:", exact=True).set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data}
    )
    screenshot(page, f"upload-{name.removesuffix('.csv')}")
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Which column is what?")


def watch_queued_load(page: Page) -> None:
    """The load waits for a worker: the page says so and its script polls the status."""
    progress = page.locator("#load-progress")
    expect(progress.locator("#load-status")).to_have_text("Queued")
    expect(progress.locator("#load-percent")).to_have_attribute("value", "0")
    expect(progress).to_contain_text("0 rows read")
    with page.expect_response(re.compile(r"/metrics/loads/\d+/status/$")) as polled_response:
        pass
    assert polled_response.value.json() == {
        "status": "queued",
        "status_label": "Queued",
        "phase": "",
        "percent": 0,
        "rows_read": 0,
        "done": False,
    }


def test_marketer_uploads_maps_watches_and_reads_the_statistics(
    page,
    people,
    outcome_experiment,  # noqa: F811 (the imported fixture)
    held_messages,
    sign_in,
    screenshot,
):
    experiment = experiment_transition(
        experiment=outcome_experiment, user=people.owner, action="start"
    )
    rows = outcome_rows()
    sign_in(page, people.owner)

    upload(page, screenshot, experiment, "signups.csv", csv_text(rows))
    preview = page.get_by_role("table")
    expect(preview.get_by_role("columnheader")).to_have_text(HEADER)
    first = preview.locator("tbody tr").first
    expect(first.get_by_role("cell")).to_have_text(rows[0])
    assert preview.locator("tbody tr").count() >= 5
    for label, column in PICKS.items():
        page.get_by_label(f"{label}:", exact=True).select_option(label=column)
    expect(page.get_by_label("Revenue per order: numerator:", exact=True)).to_have_value("")
    screenshot(page, "mapped")

    page.get_by_role("button", name="Load the data").click()
    page.wait_for_url(re.compile(r"/metrics/loads/\d+/$"))
    load = DataLoad.objects.get(experiment=experiment)
    assert page.url.endswith(f"/metrics/loads/{load.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"File upload #{load.pk}: signups.csv"
    )
    watch_queued_load(page)
    screenshot(page, "queued")

    with page.expect_navigation(url=re.compile(rf"/metrics/loads/{load.pk}/$")):
        load = deliver(held_messages)  # the page's script sees it done and reloads itself
    assert load.status == DataLoad.Status.SUCCEEDED
    progress = page.locator("#load-progress")
    expect(progress.locator("#load-status")).to_have_text("Succeeded")
    expect(progress.locator("#load-phase")).to_have_text("done")
    expect(progress.locator("#load-percent")).to_have_attribute("value", "100")
    expect(progress).to_contain_text(f"{ROWS} rows read")
    expected = expected_table(rows)
    expect(page.get_by_role("heading", name="Statistics stored")).to_be_visible()
    expect(page.locator("#load-summary")).to_have_text(
        f"{ROWS} users read, 2 variants, 3 exposure days: {len(expected)} totals stored "
        "(one per metric, variant and day)."
    )
    screenshot(page, "statistics")

    shown = shown_table(page)
    assert shown.keys() == expected.keys()
    for key, want in expected.items():
        assert shown[key]["n"] == want["n"], key
        assert shown[key]["sum"] == want["sum"].quantize(Decimal("0.01")), key
        assert abs(shown[key]["value"] - want["value"]) <= Decimal("0.00005"), key
    for variant in ("A", "B"):  # and over the whole test, per variant
        mine = [row for row in rows if row[1] == variant]
        assert total(shown, "Revenue", variant, "n") == len(mine)
        assert total(shown, "Order conversion", variant, "sum") == sum(int(r[3]) for r in mine)
        assert total(shown, "Revenue", variant, "sum") == sum(Decimal(r[4]) for r in mine)
    stored = OutcomeCohort.objects.filter(load=load).select_related("metric", "variant")
    assert {
        (c.metric.name, c.exposure_date.isoformat(), c.variant.name): (
            c.n,
            round(Decimal(c.sum), 2),
        )
        for c in stored
    } == {key: (want["n"], want["sum"]) for key, want in expected.items()}

    # The bad path: one revenue cell is not a number. Rows are counted as data rows.
    bad_rows = outcome_rows(seed=19)
    bad_rows[41][4] = "N/A"
    upload(page, screenshot, experiment, "signups-broken.csv", csv_text(bad_rows))
    for label, column in PICKS.items():  # remembered from the first upload
        expect(page.get_by_label(f"{label}:", exact=True)).to_have_value(column)
    screenshot(page, "mapping-remembered")
    page.get_by_role("button", name="Load the data").click()
    page.wait_for_url(re.compile(rf"/metrics/loads/(?!{load.pk}/)\d+/$"))
    bad_load = DataLoad.objects.exclude(pk=load.pk).get(experiment=experiment)
    assert page.url.endswith(f"/metrics/loads/{bad_load.pk}/")
    heading = f"File upload #{bad_load.pk}: signups-broken.csv"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    watch_queued_load(page)
    with page.expect_navigation(url=re.compile(rf"/metrics/loads/{bad_load.pk}/$")):
        bad_load = deliver(held_messages)
    assert bad_load.status == DataLoad.Status.FAILED
    expect(page.locator("#load-status")).to_have_text("Failed")
    expect(page.locator("#load-percent")).to_have_count(0)  # no half-filled bar for a rejection
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text(
        "Nothing was saved; the statistics from before stay as they were."
    )
    expect(problems).to_contain_text("data row 42, column `revenue`: 'N/A' is not a number")
    expect(page.get_by_role("heading", name=re.compile("Statistics stored"))).to_have_count(0)
    screenshot(page, "rejected")
    assert OutcomeCohort.objects.filter(load=bad_load).count() == 0
    assert set(
        OutcomeCohort.objects.filter(experiment=experiment).values_list("load", flat=True)
    ) == {load.pk}
    assert OutcomeCohort.objects.filter(experiment=experiment).count() == len(expected)


def test_a_finnish_excel_file_and_a_workbook_are_read_as_the_page_says(
    page,
    people,
    outcome_experiment,  # noqa: F811 (the imported fixture)
    held_messages,
    sign_in,
    screenshot,
):
    sign_in(page, people.owner)
    finnish = CORPUS["finnish-excel.csv"]
    upload(page, screenshot, outcome_experiment, finnish.name, finnish.data)
    expect(page.locator("#dialect-summary")).to_have_text(
        "Finnish, German or Nordic Excel: semicolons, decimal commas, dates day first with "
        "points (6.12.2026), UTF-8 with a byte-order mark"
    )
    expect(page.get_by_role("table").get_by_role("columnheader")).to_have_text(list(FINNISH))
    for label, column in (
        ("User id", "käyttäjä"),
        ("Variant", "ryhmä"),
        ("Exposure date", "päivä"),
    ):
        expect(page.get_by_label(f"{label}:", exact=True)).to_have_value(column)
    page.get_by_label("Order conversion: value:", exact=True).select_option("konversio")
    page.get_by_label("Revenue: value:", exact=True).select_option("tulo")
    screenshot(page, "finnish-mapped")
    page.get_by_role("button", name="Load the data").click()
    page.wait_for_url(re.compile(r"/metrics/loads/\d+/$"))
    with page.expect_navigation(url=re.compile(r"/metrics/loads/\d+/$")):
        load = deliver(held_messages)
    assert load.status == DataLoad.Status.SUCCEEDED, load.errors
    expect(page.locator("#load-summary")).to_contain_text("60 users read, 2 variants, 3 exposure")
    screenshot(page, "finnish-loaded")

    workbook = CORPUS["workbook.xlsx"]
    upload(page, screenshot, outcome_experiment, workbook.name, workbook.data)
    expect(page.get_by_label("Sheet:", exact=True)).to_have_value("Data")  # not the README
    expect(page.get_by_role("table").first.get_by_role("columnheader")).to_have_text(list(ENGLISH))
    expect(page.locator("#past-loads")).to_contain_text("finnish-excel.csv")
    expect(page.locator("#past-loads")).to_contain_text("Succeeded")
    screenshot(page, "workbook-mapping")

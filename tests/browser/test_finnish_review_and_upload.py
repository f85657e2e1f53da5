"""A Finnish team lead reads a sprint review, and a Finnish marketer reads why a file was refused.

Screenshots land in $GROWTHLAB_TEST_ARTIFACTS/screenshots/.
"""

import re

from django.urls import reverse
from playwright.sync_api import expect

from metrics.models import DataLoad, OutcomeCohort
from tests.browser.test_outcome_upload import (  # noqa: F401 (held_messages: a fixture)
    csv_text,
    deliver,
    held_messages,
    outcome_rows,
)
from tests.browser.test_sprints import documented, finished_sprint  # noqa: F401 (fixtures)
from tests.ingestion.conftest import media, outcome_experiment  # noqa: F401 (fixtures)


def in_finnish(user):
    user.language = "fi"
    user.save(update_fields=["language"])
    return user


def test_a_finnish_lead_reads_the_sprint_review(
    page,
    people,
    finished_sprint,  # noqa: F811 (the imported fixture)
    sign_in,
    screenshot,
):
    sign_in(page, in_finnish(people.lead))
    page.goto(f"/sprints/{finished_sprint.pk}/review/")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{people.team} · sprintti 1")
    main = page.locator("main")
    expect(main.get_by_role("heading", level=2)).to_have_text(
        [
            "Mitä aloitettiin",
            "Mitä päättyi ja miten",
            "Opit ja jälkiarvioinnit",
            "Suojamittarit",
            "Siirretty eteenpäin",
            "Ehdokkaat seuraavaan sprinttiin",
            "Katselmointipalaverin muistiinpanot",
            "Ohjelman tila tähän sprinttiin asti",
        ]
    )
    expect(page.get_by_test_id("concluded")).to_contain_text("Voitti")
    # One shipped of one concluded: the win rate in Finnish, a no-break space before the sign.
    expect(page.get_by_test_id("win-rate")).to_have_text("100\xa0%")
    starts = finished_sprint.starts_on
    expect(page.locator(".subtitle").first).to_contain_text(
        f"{starts.day}.{starts.month}.{starts.year} – "
    )
    screenshot(page, "review")


def test_a_finnish_marketer_reads_why_the_file_was_refused(
    page,
    people,
    outcome_experiment,  # noqa: F811 (the imported fixture)
    held_messages,  # noqa: F811 (the imported fixture)
    sign_in,
    screenshot,
):
    rows = outcome_rows(1300)
    rows[1203][4] = "N/A"  # data row 1,204
    sign_in(page, in_finnish(people.owner))
    page.goto(reverse("experiment:outcome_upload", args=[outcome_experiment.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tulosdata")
    page.locator('input[type="file"][name="file"]').set_input_files(
        {"name": "tulokset.csv", "mimeType": "text/csv", "buffer": csv_text(rows)}
    )
    page.get_by_role("button", name="Lataa ja yhdistä sarakkeet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mikä sarake on mitäkin?")
    expect(page.locator("#dialect-summary")).to_have_text(
        "Tavallinen CSV: pilkut, desimaalipisteet, päivämäärät muodossa vuosi-kuukausi-päivä "
        "(2026-12-06), UTF-8"
    )
    page.locator('select[name="m0_column"]').select_option("converted")
    page.locator('select[name="m1_column"]').select_option("revenue")
    screenshot(page, "mapping")
    page.get_by_role("button", name="Lataa data").click()
    page.wait_for_url(re.compile(r"/metrics/loads/\d+/$"))
    with page.expect_navigation(url=re.compile(r"/metrics/loads/\d+/$")):
        load = deliver(held_messages)
    assert load.status == DataLoad.Status.FAILED
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Mitään ei tallennettu; aiemmat tilastot pysyvät ennallaan.")
    expect(alert).to_contain_text("datarivi 1\xa0204, sarake `revenue`: 'N/A' ei ole luku")
    expect(alert).not_to_contain_text("is not a number")
    screenshot(page, "refused")
    assert not OutcomeCohort.objects.exists()

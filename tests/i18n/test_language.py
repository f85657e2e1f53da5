"""The page's language: the browser's on the sign-in page, then the person's own choice."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import formats, translation

from metrics.ingestion.forms import CountsForm


def test_sign_in_page_speaks_the_browsers_language(client, db):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="fi-FI,fi;q=0.9,en;q=0.5")
    html = response.content.decode()
    assert '<html lang="fi">' in html
    assert "Kirjaudu GrowthLabiin" in html


def test_sign_in_page_without_a_known_language_is_the_organisations(client, db):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="ja")
    assert '<html lang="en-gb">' in response.content.decode()


def test_the_header_switch_keeps_the_choice_on_the_profile(client, people):
    client.force_login(people.owner)
    response = client.post(reverse("accounts:language"), {"language": "sv", "next": "/ideas/"})
    assert response.status_code == 302 and response["Location"] == "/ideas/"
    people.owner.refresh_from_db()
    assert people.owner.language == "sv"
    # The profile wins over a browser that asks for Finnish.
    page = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert '<html lang="sv">' in page
    assert "Logga ut" in page


def test_the_switch_refuses_a_language_the_app_does_not_have(client, people):
    client.force_login(people.owner)
    client.post(reverse("accounts:language"), {"language": "xx", "next": "/"})
    people.owner.refresh_from_db()
    assert people.owner.language == ""


def test_the_switch_needs_the_csrf_token(people):
    from django.test import Client

    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(people.owner)
    assert guarded.post(reverse("accounts:language"), {"language": "fi"}).status_code == 403
    people.owner.refresh_from_db()
    assert people.owner.language == ""


def test_api_errors_follow_accept_language(client, db):
    response = client.get("/api/v1/experiments/", HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code in (401, 403)
    assert response.json()["detail"] == "Autentikaatiotunnuksia ei annettu."


@pytest.mark.parametrize(
    ("language", "short_date", "number"),
    [
        ("fi", "2.12.2026", "12\xa0345,6"),
        ("sv", "2026-12-02", "12\xa0345,6"),
        ("nl", "2-12-2026", "12.345,6"),
        ("en-gb", "02/12/2026", "12,345.6"),
    ],
)
def test_dates_and_numbers_read_the_local_way(language, short_date, number):
    with translation.override(language):
        assert formats.date_format(date(2026, 12, 2), "SHORT_DATE_FORMAT") == short_date
        assert formats.number_format(12345.6, 1, force_grouping=True) == number
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


def counts_form(sum_text: str) -> CountsForm:
    data = {"metric": "revenue", "v0_users": "100", "v0_sum": sum_text, "v1_users": "100"}
    return CountsForm(data, metrics={"revenue": "mean"}, variants=["control", "treatment"])


def test_a_finnish_form_reads_the_decimal_comma():
    with translation.override("fi"):
        form = counts_form("12,5")
        assert form.is_valid(), form.errors
        assert form.cleaned_data["v0_sum"] == 12.5


def test_a_dot_is_read_as_the_decimal_mark_too_never_as_thousands():
    # Rule: either mark is the decimal mark; "12.5" is 12.5 in every language, never 125.
    with translation.override("fi"):
        form = counts_form("12.5")
        assert form.is_valid(), form.errors
        assert form.cleaned_data["v0_sum"] == 12.5


def test_a_number_with_both_marks_is_refused_in_the_pages_language():
    with translation.override("fi"):
        form = counts_form("1.234,5")
        assert not form.is_valid()
        assert form.errors["v0_sum"] == ["Syötä luku."]


def test_a_date_picker_sends_iso_dates_in_every_language():
    for language in ("fi", "sv", "nl"):
        with translation.override(language):
            form = counts_form("12,5")
            form.data = {**form.data, "date": "2026-12-02"}
            assert form.is_valid(), (language, form.errors)
            assert form.cleaned_data["date"] == date(2026, 12, 2)

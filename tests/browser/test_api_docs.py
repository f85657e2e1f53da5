"""The API's documentation pages in Chromium: both render the schema offline, under the CSP."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.conftest import PASSWORD

# Redoc's footer links its maker's logo from a CDN; the CSP blocks it, which is all it does.
REDOC_LOGO = "cdn.redoc.ly"


def test_swagger_ui_lists_the_operations_and_tries_one(page, people, sign_in, screenshot):
    sign_in(page, people.viewer)
    page.goto("/api/v1/docs/")
    operation = page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/v1/results/$"))
    expect(operation).to_be_visible()
    operation.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("200")
    screenshot(page, "swagger")


def test_redoc_renders_the_schema_without_other_hosts(browser, live_server, people, screenshot):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems, hosts = [], set()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(people.viewer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/api/v1/redoc/")
    expect(page.get_by_role("heading", name=re.compile("GrowthLab API"))).to_be_visible()
    expect(page.get_by_role("menuitem", name="results")).to_be_visible()
    screenshot(page, "redoc")
    context.close()
    assert [p for p in problems if REDOC_LOGO not in p] == []
    assert hosts - {urlsplit(live_server.url).netloc, REDOC_LOGO, ""} == set()  # "": blob:

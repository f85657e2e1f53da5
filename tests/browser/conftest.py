"""Browser fixtures: Playwright driving Debian's Chromium against pytest-django's live server.

No browser is ever downloaded (`playwright install` is never run): bin/test installs Debian's
`chromium` package and Playwright drives that binary.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, Response, sync_playwright

from tests.conftest import PASSWORD

# Playwright's sync API runs an asyncio event loop in this thread, so Django sees every ORM call
# the test makes (fixtures, refresh_from_db) as made "from an async context" and refuses it. The
# test thread never shares its connection with a coroutine, so the check guards nothing here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CHROMIUM_MISSING = (
    f"{CHROMIUM} is missing: browser tests drive Debian's Chromium. Run bin/test, which installs "
    "it (apt-get install chromium); never `playwright install`."
)
REPO_ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 10_000
# Chromium reports a CSP violation as a console error; this listener words it unmistakably too.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""
BROWSER_TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items):
    # A conftest's hook sees every collected item, so mark only the ones in this folder.
    for item in items:
        if BROWSER_TESTS in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _live_server_sees_rows(transactional_db):
    """The live server answers from another thread, so rows must be committed, not rolled back."""


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(CHROMIUM_MISSING, pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def allowed_page_statuses() -> set[int]:
    """HTTP error statuses a test expects a page itself to answer with, e.g. 409 for a refusal.

    Chromium logs "Failed to load resource: … status of 409" for such a page; a test that adds
    409 here accepts that line for pages only, never for a stylesheet, script or image.
    """
    return set()


def console_problem(message: ConsoleMessage, expected_pages: set[tuple[str, int]]) -> str | None:
    if message.type != "error":
        return None
    url = message.location.get("url", "")
    failed = re.fullmatch(r"Failed to load resource: .* status of (\d+) .*", message.text)
    if failed and (url, int(failed[1])) in expected_pages:
        return None
    return f"console error: {message.text} ({url})"


@pytest.fixture
def page(browser, live_server, allowed_page_statuses):
    """A fresh browser context on the live server; fails the test on any console error."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    problems: list[str] = []
    expected_pages: set[tuple[str, int]] = set()

    def on_response(response: Response) -> None:
        is_page = response.request.resource_type == "document"
        if is_page and response.status in allowed_page_statuses:
            expected_pages.add((response.url, response.status))

    def on_console(message: ConsoleMessage) -> None:
        if problem := console_problem(message, expected_pages):
            problems.append(problem)

    def on_page_error(error: Error) -> None:
        problems.append(f"uncaught exception: {error}")

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    yield page
    context.close()
    assert problems == [], "The browser reported errors:\n" + "\n".join(problems)


@pytest.fixture
def sign_in():
    """Sign in through the real login page; returns the page on the page that follows."""

    def sign_in(page: Page, user) -> Page:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))
        return page

    return sign_in


@pytest.fixture
def screenshot(request):
    """Save a full-page PNG as a test artifact, numbered in the order the test takes them."""
    root = Path(os.environ.get("GROWTHLAB_TEST_ARTIFACTS") or REPO_ROOT / "test-artifacts")
    folder = root / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    prefix = request.node.name.removeprefix("test_")
    taken = 0

    def screenshot(page: Page, name: str) -> Path:
        nonlocal taken
        taken += 1
        path = folder / f"{prefix}-{taken:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return screenshot

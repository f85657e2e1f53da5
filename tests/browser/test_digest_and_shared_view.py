"""A team lead previews the demo's weekly digest, and someone without an account opens the
team's shared stakeholder view; both read on a phone."""

import re

from django.core.management import call_command
from playwright.sync_api import expect

DEMO_PASSWORD = "growthlab-demo"


def sign_in_as_lina(page):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("lead.lina")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))


def test_a_lead_previews_the_digest_and_a_guest_opens_the_shared_view(
    page, browser, live_server, settings, screenshot
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    call_command("load_demo_data")
    sign_in_as_lina(page)
    page.goto("/digests/teams/web-growth/preview/")
    expect(page.get_by_role("heading", name="Web Growth: the week in tests")).to_be_visible()
    expect(page.get_by_role("heading", name="The programme so far")).to_be_visible()
    expect(page.locator(".digest")).to_contain_text("win rate")
    screenshot(page, "digest-preview")
    page.get_by_role("button", name="Send it now").click()
    expect(page.get_by_text("The digest is on its way to")).to_be_visible()

    page.goto("/teams/web-growth/")
    share = page.get_by_label("Share link").first.input_value()
    screenshot(page, "team-page-share-links")
    page.get_by_role("link", name="Stakeholder view").click()
    expect(page.get_by_role("heading", name="What we learned", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Share this view")).to_be_visible()
    screenshot(page, "stakeholder-view")

    guest = browser.new_context(viewport={"width": 390, "height": 844})
    phone = guest.new_page()
    response = phone.goto(share)
    assert response.status == 200
    expect(phone.get_by_text("A read-only view shared by the team")).to_be_visible()
    expect(phone.get_by_role("heading", name="What we are testing now")).to_be_visible()
    assert phone.locator("form").count() == 0
    screenshot(phone, "shared-view-phone")
    phone.goto(share.rstrip("/") + "x/")
    expect(phone.get_by_text("This link is not one GrowthLab made")).to_be_visible()
    screenshot(phone, "shared-link-altered")
    guest.close()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/digests/teams/web-growth/preview/")
    screenshot(page, "digest-preview-phone")

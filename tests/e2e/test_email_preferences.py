"""Choosing which emails you get, in the portal: a choice is saved as it is made and is there after a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Served, sign_in

pytestmark = pytest.mark.browser


def test_a_provider_chooses_the_morning_digest_for_new_referrals(browser, served: Served) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, served, "harbour")
    page.get_by_role("link", name="Your emails").click()
    expect(page.get_by_role("heading", name="Your emails")).to_be_visible()
    choice = page.locator("select[data-notification='REFERRAL_BROADCAST']")
    expect(choice).to_have_value("IMMEDIATELY")
    choice.select_option("DIGEST")
    expect(page.locator("#messages")).to_contain_text("Saved")
    page.reload()
    expect(page.locator("select[data-notification='REFERRAL_BROADCAST']")).to_have_value("DIGEST")
    context.close()

"""An email's links, followed in a browser as its reader would: the referral link while signed out (sign in, then
land on that referral), and the "Stop this kind of email" link (confirm, and the choice shows on Your emails)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Served, publish_referral, sign_in

pytestmark = pytest.mark.browser


def _publish_referral(browser, served: Served) -> str:
    context = browser.new_context()
    officer = context.new_page()
    sign_in(officer, served, "kent_officer")
    _, reference = publish_referral(officer, served, age=10)
    context.close()
    return reference


def _emailed_text(page, served: Served, to: str, reference: str) -> str:
    """The plain-text part of the email to `to` about `reference`, from the dev mailbox the demo runs."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        page.goto(f"{served.base_url}/dev/mailbox")
        row = page.locator("tbody tr", has_text=to).filter(has_text=reference)
        if row.count():
            row.first.get_by_role("link").click()
            return page.locator("pre").inner_text()
        time.sleep(0.3)
    raise AssertionError(f"no email to {to} about {reference} reached the dev mailbox")


def test_a_provider_follows_the_emailed_referral_link_signed_out_and_unsubscribes(browser, served: Served) -> None:
    reference = _publish_referral(browser, served)
    reader = served.emails["harbour"]
    context = browser.new_context()
    page = context.new_page()
    text = _emailed_text(page, served, reader, reference)
    referral_link = re.search(rf"{re.escape(served.base_url)}/referrals/\S+", text).group(0)
    stop_link = re.search(r"Stop this kind of email: (\S+)", text).group(1)

    # Signed out: the link asks them to sign in, then lands on the referral the email was about.
    page.goto(referral_link)
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/referrals/"))
    page.get_by_label("Email address").fill(reader)
    page.get_by_label("Password").fill(served.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_contain_text(reference)

    # The unsubscribe link asks first (mail scanners follow links), then switches that email off.
    page.goto(stop_link)
    expect(page.get_by_role("heading", name="Stop these emails?")).to_be_visible()
    page.get_by_role("button", name="Stop these emails").click()
    expect(page.get_by_role("heading", name="You will no longer get these emails")).to_be_visible()
    page.get_by_role("link", name="Choose which emails you get").click()
    expect(page.locator("select[data-notification='REFERRAL_BROADCAST']")).to_have_value("OFF")
    context.close()

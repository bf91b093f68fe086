"""The story of a placement, in two browsers at once: publish, see it live, offer, accept, see it accepted."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Served, make_required_choices, publish_referral, sign_in

pytestmark = pytest.mark.browser


def test_referral_to_placement_live_in_two_browsers(browser, served: Served) -> None:
    officer_context, provider_context = browser.new_context(), browser.new_context()
    officer, provider = officer_context.new_page(), provider_context.new_page()
    sign_in(provider, served, "harbour")
    expect(provider).to_have_url(re.compile(r"/inbox$"))
    expect(provider.locator("#live-state")).to_have_text("Live")

    sign_in(officer, served, "kent_officer")
    _, reference = publish_referral(officer, served, summary="Enjoys football and drawing; settled in Year 9.")
    assert reference.startswith("KEN-")

    card = provider.locator(f"li[data-reference='{reference}']")
    expect(card).to_be_visible(timeout=2000)  # no reload: pushed over the websocket
    expect(provider).to_have_title(re.compile(r"^\(1\)"))
    card.get_by_role("link", name=reference).click()
    expect(provider.locator("#fee-total")).to_have_text("£880.00")
    provider.locator("#best-matches input[name='resource']").first.check()
    provider.get_by_label("Why this is a good match").fill("Experienced carers for teenagers; 5 miles from home.")
    provider.get_by_role("button", name="Send offer").click()
    provider.get_by_role("button", name="Confirm and send offer").click()
    expect(provider.locator("#offer-status")).to_have_text("Submitted")

    row = officer.locator("#offers tbody tr[data-offer-id]")
    expect(row).to_have_count(1, timeout=5000)
    expect(row.locator(".status")).to_have_text("Submitted")
    row.get_by_role("button", name="Accept").click()
    officer.get_by_role("button", name="Accept offer").click()
    expect(officer.locator("#ipa-reference")).to_have_text(f"IPA-{reference}")

    expect(provider.locator("#offer-status")).to_have_text("Accepted", timeout=5000)

    # The duty desk was emailed too: the server's own outbox worker sent it to the dev mailbox.
    mailbox = provider_context.new_page()
    mailbox.goto(f"{served.base_url}/dev/mailbox")
    email = mailbox.locator("tbody tr", has_text=f"[{reference}] New referral").filter(
        has_text=served.emails["harbour"]
    )
    for _ in range(20):
        if email.count():
            break
        mailbox.wait_for_timeout(500)
        mailbox.reload()
    expect(email).to_have_count(1)
    email.get_by_role("link").click()
    expect(mailbox.locator("pre")).to_contain_text("/referrals/")
    expect(mailbox.locator("pre")).not_to_contain_text("Enjoys football")  # never the referral's free text
    officer_context.close()
    provider_context.close()


def test_identifying_words_are_marked_where_they_are(browser, served: Served) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, served, "kent_officer")
    page.goto(f"{served.base_url}/referrals/new")
    page.get_by_label("Age in years").fill("12")
    page.get_by_label("Home postcode district").fill("ME14")
    make_required_choices(page)
    page.get_by_label("Summary", exact=True).fill("Lives at ME14 1XX with an aunt.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#summary-error mark.identifying")).to_have_text("ME14 1XX")
    context.close()


def test_signed_out_visitor_is_sent_to_sign_in_and_back(browser, served: Served) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{served.base_url}/vacancy-board")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/vacancy-board$"))
    page.get_by_label("Email address").fill(served.emails["kent_officer"])
    page.get_by_label("Password").fill(served.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/vacancy-board$"))
    context.close()

"""The placement's life in two browsers: the council accepts an offer, both sides confirm the Individual
Placement Agreement on its page, the provider confirms the start and proposes a new fee the council agrees,
the council records a review, the provider gives notice short of 28 days and the page flags it; the page
prints as a clean agreement and passes axe at 1,366 and 375 px."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Served, sign_in
from tests.e2e.test_council_decisions import assert_accessible, offer, publish

pytestmark = pytest.mark.browser


def _day(days: int = 0) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def test_both_sides_live_the_placement_from_its_agreement_to_notice(browser, served: Served) -> None:
    contexts = [browser.new_context() for _ in range(2)]
    officer, harbour = (context.new_page() for context in contexts)
    sign_in(officer, served, "kent_officer")
    sign_in(harbour, served, "harbour")
    referral_id, reference = publish(officer, served)
    chosen = offer(harbour, served, referral_id, start_in_days=1)
    officer.goto(f"{served.base_url}/referrals/{referral_id}")
    officer.locator(f"tr[data-offer-id='{chosen}']").get_by_role("button", name="Accept").click()
    officer.get_by_role("button", name="Accept offer").click()
    expect(officer.locator("#ipa-reference")).to_have_text(f"IPA-{reference}")

    # The council opens the agreement from its placements.
    officer.goto(f"{served.base_url}/placements")
    officer.get_by_role("link", name=f"IPA-{reference}").click()
    officer.wait_for_url("**/placements/*")
    agreement = officer.locator("#agreement")
    expect(agreement).to_contain_text(f"IPA-{reference}")
    expect(agreement).to_contain_text("Kent County Council")
    expect(agreement).to_contain_text("Harbour Fostering (test)")
    expect(agreement).to_contain_text("KM-IFP-2022")
    expect(agreement).to_contain_text("28 days' written notice")
    expect(agreement).to_contain_text("Not yet confirmed")
    assert_accessible(officer, "the council's placement page")
    officer.get_by_role("button", name="Confirm the agreement").click()
    expect(officer.locator("#confirm-dialog")).to_be_visible()
    officer.get_by_role("button", name="Yes, go ahead").click()
    expect(officer.locator("#messages")).to_contain_text("You confirmed the agreement.")
    expect(officer.get_by_role("button", name="Confirm the agreement")).to_be_hidden()

    # The provider reaches it from its offers, confirms, and confirms the start.
    harbour.goto(f"{served.base_url}/my-offers")
    harbour.get_by_role("link", name=f"Placement IPA-{reference}").click()
    harbour.wait_for_url("**/placements/*")
    harbour.get_by_role("button", name="Confirm the agreement").click()
    harbour.get_by_role("button", name="Yes, go ahead").click()
    expect(harbour.locator("#agreement")).to_contain_text("Confirmed by both")
    harbour.get_by_label("The day the child moved in").fill(_day(-60))  # moved in early, as an emergency
    harbour.get_by_role("button", name="Confirm the start").click()
    expect(harbour.locator("#messages")).to_contain_text("Start confirmed")

    # A fee change: the missing answers listed and linked first, then proposed; the council agrees it.
    harbour.get_by_role("button", name="Propose the new fee").click()
    summary = harbour.locator("#errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the new weekly fee.")
    harbour.get_by_label("New weekly fee (£)").fill("900")
    harbour.get_by_label("In force from").fill(_day(7))
    harbour.get_by_label("Reason").fill("Extra support hours agreed with the social worker.")
    harbour.get_by_role("button", name="Propose the new fee").click()
    expect(harbour.locator("#fee-pending")).to_contain_text("Waiting for the other side to agree.")
    officer.reload()
    officer.get_by_role("button", name="Agree the new fee").click()
    expect(officer.locator("#fee-history")).to_contain_text("£900.00")
    expect(officer.locator("#fee-history")).not_to_contain_text("Awaiting agreement")

    # Its first review (20 working days from the start) is overdue: on the council's dashboard.
    officer.goto(f"{served.base_url}/dashboard")
    expect(officer.locator("#kpi-reviews-overdue")).to_contain_text("1")
    officer.locator("#reviews-due").get_by_role("link", name=f"IPA-{reference}").click()
    officer.wait_for_url("**/placements/*")
    expect(officer.locator("#life-facts")).to_contain_text("Overdue")

    # The council records a review.
    officer.get_by_label("Held on").fill(_day())
    officer.get_by_label("The child", exact=True).check()
    officer.get_by_label("Independent reviewing officer").check()
    officer.get_by_label("Strengths and Difficulties Questionnaire total").fill("41")
    officer.get_by_role("button", name="Record the review").click()
    expect(officer.locator("#sdqTotal-error")).to_contain_text("40")
    officer.get_by_label("Strengths and Difficulties Questionnaire total").fill("18")
    officer.get_by_role("button", name="Record the review").click()
    expect(officer.locator("#reviews")).to_contain_text("18")
    expect(officer.locator("#life-facts")).to_contain_text("Next review due")

    # The provider gives 14 days' notice: flagged short of 28 days on both sides.
    harbour.reload()
    harbour.get_by_label("Notice given on").fill(_day())
    harbour.get_by_label("Intended last day of the placement").fill(_day(14))
    harbour.get_by_role("button", name="Give notice").click()
    harbour.get_by_role("button", name="Yes, go ahead").click()
    expect(harbour.locator("#life-facts")).to_contain_text("Short of 28 days")
    officer.reload()
    expect(officer.locator("#life-facts")).to_contain_text("14 days")
    expect(officer.locator("#life-facts")).to_contain_text("Short of 28 days")
    assert_accessible(officer, "the council's placement page after notice")
    assert_accessible(harbour, "the provider's placement page")

    # Printed, the page is the agreement alone.
    officer.emulate_media(media="print")
    expect(officer.locator("#agreement")).to_be_visible()
    expect(officer.locator("#life")).to_be_hidden()
    expect(officer.locator("header.masthead")).to_be_hidden()
    expect(officer.get_by_role("button", name="Print the agreement")).to_be_hidden()
    officer.emulate_media(media="screen")
    for context in contexts:
        context.close()

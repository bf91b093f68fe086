"""The council's whole job on a referral and after it, in Chromium: decline an offer with a reason the provider
then reads, accept a late offer past a clear warning, see why offers fit and rank, go to spot purchase,
withdraw a referral, and end a placement with the DfE reason and the notice date."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served, publish_referral, sign_in

pytestmark = pytest.mark.browser

FETCH = """async ([query, variables]) => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const response = await fetch("/graphql", { method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify({ query, variables }) });
  return await response.json();
}"""


def graphql(page: Page, query: str, variables: dict | None = None) -> dict:
    """The API as the signed-in page itself calls it (session cookie and CSRF token)."""
    body = page.evaluate(FETCH, [query, variables or {}])
    assert "errors" not in body, body
    return body["data"]


def assert_accessible(page: Page, where: str) -> None:
    """No serious or critical axe violation, and nothing wider than the screen, at 1,366 px and at 375 px."""
    problems = []
    for width, height in ((1366, 900), (375, 800)):
        page.set_viewport_size({"width": width, "height": height})
        for violation in Axe().run(page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                problems.append(f"{where} at {width}px: {violation['id']}: {violation['help']}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"{where}: {overflow}px wider than a {width}px screen")
    page.set_viewport_size({"width": 1366, "height": 900})
    assert not problems, "\n".join(problems)


def _day(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def publish(officer: Page, served: Served, age: int = 13, max_miles: int = 60) -> tuple[str, str]:
    return publish_referral(officer, served, age=age, max_miles=max_miles)


def offer(provider: Page, served: Served, referral_id: str, start_in_days: int) -> str:
    """The provider's duty desk offers its household (through the API the portal uses)."""
    provider.goto(f"{served.base_url}/my-offers")
    households = graphql(provider, "{ carerHouseholds(first: 5) { edges { node { id } } } }")
    household = households["carerHouseholds"]["edges"][0]["node"]["id"]
    submitted = graphql(
        provider,
        "mutation($input: SubmitOfferInput!) { submitOffer(input: $input) { offer { id } errors { message } } }",
        {
            "input": {
                "referralId": referral_id,
                "carerHouseholdId": household,
                "startDate": _day(start_in_days),
                "matchingStatement": "Experienced carers for teenagers, near the child's school.",
            }
        },
    )["submitOffer"]
    assert submitted["errors"] == [], submitted
    return submitted["offer"]["id"]


def test_council_declines_with_a_reason_the_provider_sees_and_accepts_a_late_offer_past_a_warning(
    browser, served: Served
) -> None:
    contexts = [browser.new_context() for _ in range(3)]
    officer, harbour, oakleaf = (context.new_page() for context in contexts)
    sign_in(officer, served, "kent_officer")
    sign_in(harbour, served, "harbour")
    sign_in(oakleaf, served, "oakleaf")
    referral_id, reference = publish(officer, served)
    declined = offer(harbour, served, referral_id, start_in_days=1)
    late = offer(oakleaf, served, referral_id, start_in_days=20)  # required by in 5 days

    rows = officer.locator("#offers tbody tr[data-offer-id]")
    expect(rows).to_have_count(2, timeout=5000)
    late_row = officer.locator(f"tr[data-offer-id='{late}']")
    expect(late_row.locator(".start")).to_contain_text("After the required-by")
    expect(officer.locator(f"tr[data-offer-id='{declined}'] .start")).not_to_contain_text("After the required-by")

    # The commissioner reads the open referral's offers and decides nothing on them.
    commissioner = browser.new_context()
    contexts.append(commissioner)
    reader = commissioner.new_page()
    sign_in(reader, served, "kent_commissioner")
    reader.goto(f"{served.base_url}/referrals/{referral_id}")
    expect(reader.locator("#offers tbody tr[data-offer-id]")).to_have_count(2)
    expect(reader.locator("#offers").get_by_role("button")).not_to_have_count(0)  # the sort buttons
    expect(reader.locator("#offers tbody").get_by_role("button")).to_have_count(0)
    expect(reader.locator("#referral-actions")).to_be_hidden()
    expect(officer.locator(f"tr[data-offer-id='{late}']").get_by_role("button", name="Accept")).to_be_visible()

    # Why each offer fits, why it ranks where it does, and the household behind it.
    harbour_row = officer.locator(f"tr[data-offer-id='{declined}']")
    harbour_row.get_by_text("Why it fits").click()
    expect(harbour_row.locator(".reasons li").first).to_be_visible()
    expect(harbour_row.locator(".reasons")).to_contain_text("miles")
    harbour_row.get_by_text("Why this rank").click()
    expect(harbour_row).to_contain_text(re.compile(r"Score \d+\.\d = fit \d+\.\d × \d+% \+ cost \d+\.\d × \d+%"))
    harbour_row.get_by_text("Household profile").click()
    expect(harbour_row.locator(".profile")).to_contain_text("8 to 17")
    expect(harbour_row.locator(".profile")).to_contain_text("Core fostering")
    assert_accessible(officer, "the council's referral page with offers")

    # Decline: a reason must be chosen, OTHER needs a note, then a confirmation that it cannot be undone.
    harbour_row.get_by_role("button", name="Decline").click()
    dialog = officer.locator("#decline-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("input[name=declineReason]:checked")).to_have_count(0)  # starts empty
    dialog.get_by_role("button", name="Continue").click()
    expect(dialog.locator("#decline-errors")).to_be_focused()
    expect(dialog.locator("#decline-errors")).to_contain_text("Choose why you are declining the offer.")
    dialog.get_by_label("Other (see the note)").check()
    dialog.get_by_role("button", name="Continue").click()
    expect(dialog.locator("#declineNote-error")).to_have_text("Say in the note why the offer is declined.")
    assert_accessible(officer, "the decline dialog with its errors")
    dialog.get_by_label("Another offer is a better match").check()
    note = "A household nearer the child's school has offered."
    dialog.get_by_label("Note for the provider").fill(note)
    dialog.get_by_role("button", name="Continue").click()
    expect(dialog).to_contain_text("This cannot be undone.")
    expect(dialog.locator("#decline-summary")).to_contain_text("Another offer is a better match")
    dialog.get_by_role("button", name="Decline offer").click()
    expect(dialog).to_be_hidden()
    expect(harbour_row.locator(".status")).to_have_text("Declined")
    expect(harbour_row.locator(".decline-reason")).to_have_text(f"Another offer is a better match: {note}")

    # The provider reads the reason on My offers and on its referral page.
    harbour.goto(f"{served.base_url}/my-offers")
    mine = harbour.locator("#offers tbody tr", has_text=reference)
    expect(mine.locator(".status")).to_have_text("Declined")
    expect(mine.locator(".decline-reason")).to_contain_text("Another offer is a better match")
    expect(mine.locator(".decline-reason")).to_contain_text(note)
    mine.get_by_role("link", name=reference).click()
    expect(harbour.locator("#offer-decline-reason")).to_contain_text("Another offer is a better match")

    # Accepting the late offer warns that it starts after the required-by, and is still allowed.
    late_row.get_by_role("button", name="Accept").click()
    warning = officer.locator("#confirm-late")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("after the referral's required-by")
    assert_accessible(officer, "the accept dialog with its warning")
    officer.get_by_role("button", name="Accept offer").click()
    expect(officer.locator("#ipa-reference")).to_have_text(f"IPA-{reference}")
    for context in contexts:
        context.close()


def test_council_sends_a_referral_nobody_on_the_framework_can_take_to_spot_purchase(browser, served: Served) -> None:
    spot_context, officer_context = browser.new_context(), browser.new_context()
    spot, officer = spot_context.new_page(), officer_context.new_page()
    sign_in(spot, served, "spot")
    created = graphql(
        spot,
        """mutation($input: CreateCarerHouseholdInput!) { createCarerHousehold(input: $input) {
          carerHousehold { id } errors { field message } } }""",
        {
            "input": {
                "reference": "SPOT-H1",
                "district": "TN1",
                "minAge": 3,
                "maxAge": 12,
                "approvedPlaces": 1,
                "placementKinds": ["CORE_FOSTERING"],
                "durations": ["SHORT_TERM", "LONG_TERM", "EMERGENCY"],
            }
        },
    )["createCarerHousehold"]
    assert created["errors"] == [], created

    sign_in(officer, served, "kent_officer")
    referral_id, reference = publish(officer, served, age=5)  # every framework household is approved from 8
    escalate = officer.get_by_role("button", name="Go to spot purchase")
    expect(escalate).to_be_enabled()
    expect(officer.locator("#spot-hint")).to_contain_text("Every framework tier has had its window")
    escalate.click()
    dialog = officer.locator("#escalate-dialog")
    expect(dialog).to_contain_text("registered providers off the framework")
    expect(dialog).to_contain_text("This cannot be undone.")
    dialog.get_by_role("button", name="Go to spot purchase").click()
    expect(officer.locator("#messages")).to_contain_text("Sent to spot purchase")
    expect(officer.locator("#spot-badge")).to_have_text("Sent to spot purchase")
    expect(officer.locator("#recipients")).to_contain_text("Surrey Hills Care (test) (spot)")
    expect(escalate).to_be_hidden()

    # The spot provider has it in its inbox.
    spot.goto(f"{served.base_url}/inbox")
    expect(spot.locator(f"li[data-reference='{reference}']")).to_be_visible(timeout=5000)

    # Withdrawing asks why, then closes the referral.
    officer.get_by_role("button", name="Withdraw referral").click()
    withdraw = officer.locator("#withdraw-dialog")
    withdraw.get_by_role("button", name="Withdraw referral").click()
    expect(withdraw.locator("#withdraw-errors")).to_contain_text("Say why the referral is withdrawn.")
    withdraw.get_by_label("Why it is withdrawn").fill("A relative has come forward to care for the child.")
    withdraw.get_by_role("button", name="Withdraw referral").click()
    expect(officer.locator("#referral-status")).to_have_text("Withdrawn")
    expect(officer.locator("#referral-actions")).to_be_hidden()

    # The provider it was sent to reads why, on the referral's page.
    spot.goto(f"{served.base_url}/referrals/{referral_id}")
    expect(spot.locator("#withdrawn")).to_contain_text("A relative has come forward to care for the child.")
    spot_context.close()
    officer_context.close()


def test_council_ends_a_placement_with_the_dfe_reason_and_notice_date(browser, served: Served) -> None:
    officer_context, provider_context = browser.new_context(), browser.new_context()
    officer, harbour = officer_context.new_page(), provider_context.new_page()
    sign_in(officer, served, "kent_officer")
    sign_in(harbour, served, "harbour")
    referral_id, reference = publish(officer, served, max_miles=20)
    offered = offer(harbour, served, referral_id, start_in_days=1)
    row = officer.locator(f"tr[data-offer-id='{offered}']")
    expect(row).to_be_visible(timeout=5000)
    row.get_by_role("button", name="Accept").click()
    officer.get_by_role("button", name="Accept offer").click()
    ipa = f"IPA-{reference}"
    expect(officer.locator("#ipa-reference")).to_have_text(ipa)

    officer.get_by_role("link", name="Placements", exact=True).first.click()
    expect(officer).to_have_url(re.compile(r"/placements$"))
    officer.get_by_label("Reference").fill(reference)
    officer.get_by_role("button", name="Show placements").click()
    placement = officer.locator("#placements tbody tr[data-ipa]")
    expect(placement).to_have_count(1)
    expect(placement.locator(".status")).to_have_text("Active")
    assert_accessible(officer, "the placements page")

    placement.get_by_role("button", name="End placement").click()
    dialog = officer.locator("#end-dialog")
    expect(dialog.get_by_label("Reason (the DfE's reason a placement changed)")).to_have_value("")  # starts empty
    dialog.get_by_role("button", name="Continue").click()
    errors = dialog.locator("#end-errors")
    expect(errors).to_be_focused()
    expect(errors.locator("li")).to_have_count(3)
    assert_accessible(officer, "the end-placement dialog with its errors")
    dialog.get_by_label("Last day of the placement").fill(_day(40))
    dialog.get_by_label("Reason (the DfE's reason a placement changed)").select_option("CARPL")
    dialog.get_by_label("Yes, planned").check()
    dialog.get_by_label("Notice given on").fill(_day(2))
    dialog.get_by_role("button", name="Continue").click()
    expect(dialog.locator("#end-summary")).to_contain_text("Change to the care plan (CARPL), planned")
    expect(dialog).to_contain_text("This cannot be undone.")
    dialog.get_by_role("button", name="End placement").click()
    expect(dialog).to_be_hidden()
    expect(placement.locator(".status")).to_have_text("Ended")
    expect(placement.locator(".end-reason")).to_contain_text("Change to the care plan (CARPL), planned")
    expect(placement.get_by_role("button", name="End placement")).to_have_count(0)

    officer.get_by_label("Status").select_option("ACTIVE")
    officer.get_by_role("button", name="Show placements").click()
    expect(officer.locator("#placements tbody tr[data-ipa]")).to_have_count(0)
    officer.get_by_label("Status").select_option("ENDED")
    officer.get_by_role("button", name="Show placements").click()
    expect(officer.locator("#placements tbody tr[data-ipa]")).to_have_count(1)

    # The commissioner reads the same pages, and decides nothing on them.
    commissioner_context = browser.new_context()
    commissioner = commissioner_context.new_page()
    sign_in(commissioner, served, "kent_commissioner")
    commissioner.goto(f"{served.base_url}/placements")
    expect(commissioner.locator(f"#placements tbody tr[data-ipa='{ipa}'] .status")).to_have_text("Ended")
    expect(commissioner.get_by_role("button", name="End placement")).to_have_count(0)
    for context in (officer_context, provider_context, commissioner_context):
        context.close()

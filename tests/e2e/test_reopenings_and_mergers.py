"""Re-openings and mergers in the portal: Kent's commissioner opens a re-opening of LOT1, the spot provider's
admin applies, the commissioner approves it with a tier and prices, and the next referral reaches the spot
provider's duty desk; a platform admin merges Harbour into Oakleaf through the confirm step, and Kent's officer
sees Harbour's placement as "made by Harbour, now part of Oakleaf" while Harbour's staff can no longer sign in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from bench.harness.marketplace import PASSWORD, Marketplace
from server.domain.vocabulary import Duration, PlacementKind, Role
from server.services import accounts, offers, resources
from server.services.offers import OfferDetails
from tests.e2e.conftest import Served, publish_referral, serve, sign_in

pytestmark = pytest.mark.browser

AFTER_SAVING = 15_000  # ms: a save is a few round trips, and the machine running the suite may be busy
TODAY = datetime.now(UTC).date()
SPOT = "Surrey Hills Care (test)"
HARBOUR, OAKLEAF = "Harbour Fostering (test)", "Oakleaf Care (test)"


async def _spot_admin_and_a_harbour_placement(market: Marketplace) -> None:
    """The spot provider gets an admin and a household that could take a Maidstone teenager; Harbour gets a
    placement of Kent's (so that the merger has one to pass across)."""
    market.users["spot_admin"] = await accounts.create_user(
        None,
        email="manager@spot.test",
        password=PASSWORD,
        display_name="Surrey Hills registered manager",
        role=Role.PROVIDER_ADMIN,
        provider_id=market.providers["spot"].id,
    )
    await resources.create_carer_household(
        market.actor("spot"),
        market.providers["spot"].id,
        resources.HouseholdDetails(
            reference="SPOT-H1",
            district="ME15",
            min_age=8,
            max_age=17,
            approved_places=2,
            placement_kinds=[PlacementKind.CORE_FOSTERING.value],
            durations=[d.value for d in Duration],
        ),
    )
    referral = await market.referral()
    offer = await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=referral.id,
            carer_household_id=market.households["harbour"],
            start_date=TODAY + timedelta(days=2),
            matching_statement="A calm household near the school.",
        ),
    )
    await offers.accept_offer(market.actor("kent_officer"), offer.id)


def choose_lot(page, words: str) -> None:
    """Choose the option of the apply form's lot list that names the lot (each also says when it closes)."""
    select = page.get_by_label("Lot", exact=True)
    select.select_option(value=select.locator("option", has_text=words).get_attribute("value"))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(tmp_path_factory, _spot_admin_and_a_harbour_placement)


def test_a_reopening_admits_a_provider_that_then_receives_the_next_referral(browser, served: Served) -> None:
    commissioner = browser.new_context().new_page()
    sign_in(commissioner, served, "kent_commissioner")
    commissioner.get_by_role("navigation", name="Main").get_by_role("link", name="Re-openings").click()
    expect(commissioner.locator("h1")).to_have_text("Re-openings")

    # The required choices start empty; sending the form as it comes lists every problem, focused.
    expect(commissioner.get_by_label("Framework", exact=True)).to_have_value("")
    commissioner.get_by_role("button", name="Open the re-opening").click()
    summary = commissioner.locator("#open-error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("li")).to_have_count(3)
    commissioner.get_by_label("Framework", exact=True).select_option(label="Kent & Medway IFP framework")
    commissioner.get_by_label("Opens on").fill(TODAY.isoformat())
    commissioner.get_by_label("Closes on").fill((TODAY + timedelta(days=28)).isoformat())
    commissioner.get_by_role("button", name="Open the re-opening").click()
    expect(summary.get_by_role("link", name="Choose at least one lot to open")).to_be_visible()
    commissioner.get_by_label("LOT1 Core fostering").check()
    commissioner.get_by_label("LOT2 Enhanced fostering").check()
    commissioner.get_by_role("button", name="Open the re-opening").click()
    expect(commissioner.locator("#messages")).to_contain_text(
        "Kent & Medway IFP framework is open to applications to join LOT1, LOT2", timeout=AFTER_SAVING
    )
    expect(commissioner.locator("#windows tbody tr").first).to_contain_text("open now")

    # The spot provider's admin applies; its duty desk may look but not apply.
    provider = browser.new_context().new_page()
    sign_in(provider, served, "spot_admin")
    provider.get_by_role("navigation", name="Main").get_by_role("link", name="Join a framework").click()
    expect(provider.locator("#windows tbody")).to_contain_text("LOT1 Core fostering")
    expect(provider.get_by_label("Lot", exact=True)).to_have_value("")
    provider.get_by_role("button", name="Send the application").click()
    apply_summary = provider.locator("#apply-error-summary")
    expect(apply_summary).to_be_focused()
    expect(apply_summary.locator("li")).to_have_count(2)
    choose_lot(provider, "LOT1 Core fostering")
    statement = provider.get_by_label("What your organisation offers this lot")
    statement.fill("Placed by her mother Kerry Jones last year.")
    provider.get_by_role("button", name="Send the application").click()
    expect(apply_summary).to_contain_text('"her mother"', timeout=AFTER_SAVING)  # the anonymisation guard
    statement.fill("Twelve approved carer households across west Kent, two for solo placements.")
    provider.get_by_role("button", name="Send the application").click()
    expect(provider.locator("#messages")).to_contain_text("is with its lead commissioners", timeout=AFTER_SAVING)
    expect(provider.locator("#applications tbody tr").first).to_contain_text("Awaiting the lead commissioner")
    choose_lot(provider, "LOT2 Enhanced fostering")
    statement.fill("Two therapeutic carer households in Maidstone.")
    provider.get_by_role("button", name="Send the application").click()
    expect(provider.locator("#applications tbody tr")).to_have_count(2, timeout=AFTER_SAVING)

    # The commissioner approves it with a tier and weekly fees.
    commissioner.reload()
    # One it refuses, with a reason the provider reads.
    enhanced = commissioner.locator("#applications tbody tr", has_text="LOT2")
    enhanced.get_by_role("button", name=re.compile("^Decide")).click()
    dialog = commissioner.locator("#decide-dialog")
    dialog.get_by_label("Refuse, with a reason").check()
    dialog.get_by_role("button", name="Record the decision").click()
    expect(commissioner.locator("#decide-error-summary")).to_contain_text("Write why you refuse the application")
    dialog.get_by_label("Why you refuse it").fill("The enhanced lot has enough therapeutic places this year.")
    dialog.get_by_role("button", name="Record the decision").click()
    expect(commissioner.locator("#messages")).to_contain_text("It is told your reason", timeout=AFTER_SAVING)
    expect(enhanced).to_contain_text("Refused")

    row = commissioner.locator("#applications tbody tr", has_text="LOT1")
    expect(row).to_contain_text("Twelve approved carer households")
    row.get_by_role("button", name=re.compile("^Decide")).click()
    dialog.get_by_role("button", name="Record the decision").click()
    decide_summary = commissioner.locator("#decide-error-summary")
    expect(decide_summary).to_contain_text("Choose whether to approve or refuse")
    dialog.get_by_label("Approve: it joins the lot today").check()
    expect(dialog.get_by_label("Tier", exact=True)).to_have_value("")
    dialog.get_by_role("button", name="Record the decision").click()
    expect(decide_summary.locator("li")).to_have_count(2)  # the tier, and at least one fee
    dialog.get_by_label("Tier", exact=True).select_option("1")
    for band, fee in {"5-10": "800", "11-15": "840", "16-18": "880"}.items():
        for level in ("Standard", "With additional support"):
            dialog.get_by_label(re.compile(rf"^{band}, {level}")).fill(fee)
    dialog.get_by_role("button", name="Record the decision").click()
    expect(commissioner.locator("#messages")).to_contain_text(
        f"{SPOT} is on LOT1 at tier 1, with its prices", timeout=AFTER_SAVING
    )
    expect(commissioner.locator("#applications tbody tr", has_text="LOT1")).to_contain_text("Approved")
    provider.reload()
    mine = provider.locator("#applications tbody tr")
    expect(mine.filter(has_text="LOT1")).to_contain_text("Approved: you are on the lot at tier 1")
    expect(mine.filter(has_text="LOT2")).to_contain_text("Reason: The enhanced lot has enough therapeutic places")

    # The next referral on LOT1 reaches the spot provider's duty desk.
    officer = browser.new_context().new_page()
    sign_in(officer, served, "kent_officer")
    _, reference = publish_referral(officer, served)
    duty = browser.new_context().new_page()
    sign_in(duty, served, "spot")
    expect(duty).to_have_url(re.compile(r"/inbox$"))
    expect(duty.locator(f"li[data-reference='{reference}']")).to_be_visible(timeout=AFTER_SAVING)


def test_an_admin_merges_harbour_into_oakleaf_after_seeing_what_moves(browser, served: Served) -> None:
    admin = browser.new_context().new_page()
    sign_in(admin, served, "admin")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Mergers").click()
    expect(admin.locator("h1")).to_have_text("Merge providers")
    admin.get_by_role("button", name="Continue").click()
    summary = admin.locator("#merge-error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("li")).to_have_count(4)
    admin.get_by_label("Provider that merges and ends").select_option(label=HARBOUR)
    admin.get_by_label("Provider it merges into", exact=True).select_option(label=OAKLEAF)
    admin.get_by_label("Merger takes effect on").fill(TODAY.isoformat())
    admin.get_by_label("Deactivate them (they can no longer sign in)").check()
    admin.get_by_role("button", name="Continue").click()

    # The confirm step says what passes across, lot by lot.
    confirm = admin.locator("#confirm-step")
    expect(confirm).to_be_focused()
    expect(confirm).to_contain_text("Its carer households, children's homes and vacancies become Oakleaf Care (test)'s")
    expect(confirm).to_contain_text(f'"made by {HARBOUR}, now part of {OAKLEAF}"')
    expect(confirm).to_contain_text("LOT1 Core fostering: Oakleaf Care (test) is on it already, and its place stands")
    expect(confirm).to_contain_text("can no longer sign in")
    admin.get_by_role("button", name="Go back and change").click()
    expect(admin.get_by_label("Provider that merges and ends")).to_have_value(re.compile(".+"))
    admin.get_by_role("button", name="Continue").click()
    admin.get_by_role("button", name="Confirm the merger").click()
    expect(admin.locator("#messages")).to_contain_text(
        f"{HARBOUR} is now part of {OAKLEAF}. Passed across: 1 carer household", timeout=AFTER_SAVING
    )
    expect(admin.locator("#messages")).to_contain_text("1 placement")

    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Providers", exact=True).click()
    row = admin.locator("#providers tbody tr", has_text=HARBOUR)
    expect(row).to_contain_text("Merged into another provider")
    expect(row).to_contain_text(f"Now part of {OAKLEAF}")

    # Kent's officer sees the placement, now Oakleaf's, with who made it.
    officer = browser.new_context().new_page()
    sign_in(officer, served, "kent_officer")
    officer.goto(f"{served.base_url}/placements")
    expect(officer.locator("table")).to_contain_text(f"Made by {HARBOUR}, now part of {OAKLEAF}")

    # Oakleaf's duty desk has Harbour's household; Harbour's duty desk cannot sign in any more.
    oakleaf = browser.new_context().new_page()
    sign_in(oakleaf, served, "oakleaf")
    oakleaf.goto(f"{served.base_url}/carers")
    expect(oakleaf.locator("main")).to_contain_text("HARBOUR-H1")
    harbour = browser.new_context().new_page()
    sign_in(harbour, served, "harbour")
    expect(harbour).to_have_url(re.compile(r"/sign-in"))

"""Block contracts in the portal: Kent's commissioner makes one for beds in Oakleaf's home (the GOV.UK error summary
first lists what is missing, then the server's refusal of a term over ten years), lands on the contract with its
places, occupancy and voids, adds a place; Oakleaf's duty desk sees the same figures, Harbour sees no contract."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from bench.harness.marketplace import Marketplace
from server.domain.vocabulary import OfstedJudgement
from server.models import ChildrensHome
from tests.e2e.conftest import Served, serve, sign_in

pytestmark = pytest.mark.browser

AFTER_SAVING = 15_000  # ms: a save is a few round trips, and the machine running the suite may be busy


async def _oakleaf_lodge(market: Marketplace) -> None:
    await ChildrensHome.create(
        provider=market.providers["oakleaf"],
        name="Oakleaf Lodge",
        ofsted_urn="SC981201",
        beds=3,
        min_age=10,
        max_age=17,
        district="ME15",
        ofsted_judgement=OfstedJudgement.GOOD,
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(tmp_path_factory, _oakleaf_lodge)


def test_a_commissioner_makes_a_block_contract_and_both_sides_see_its_voids(browser, served: Served) -> None:
    today = datetime.now(UTC).date()
    start = today - timedelta(days=29)
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, served, "kent_commissioner")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Block contracts").click()
    expect(page.locator("h1")).to_have_text("Block contracts")
    expect(page.locator("#block-contracts tbody")).to_contain_text("No block contracts yet.")

    # Sent as it comes: every missing answer listed, focused, each linked to its field.
    page.get_by_role("button", name="Make the block contract").click()
    summary = page.locator("#create-error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("li")).to_have_count(9)
    summary.get_by_role("link", name="Choose the provider").click()
    expect(page.get_by_label("Provider")).to_be_focused()

    page.get_by_label("Reference").fill("KCC-BLOCK-E2E")
    page.get_by_label("Name", exact=True).fill("Kent children's home beds")
    page.get_by_label("Made by").select_option(label="Kent County Council alone")
    page.get_by_label("Provider").select_option(label="Oakleaf Care (test)")
    expect(page.get_by_label("Place 1: home or household")).to_contain_text("Oakleaf Lodge")
    page.get_by_label("Starts on", exact=True).first.fill(start.isoformat())
    page.get_by_label("Ends on").fill((start + timedelta(days=366 * 11)).isoformat())
    page.get_by_label("Weekly price per place (£)").fill("4,900")
    page.get_by_label("Void rate: percentage of the price").fill("50")
    page.get_by_label("Place 1: home or household").select_option(index=1)
    page.locator("#place-0-startsOn").fill(start.isoformat())
    page.get_by_role("button", name="Add another place").click()
    page.get_by_label("Place 2: home or household").select_option(index=1)
    page.locator("#place-1-startsOn").fill((today - timedelta(days=9)).isoformat())

    # The server refuses a term over ten years, naming the field.
    page.get_by_role("button", name="Make the block contract").click()
    expect(summary).to_be_focused(timeout=AFTER_SAVING)
    expect(summary).to_contain_text("A block contract's term is at most 10 years.")
    expect(page.locator("#endsOn-error")).to_contain_text("at most 10 years")
    page.get_by_label("Ends on").fill((start + timedelta(days=365 * 5)).isoformat())
    page.get_by_role("button", name="Make the block contract").click()

    page.wait_for_url(re.compile(r"/block-contracts/[\w-]+\?made=1$"), timeout=AFTER_SAVING)
    expect(page.locator("h1")).to_have_text("Block contract KCC-BLOCK-E2E")
    expect(page.locator("#messages")).to_contain_text("The block contract is made.")
    # Two empty places: one for the 30 days since the contract started, the other for the last 10.
    expect(page.locator("#void-days")).to_contain_text("40 days (£14,000.00)")
    expect(page.locator("#utilisation")).to_have_text("0%")
    expect(page.locator("#places tbody tr")).to_have_count(2)
    contract_url = page.url.split("?")[0]
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not violations, violations

    # A period of its own: the last ten days only.
    page.get_by_label("From").fill((today - timedelta(days=9)).isoformat())
    page.get_by_role("button", name="Show this period").click()
    expect(page.locator("#void-days")).to_contain_text("20 days")

    # A third place on the ramp, starting next month.
    page.get_by_label("Home or household").select_option(index=1)
    page.locator("#add-startsOn").fill((today + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#messages")).to_contain_text("The block contract is changed.", timeout=AFTER_SAVING)
    expect(page.locator("#places tbody tr")).to_have_count(3)
    context.close()

    provider = browser.new_context()
    duty = provider.new_page()
    sign_in(duty, served, "oakleaf")
    duty.get_by_role("navigation", name="Main").get_by_role("link", name="Block contracts").click()
    expect(duty.locator("#block-contracts tbody")).to_contain_text("KCC-BLOCK-E2E")
    expect(duty.locator("#create-block")).to_have_count(0)
    duty.goto(contract_url)
    expect(duty.locator("#void-days")).to_contain_text("40 days")
    expect(duty.locator("#edit-block")).to_have_count(0)
    provider.close()

    other = browser.new_context()
    harbour = other.new_page()
    sign_in(harbour, served, "harbour")
    response = harbour.goto(contract_url)
    assert response is not None and response.status == 404
    other.close()

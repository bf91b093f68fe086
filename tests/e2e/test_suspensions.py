"""In a browser: an Ofsted import suspended Oakleaf (its judgement fell below the framework's minimum, then rose
back); the lead commissioner sees it on the framework and the providers' register, lifts it after a confirm
step, and suspends another member by hand with a reason."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from bench.harness.marketplace import Marketplace
from server.domain.ofsted import parse_ofsted_csv
from server.services.ofsted_import import import_ofsted
from tests.e2e.conftest import Served, serve, sign_in

pytestmark = pytest.mark.browser

AFTER_SAVING = 15_000  # ms
HEADER = "URN,Provider type,Setting name,Local authority,Inspection date,Inspection type,Overall effectiveness"


async def _imported(market: Marketplace) -> None:
    today = datetime.now(UTC).date()
    for days_ago, judgement in ((40, 3), (3, 2)):  # Requires improvement, then Good again
        row = f"SC900002,Independent fostering agency,Oakleaf Care,Kent,{today - timedelta(days=days_ago):%d/%m/%Y},Full inspection,{judgement}"
        await import_ofsted(parse_ofsted_csv([HEADER, row], today).rows, today)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(tmp_path_factory, _imported)


def test_a_commissioner_lifts_a_suspension_the_ofsted_import_made_and_suspends_by_hand(browser, served: Served) -> None:
    page = browser.new_context().new_page()
    sign_in(page, served, "kent_commissioner")
    today = datetime.now(UTC).date()

    # The register says where Oakleaf's judgement comes from.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Providers").click()
    oakleaf = page.locator("#providers tbody tr", has_text="Oakleaf Care (test)")
    expect(oakleaf).to_contain_text(f"Ofsted import, {today.day} {today:%b %Y}")
    expect(oakleaf).to_contain_text("suspended from referrals")

    # The framework's members show the suspension, linked to the page that lifts it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Framework").click()
    row = page.locator("tr", has_text="Oakleaf Care (test)").first
    expect(row).to_contain_text("Suspended from referrals since")
    row.get_by_role("link", name="Suspended from referrals since").click()
    expect(page.locator("h1")).to_have_text("Suspensions from referrals")

    lot1 = page.locator("section.card", has_text="LOT1")
    suspended = lot1.locator("tr", has_text="Oakleaf Care (test)")
    expect(suspended).to_contain_text("Suspended since")
    expect(suspended).to_contain_text("below the framework's minimum of Good")
    expect(suspended).to_contain_text("now meets the framework's minimum")

    # The confirm step: cancelling changes nothing.
    suspended.get_by_role("button", name="Lift suspension").click()
    dialog = page.locator("#lift-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Oakleaf Care (test) on Lot 1: Core fostering (LOT1), tier 1")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(suspended).to_contain_text("Suspended since")

    suspended.get_by_role("button", name="Lift suspension").click()
    dialog.get_by_label("Note for the framework's record (optional)").fill("Re-inspected Good; assurance meeting held.")
    dialog.get_by_role("button", name="Yes, lift the suspension").click()
    expect(page.locator("#messages")).to_contain_text(
        "Oakleaf Care (test) is sent referrals on LOT1 again.", timeout=AFTER_SAVING
    )
    expect(suspended).to_contain_text("Sent referrals")
    expect(suspended.get_by_role("button", name="Suspend")).to_be_visible()
    suspended.locator("summary", has_text="Earlier suspensions").click()
    expect(suspended).to_contain_text("lifted")

    # By hand: the reason is required, then the member is suspended.
    harbour = lot1.locator("tr", has_text="Harbour Fostering (test)")
    harbour.get_by_role("button", name="Suspend").click()
    suspend = page.locator("#suspend-dialog")
    suspend.get_by_role("button", name="Yes, suspend").click()
    summary = page.locator("#suspend-error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Say why the provider is suspended").click()
    expect(suspend.get_by_label("Why")).to_be_focused()
    suspend.get_by_label("Why").fill("Staffing below the agreed ratio, under review")
    suspend.get_by_role("button", name="Yes, suspend").click()
    expect(page.locator("#messages")).to_contain_text(
        "Harbour Fostering (test) is suspended from referrals on LOT1.", timeout=AFTER_SAVING
    )
    expect(harbour).to_contain_text("Staffing below the agreed ratio, under review")
    expect(harbour.get_by_role("button", name="Lift suspension")).to_be_visible()


@pytest.mark.parametrize(
    "viewport", [{"width": 1366, "height": 900}, {"width": 375, "height": 800}], ids=["1366px", "375px"]
)
def test_the_suspensions_page_has_no_serious_accessibility_violations_and_fits_the_screen(
    browser, served: Served, viewport
) -> None:
    page = browser.new_context(viewport=viewport).new_page()
    sign_in(page, served, "kent_commissioner")
    page.goto(f"{served.base_url}/suspensions")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#suspensions")).to_contain_text("suspended")
    page.locator("button[data-lift], button[data-suspend]").first.click()  # a confirm dialog open, too
    serious = [
        f"{violation['id']}: {violation['help']}"
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

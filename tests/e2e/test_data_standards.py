"""In a browser: the placements data standard's fields on the new-referral form, the referral's "Export
(placements data standard)" download in the standard's words, and the 903 export from the placements page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from bench.harness.marketplace import Marketplace
from server.domain import placements_standard as std
from server.models import Placement
from server.services import offers, ssda903
from server.services.offers import OfferDetails
from tests.e2e.conftest import Served, make_required_choices, serve, sign_in

pytestmark = pytest.mark.browser


async def _a_placement(market: Marketplace) -> None:
    """A Kent placement with Harbour's household that began 60 days ago."""
    referral = await market.referral()
    offer = await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=referral.id,
            carer_household_id=market.households["harbour"],
            start_date=datetime.now(UTC).date() + timedelta(days=2),
            matching_statement="Experienced with teenagers; near the school.",
        ),
    )
    placement = await offers.accept_offer(market.actor("kent_officer"), offer.id)
    await Placement.filter(id=placement.id).update(start_date=datetime.now(UTC).date() - timedelta(days=60))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(tmp_path_factory, _a_placement)


def test_the_standards_fields_are_written_on_the_form_and_exported_in_its_words(browser, served: Served) -> None:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    sign_in(page, served, "kent_officer")
    page.goto(f"{served.base_url}/referrals/new")
    page.wait_for_load_state("networkidle")
    assert page.get_by_label("Does the child have communication needs?").input_value() == "NOT_SPECIFIED"
    page.get_by_label("Age in years").fill("14")
    page.get_by_label("Home postcode district").fill("ME14")
    make_required_choices(page)
    page.get_by_label("Does the child have communication needs?").select_option("NO")
    page.get_by_label("Cultural needs (as the placements data standard asks)").select_option("REQUIRED")
    page.get_by_label("Cultural needs", exact=True).fill("Keeps Diwali with the family")
    page.get_by_label("The other risk to the child, in words").fill("Climbs onto roofs")
    page.get_by_label("Other support needed").fill("A mentor for weekend football")
    page.get_by_label("Summary", exact=True).fill("Enjoys swimming and board games; settled at school.")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/referrals/(?!new)[\w-]+$"))
    page.wait_for_load_state("networkidle")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Export (placements data standard), JSON").click()
    document = json.loads(downloading.value.path().read_text(encoding="utf-8"))
    assert std.option_problems(document) == []
    assert document["PlacementRequirements"]["communicationNeeds"] == "N"
    assert document["PlacementRequirements"]["culturalNeeds"] == "Required"
    assert document["PlacementRequirements"]["additionalSupport"] == "other (please specify)"
    assert document["Risks"]["riskOther"] == "Climbs onto roofs"

    page.goto(f"{served.base_url}/placements")
    page.wait_for_load_state("networkidle")
    page.get_by_label("Format").select_option("csv")
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download the 903 export").click()
    today = datetime.now(UTC).date()
    year = today.year if today.month >= 4 else today.year - 1
    assert downloading.value.suggested_filename == f"ssda903-episodes-{year}-{(year + 1) % 100:02d}.csv"
    header = downloading.value.path().read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join(ssda903.COLUMNS)
    context.close()


def test_the_council_records_a_change_of_legal_status_and_the_standards_details(browser, served: Served) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, served, "kent_officer")
    page.goto(f"{served.base_url}/placements")
    page.get_by_role("link", name=re.compile(r"^IPA-")).first.click()
    page.wait_for_url("**/placements/*")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#life-facts")).to_contain_text("None recorded")

    page.get_by_role("button", name="Record the change of legal status").click()
    expect(page.locator("#errors")).to_contain_text("Choose the new legal status.")
    page.get_by_label("New legal status").select_option("C2")
    page.get_by_label("Legal status from").fill((datetime.now(UTC).date() - timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Record the change of legal status").click()
    expect(page.locator("#messages")).to_contain_text("Legal status C2 recorded")
    expect(page.locator("#life-facts")).to_contain_text("C2 (Full care order) from")

    page.get_by_label("The child stays at the same school").select_option("yes")
    page.get_by_label("Siblings placed together").fill("1")
    page.get_by_role("button", name="Record for the standard").click()
    expect(page.locator("#messages")).to_contain_text("Recorded for the placements data standard.")
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.get_by_label("The child stays at the same school").input_value() == "yes"
    assert page.get_by_label("Siblings placed together").input_value() == "1"
    context.close()

"""Contract management in a browser: the lead commissioner opens the framework's quarter from /frameworks, changes
the quarter, drills down to a placement behind a figure, downloads the XLSX and a table's CSV (read back with
openpyxl and csv), and sees the current quarter move live when a placement ends; a provider records an allegation
on its scorecard (the error summary first) and updates its outcome; a council records placement feedback that its
provider reads and another provider does not; the lead commissioner records a contract review with its actions."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from bench.harness.marketplace import Marketplace
from server.domain.quarters import Quarter
from server.models import Placement
from server.services import offers
from tests.e2e.conftest import Served, serve, sign_in
from tests.services.test_referrals_and_offers import offer_details

pytestmark = pytest.mark.browser

TODAY = datetime.now(UTC).date()
NOW = Quarter.of(TODAY)
BEFORE = NOW.previous()
REFERENCES: dict[str, str] = {}
IDS: dict[str, int] = {}


async def _history(market: Marketplace) -> None:
    """This quarter, a Kent placement with Harbour; last quarter, one with Oakleaf that ended unplanned."""
    IDS.update(framework=market.framework.id, harbour=market.providers["harbour"].id)
    for key, started in (("harbour", TODAY), ("oakleaf", BEFORE.starts_on)):
        referral = await market.referral()
        offer = await offers.submit_offer(market.actor(key), offer_details(market, referral, key))
        await offers.accept_offer(market.actor("kent_officer"), offer.id)
        placement = await Placement.get(referral_id=referral.id)
        await Placement.filter(id=placement.id).update(start_date=started, actual_start_date=None)
        REFERENCES[key] = placement.ipa_reference
    ended = BEFORE.ends_on
    await Placement.filter(ipa_reference=REFERENCES["oakleaf"]).update(
        status="ended",
        end_date=ended,
        planned_ending=False,
        end_reason="CREQB",
        notice_given_on=date.fromordinal(ended.toordinal() - 7),
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(tmp_path_factory, _history)


def _cell(page, table: str, row: str) -> str:
    return (
        page.locator(f"#table-{table} tbody tr", has=page.locator("th", has_text=re.compile(f"^{row}$")))
        .locator("td")
        .first.inner_text()
    )


def test_the_lead_commissioner_reads_changes_drills_into_and_downloads_the_quarter(
    browser, served: Served, tmp_path
) -> None:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, served, "kent_commissioner")
    page.goto(f"{served.base_url}/frameworks")
    page.get_by_role("link", name=re.compile("^Contract management: each quarter")).click()
    page.get_by_role("link", name=re.compile("Kent & Medway IFP framework")).first.click()
    page.wait_for_url(re.compile(r"/contract-management$"))
    expect(page.locator("#tables")).to_have_attribute("data-quarter", str(NOW))
    assert _cell(page, "placements", "Started") == "1"
    assert _cell(page, "placements", "Ended") == "0"
    expect(page.locator("#provider-links a", has_text="Harbour Fostering (test)")).to_be_visible()
    # Trends: eight quarters in the chart and in its table.
    expect(page.locator("#chart-placements-table tbody tr")).to_have_count(8)
    assert (
        page.evaluate("window.Chart.getChart(document.querySelector('#chart-placements canvas')).data.labels.length")
        == 8
    )

    # The quarter before: Oakleaf's placement started and ended unplanned, without 28 days' notice.
    page.get_by_label(re.compile("^Quarter")).select_option(str(BEFORE))
    expect(page.locator("#tables")).to_have_attribute("data-quarter", str(BEFORE))
    assert re.search(rf"quarter={BEFORE}$", page.url)
    assert _cell(page, "placements", "Ended") == "1"
    assert _cell(page, "endings", "Unplanned") == "1"
    assert _cell(page, "endings", "Without 28 days' notice") == "1"
    expect(page.locator("#download-xlsx")).to_have_attribute("href", re.compile(f"/quarters/{BEFORE}.xlsx$"))

    # Downloads: the workbook (a sheet per table) and one table's CSV, with the references behind the figures.
    with page.expect_download() as caught:
        page.locator("#download-xlsx").click()
    book = load_workbook(io.BytesIO(open(caught.value.path(), "rb").read()))
    assert len(book.sheetnames) == page.locator(".kpi-table").count() > 3
    endings = next(sheet for sheet in book.worksheets if sheet.title == "Endings")
    unplanned = next(row for row in endings.iter_rows(values_only=True) if row[0] == "Unplanned")
    assert unplanned[1] == 1, unplanned
    assert REFERENCES["oakleaf"] in " ".join(str(cell) for cell in unplanned if cell), unplanned
    with page.expect_download() as caught:
        page.locator("#table-endings .csv-link").click()
    assert caught.value.suggested_filename == f"KM-IFP-2022-{BEFORE}-endings.csv"
    rows = list(csv.reader(io.StringIO(open(caught.value.path(), encoding="utf-8-sig").read())))
    assert rows[0][:3] == ["Ending", "Placements", "Share of endings"]
    assert next(r for r in rows if r[0] == "Unplanned")[1:2] == ["1"]

    # Drill down from the figure to the placement behind it.
    row = page.locator("#table-endings tbody tr", has=page.locator("th", has_text="Unplanned"))
    row.locator("summary").click()
    row.get_by_role("link", name=REFERENCES["oakleaf"]).click()
    page.wait_for_url(re.compile(r"/placements/[\w-]+$"))
    expect(page.locator("main")).to_contain_text(REFERENCES["oakleaf"])

    # The printable report holds every table, with a print stylesheet.
    page.goto(f"{served.base_url}/frameworks/1/quarters/{BEFORE}/report")
    assert page.locator("section.report-table").count() == len(book.sheetnames)
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    context.close()


def test_this_quarters_figures_move_live_when_a_placement_ends(browser, served: Served) -> None:
    commissioner = browser.new_context().new_page()
    sign_in(commissioner, served, "kent_commissioner")
    commissioner.goto(f"{served.base_url}/frameworks/1/contract-management")
    expect(commissioner.locator("#tables")).to_have_attribute("data-quarter", str(NOW))
    expect(commissioner.locator("#live-state")).to_have_text("Live")
    ended_before = int(_cell(commissioner, "placements", "Ended"))

    officer = browser.new_context().new_page()
    sign_in(officer, served, "kent_officer")
    officer.goto(f"{served.base_url}/placements")
    result = officer.evaluate(
        """async ([reference, day]) => {
      const post = async (query, variables) => (await fetch("/graphql", { method: "POST", headers: { "Content-Type": "application/json",
        "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content }, body: JSON.stringify({ query, variables }) })).json();
      const found = await post(`query($s: String) { placements(first: 5, search: $s) { edges { node { id } } } }`, { s: reference });
      const id = found.data.placements.edges[0].node.id;
      return post(`mutation($input: EndPlacementInput!) { endPlacement(input: $input) { errors { field message } } }`,
        { input: { id, endDate: day, reason: "CARPL", planned: true, noticeGivenOn: null } });
    }""",
        [REFERENCES["harbour"], TODAY.isoformat()],
    )
    assert result["data"]["endPlacement"]["errors"] == [], result
    expect(
        commissioner.locator("#table-placements tbody tr", has=commissioner.locator("th", has_text="Ended"))
        .locator("td")
        .first
    ).to_have_text(str(ended_before + 1), timeout=15_000)


def test_a_provider_records_an_allegation_on_its_scorecard_and_updates_its_outcome(browser, served: Served) -> None:
    page = browser.new_context().new_page()
    sign_in(page, served, "harbour")
    page.goto(f"{served.base_url}/contract-management")
    page.get_by_role("link", name=re.compile("Scorecard on Kent & Medway")).click()
    page.wait_for_url(re.compile(r"/scorecard$"))
    expect(page.locator("#tables .kpi-table").first).to_be_visible()
    expect(page.locator("#allegations")).to_contain_text("No allegations recorded")

    page.get_by_role("button", name="Record allegation").click()
    summary = page.locator("#allegation-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Choose the allegation's category.")
    assert page.locator("#allegation-category").input_value() == ""  # required choices start empty

    form = page.locator("#allegation-form")
    option = form.locator("#allegation-placementId option", has_text=REFERENCES["harbour"])  # "(ended)" if it has
    form.get_by_label(re.compile("^Placement")).select_option(option.get_attribute("value"))
    form.get_by_label("Reported on").fill(TODAY.isoformat())
    form.get_by_label("Category").select_option(index=1)
    form.get_by_label("Reported by").select_option(index=1)
    form.get_by_label("Outcome so far").select_option("OPEN")
    form.get_by_label("Summary").fill("Concern raised about supervision at a weekend activity.")
    page.get_by_role("button", name="Record allegation").click()
    expect(page.locator("#messages")).to_contain_text("Allegation recorded")
    expect(page.locator("#allegations-table tbody tr")).to_have_count(1)

    page.locator("#allegations-table button[data-outcome]").click()
    page.locator("#outcome-dialog").get_by_label("Outcome").select_option("UNSUBSTANTIATED")
    page.locator("#outcome-dialog").get_by_label("Concluded on").fill(TODAY.isoformat())
    page.locator("#outcome-dialog").get_by_role("button", name="Save outcome").click()
    expect(page.locator("#allegations-table .outcome")).to_contain_text("Unsubstantiated")


def test_a_council_records_placement_feedback_that_its_provider_reads_and_no_other_provider_does(
    browser, served: Served
) -> None:
    page = browser.new_context().new_page()
    sign_in(page, served, "kent_officer")
    page.goto(f"{served.base_url}/contract-management")
    page.locator("#council-quarters a").first.click()
    page.wait_for_url(re.compile(r"/quarter$"))
    expect(page.locator("#feedback-list")).to_contain_text("No feedback recorded")

    page.get_by_role("button", name="Record feedback").click()
    summary = page.locator("#feedback-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Score communication with the provider, 1 to 5.")

    form = page.locator("#feedback-form")
    option = form.locator("#feedback-placementId option", has_text=REFERENCES["harbour"])
    form.get_by_label(re.compile("^Placement")).select_option(option.get_attribute("value"))
    form.get_by_label("Given on").fill(TODAY.isoformat())
    form.get_by_label("Given by").select_option("REVIEWING_OFFICER")
    form.get_by_label("Occasion").select_option(index=1)
    for score, n in (("needsMet", 4), ("communication", 2), ("stability", 5)):
        form.locator(f"label[for='feedback-{score}-{n}']").click()
    form.get_by_label("Comment").fill("Settled well; calls back slowly.")
    page.get_by_role("button", name="Record feedback").click()
    expect(page.locator("#messages")).to_contain_text("Feedback recorded")
    row = page.locator("#feedback-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(REFERENCES["harbour"])
    expect(row).to_contain_text("Independent reviewing officer")
    expect(row).to_contain_text("Settled well; calls back slowly.")

    for provider, sees in (("harbour", True), ("oakleaf", False)):
        reader = browser.new_context().new_page()
        sign_in(reader, served, provider)
        reader.goto(f"{served.base_url}/contract-management")
        reader.get_by_role("link", name=re.compile("Scorecard on Kent & Medway")).click()
        reader.wait_for_url(re.compile(r"/scorecard$"))
        if sees:
            expect(reader.locator("#feedback-table tbody tr")).to_contain_text("Settled well; calls back slowly.")
        else:
            expect(reader.locator("#feedback-list")).to_contain_text("No feedback recorded")
        reader.context.close()


def test_the_lead_commissioner_records_a_contract_review_with_actions_on_a_providers_scorecard(
    browser, served: Served
) -> None:
    page = browser.new_context().new_page()
    sign_in(page, served, "kent_commissioner")
    page.goto(f"{served.base_url}/frameworks/{IDS['framework']}/providers/{IDS['harbour']}/scorecard")
    expect(page.locator("#reviews")).to_contain_text("No contract reviews recorded")

    form = page.locator("#review-form")
    form.get_by_label("Action 1").fill("Send the carers' training plan.")
    page.get_by_role("button", name="Record contract review").click()
    summary = page.locator("#review-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter the day the review was held.")
    expect(summary).to_contain_text("Action 1: Choose who owns the action.")

    held = date.fromordinal(TODAY.toordinal() - 40)
    form.get_by_label("Held on").fill(held.isoformat())
    form.get_by_label("Notes").fill("Quarterly review: response times and occupancy.")
    form.get_by_label("Owner").select_option("PROVIDER")
    form.get_by_label("Due on").fill(date.fromordinal(TODAY.toordinal() + 30).isoformat())
    page.get_by_role("button", name="Add an action").click()
    form.get_by_label("Action 2").fill("Share the sufficiency data for the next quarter.")
    form.locator("#review-action-1-owner").select_option(index=1)
    # Due before the review was held: the server's error, on that action's field.
    form.locator("#review-action-1-dueOn").fill(date.fromordinal(held.toordinal() - 1).isoformat())
    page.get_by_role("button", name="Record contract review").click()
    expect(summary).to_contain_text("An action is due on or after the review.")
    expect(page.locator("#reviews")).to_contain_text("No contract reviews recorded")
    form.locator("#review-action-1-dueOn").fill(date.fromordinal(TODAY.toordinal() - 1).isoformat())
    page.get_by_role("button", name="Record contract review").click()
    expect(page.locator("#messages")).to_contain_text("Contract review recorded with its actions")
    review = page.locator("#reviews .review")
    expect(review).to_have_count(1)
    expect(review).to_contain_text("Send the carers' training plan.")
    expect(review).to_contain_text("Share the sufficiency data for the next quarter.")
    expect(review).to_contain_text("Overdue")  # due yesterday and not done

    provider = browser.new_context().new_page()
    sign_in(provider, served, "harbour")
    provider.goto(f"{served.base_url}/frameworks/{IDS['framework']}/providers/{IDS['harbour']}/scorecard")
    expect(provider.locator("#reviews .review")).to_contain_text("Send the carers' training plan.")
    expect(provider.locator("#review-form")).to_have_count(0)  # the provider reads its reviews; it does not hold them

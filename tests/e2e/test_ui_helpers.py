"""The shared page helpers (web/static/js/ui.js) in a real page: words and dates, never codes or ISO strings, and
GOV.UK's error summary and notification banner with their roles."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Served, sign_in

pytestmark = pytest.mark.browser

WORDS = """async () => {
  const src = [...document.scripts].map((s) => s.src).find((s) => s.includes("/js/pages/")) ?? "";
  const ui = await import(src.replace(/\\/js\\/pages\\/.*$/, "/js/ui.js"));
  return {
    when: ui.when("2026-12-02T13:05:00Z"), midday: ui.when("2026-07-01T16:00:00Z"), day: ui.day("2026-12-02T13:05:00Z"),
    week: ui.shortDay("2026-11-30"), dateOnly: ui.day("2026-11-30"), nothing: ui.when(null), bad: ui.day("not a date"),
    lot: ui.lotName({ code: "LOT1", name: "Core fostering" }), spot: ui.lotName(null),
    type: ui.labelWithCode("PlacementType", "U6"), reason: ui.labelWithCode("ReasonPlacementChanged", "CARPL"),
    band: ui.label("AgeBand", "AGE_11_15"), aged: ui.ageBandName("AGE_11_15"), tier: ui.tierName(1),
    spotTier: ui.tierName(null, true), urgency: ui.label("Urgency", "WITHIN_5_DAYS"),
  };
}"""

BANNERS = """async () => {
  const src = [...document.scripts].map((s) => s.src).find((s) => s.includes("/js/pages/")) ?? "";
  const ui = await import(src.replace(/\\/js\\/pages\\/.*$/, "/js/ui.js"));
  const main = document.getElementById("main");
  for (const id of ["good", "bad", "summary"]) main.insertAdjacentHTML("afterbegin", `<div id="${id}"></div>`);
  main.insertAdjacentHTML("beforeend", '<label for="age">Age</label><input id="age">');
  ui.announce(document.getElementById("good"), "Offer sent", "success");
  ui.announce(document.getElementById("bad"), "The referral was withdrawn", "error");
  const summary = document.getElementById("summary");
  summary.tabIndex = -1;
  summary.hidden = true;
  ui.showErrorSummary(summary, [{ field: "age", message: "Enter the age" }, { field: "gone", message: "Not a field" }]);
}"""


def test_dates_and_codes_are_shown_in_words(browser, served: Served) -> None:
    context = browser.new_context(timezone_id="America/New_York")  # a date-only value stays that day anywhere
    page = context.new_page()
    sign_in(page, served, "kent_officer")
    words = page.evaluate(WORDS)
    assert words == {
        "when": "Wed 2 December 2026 at 8:05am",  # 13:05 UTC, in the reader's time zone
        "midday": "Wed 1 July 2026 at 12pm (midday)",  # 16:00 UTC is noon in New York in summer
        "day": "Wed 2 December 2026",
        "week": "30 Nov",
        "dateOnly": "Mon 30 November 2026",
        "nothing": "–",
        "bad": "–",
        "lot": "Lot 1: Core fostering (LOT1)",
        "spot": "Spot purchase (no framework lot)",
        "type": "Foster placement with other foster carer: other (U6)",
        "reason": "Change to the care plan (CARPL)",
        "band": "11-15",
        "aged": "aged 11 to 15",
        "tier": "Tier 1",
        "spotTier": "Spot purchase",
        "urgency": "Within 5 days",
    }
    context.close()


def test_announcements_and_the_error_summary_are_govuk_components_with_their_roles(browser, served: Served) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, served, "kent_officer")
    page.evaluate(BANNERS)
    good = page.locator("#good .govuk-notification-banner.govuk-notification-banner--success")
    expect(good).to_have_attribute("role", "status")
    expect(good.locator(".govuk-notification-banner__title")).to_have_text("Success")
    expect(page.get_by_role("status").filter(has_text="Offer sent")).to_be_visible()
    bad = page.locator("#bad .govuk-error-summary")
    expect(bad).to_have_attribute("role", "alert")
    expect(bad).to_contain_text("The referral was withdrawn")

    summary = page.locator("#summary")
    expect(summary).to_have_class("govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("alert").locator(".govuk-error-summary__title")).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_count(1)  # a field not on the page is listed, not linked
    expect(summary.locator("li")).to_have_text(["Enter the age", "Not a field"])
    summary.get_by_role("link", name="Enter the age").click()
    expect(page.get_by_label("Age")).to_be_focused()
    # GOV.UK Frontend's own styles apply: the summary has its red border.
    assert page.eval_on_selector("#summary", "e => getComputedStyle(e).borderTopWidth") == "5px"
    context.close()

"""Dashboard charts: drawn by the vendored Chart.js, each with a table holding the API's own figures, legible on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Served, make_required_choices, sign_in

pytestmark = pytest.mark.browser

WEEKLY = "weekly { weekStarting referrals offers placements }"
API = """async (query) => {
  const response = await fetch("/graphql", { method: "POST", headers: { "Content-Type": "application/json",
    "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content }, body: JSON.stringify({ query }) });
  return (await response.json()).data.dashboard;
}"""
DRAWN = """(id) => {
  const canvas = document.querySelector(`#${id} canvas`);
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let inked = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked += 1;
  const chart = window.Chart.getChart(canvas);
  const sizes = Object.values(chart.scales).map((scale) => scale.options.ticks.font.size);
  return { width: canvas.clientWidth, height: canvas.clientHeight, inked, sizes,
           series: chart.data.datasets.map((d) => d.data), library: window.Chart.version };
}"""


def table(page, chart_id: str) -> list[list[str]]:
    return page.locator(f"#{chart_id}-table tbody tr").evaluate_all(
        "(rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent.trim()))"
    )


def publish_a_referral(page, served: Served) -> None:
    page.goto(f"{served.base_url}/referrals/new")
    page.get_by_label("Age in years").fill("12")
    page.get_by_label("Home postcode district").fill("ME14")
    make_required_choices(page)
    page.get_by_label("Summary", exact=True).fill("Loves swimming; settled at school.")
    page.get_by_role("button", name="Save and publish").click()
    page.wait_for_url(re.compile(r"/referrals/(?!new)[\w-]+$"))


def chart_checks(page, chart_id: str) -> dict:
    expect(page.locator(f"#{chart_id} canvas")).to_be_visible()
    drawn = page.evaluate(DRAWN, chart_id)
    assert drawn["library"] == "4.6.1"
    assert drawn["width"] > 200 and drawn["height"] > 100, drawn
    assert drawn["inked"] > 500, f"{chart_id}: the canvas is blank"
    assert min(drawn["sizes"]) >= 12, f"{chart_id}: axis text under 12 px"
    return drawn


def test_council_and_provider_charts_show_the_apis_figures_in_canvas_and_table(browser, served: Served) -> None:
    officer_context = browser.new_context(viewport={"width": 375, "height": 800})
    officer = officer_context.new_page()
    sign_in(officer, served, "kent_officer")
    publish_a_referral(officer, served)  # this week's trend has a referral in it

    officer.goto(f"{served.base_url}/dashboard")
    expect(officer.locator("#chart-weekly-table tbody tr")).to_have_count(8)
    council = officer.evaluate(
        API,
        "{ dashboard { council { openByUrgency { urgency count } "
        f"averageWeeklyFeeByKind {{ averageWeeklyFeePence }} {WEEKLY} }} }} }}",
    )["council"]
    weekly = council["weekly"]
    assert weekly[-1]["referrals"] >= 1
    expected = [[str(w["referrals"]), str(w["offers"]), str(w["placements"])] for w in weekly]
    assert table(officer, "chart-weekly") == expected
    drawn = chart_checks(officer, "chart-weekly")
    assert drawn["series"] == [[w[k] for w in weekly] for k in ("referrals", "offers", "placements")]
    # Weeks and urgencies in words, never codes or ISO dates.
    first_cells = officer.locator("#chart-weekly-table tbody th").all_text_contents()
    assert all(re.fullmatch(r"Mon \d{1,2} [A-Z][a-z]+ 20\d\d", cell) for cell in first_cells), first_cells

    counts = [row["count"] for row in council["openByUrgency"]]
    assert table(officer, "chart-urgency") == [[str(c)] for c in counts]
    assert chart_checks(officer, "chart-urgency")["series"] == [counts]
    assert officer.locator("#chart-urgency-table tbody th").all_text_contents() == [
        "Needed today",
        "Within 5 days",
        "Planned (later)",
    ]
    assert sum(counts) >= 1 and officer.locator("#kpi-open").inner_text() == str(sum(counts))
    # The table is one click away for everyone, and assistive tech is pointed to it.
    officer.locator("#chart-urgency summary").click()
    expect(officer.locator("#chart-urgency-table table")).to_be_visible()
    label = officer.locator("#chart-urgency canvas").get_attribute("aria-label")
    assert label.startswith("Open referrals by urgency") and "table" in label
    assert officer.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    officer_context.close()

    provider_context = browser.new_context(viewport={"width": 1366, "height": 900})
    provider = provider_context.new_page()
    sign_in(provider, served, "harbour")
    provider.goto(f"{served.base_url}/dashboard")
    expect(provider.locator("#chart-weekly-table tbody tr")).to_have_count(8)
    weeks = provider.evaluate(API, f"{{ dashboard {{ provider {{ {WEEKLY} }} }} }}")["provider"]["weekly"]
    assert weeks[-1]["referrals"] >= 1  # the referral published above was sent to Harbour
    assert table(provider, "chart-weekly") == [
        [str(w["referrals"]), str(w["offers"]), str(w["placements"])] for w in weeks
    ]
    assert chart_checks(provider, "chart-weekly")["series"] == [
        [w[k] for w in weeks] for k in ("referrals", "offers", "placements")
    ]
    chart_checks(provider, "chart-rates")
    provider_context.close()

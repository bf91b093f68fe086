"""The new-referral form: no required choice is made for the officer, every missing one is listed in a summary
linked to its field, and a lot offers only the placement kinds it covers."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Served, sign_in

pytestmark = pytest.mark.browser


def test_required_choices_start_empty_and_are_listed_in_one_summary(browser, served: Served) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, served, "kent_officer")
    page.goto(f"{served.base_url}/referrals/new")
    page.wait_for_load_state("networkidle")
    for name in ("Framework lot", "Placement kind", "Duration", "Urgency", "Level of need", "Gender"):
        assert page.get_by_label(name).input_value() == "", f"{name} starts on a value nobody chose"

    page.get_by_label("Gender").select_option("MALE")
    page.get_by_role("button", name="Save draft").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    expect(links).to_have_count(6)  # lot, kind, duration, urgency, need, required-by; gender was chosen
    summary.get_by_role("link", name="Choose the duration").click()
    expect(page.get_by_label("Duration")).to_be_focused()
    assert page.url.endswith("/referrals/new#duration")  # nothing was saved
    context.close()


def test_a_lot_offers_only_the_placement_kinds_it_covers(browser, served: Served) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, served, "kent_officer")
    page.goto(f"{served.base_url}/referrals/new")
    page.wait_for_load_state("networkidle")
    lot = page.get_by_label("Framework lot")
    kinds_of = page.evaluate(
        """() => [...document.getElementById("frameworkLot").options].filter((o) => o.value)
              .map((o) => [o.value, o.dataset.kinds.split(" ")])"""
    )
    assert kinds_of, "the officer has lots to choose from"
    for value, kinds in kinds_of:
        lot.select_option(value)
        offered = page.evaluate(
            """() => [...document.getElementById("placementKind").options]
                  .filter((o) => o.value && !o.disabled).map((o) => o.value)"""
        )
        assert sorted(offered) == sorted(kinds), value
    # A kind chosen first is cleared when a lot that does not cover it is chosen.
    value, kinds = kinds_of[0]
    lot.select_option(value)
    page.get_by_label("Placement kind").select_option(kinds[0])
    other = next(((v, k) for v, k in kinds_of if kinds[0] not in k), None)
    if other is not None:
        lot.select_option(other[0])
        assert page.get_by_label("Placement kind").input_value() == ""
    context.close()


def test_required_by_follows_the_urgency_until_set_by_hand(browser, served: Served) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, served, "kent_officer")
    page.goto(f"{served.base_url}/referrals/new")
    page.wait_for_load_state("networkidle")
    required_by = page.get_by_label("Required by")
    assert required_by.input_value() == ""  # nothing chosen, nothing assumed
    page.get_by_label("Urgency").select_option("TODAY")
    today = page.evaluate(
        "() => { const d = new Date(); return new Date(d - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10); }"
    )
    assert required_by.input_value() == f"{today}T23:59"  # needed today: by the end of today, not tomorrow
    required_by.fill(f"{today}T18:00")
    page.get_by_label("Urgency").select_option("WITHIN_5_DAYS")
    assert required_by.input_value() == f"{today}T18:00"  # the officer's own time is kept
    context.close()

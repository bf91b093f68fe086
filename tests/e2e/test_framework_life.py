"""A framework's life in the portal: Kent's commissioner creates a framework (after the error summary names
what is wrong), adds a lot to it, edits its terms, takes an extension, and sees each change in its audit
trail; then terminates Harbour's membership of the core lot through the confirm step, and Harbour's live
offer on an open referral is withdrawn. The pages pass axe at 1,366 and 375 px."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Served, sign_in
from tests.e2e.test_council_decisions import assert_accessible, graphql, offer, publish

pytestmark = pytest.mark.browser

AFTER_SAVING = 15_000  # ms: a save is a few round trips, and the machine running the suite may be busy


def _day(days: int = 0) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def _long(days: int = 0) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().strftime("%-d %B %Y")


def test_a_commissioner_creates_a_framework_adds_a_lot_edits_and_extends_it(browser, served: Served) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, served, "kent_commissioner")
    page.goto(f"{served.base_url}/frameworks")
    page.get_by_role("link", name="Create a framework").click()
    page.wait_for_url("**/frameworks/new")
    expect(page.locator("#framework-form")).not_to_have_attribute("aria-busy", "true")

    # Nothing filled in, then an end before the start and weights that do not add up to 100.
    page.get_by_role("button", name="Create framework").click()
    summary = page.locator("#framework-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter the framework's reference")
    page.get_by_label("Reference").fill("KM-CH-2027")
    page.get_by_label("Name", exact=True).fill("Kent & Medway children's homes 2027")
    page.get_by_label("Starts on").fill(_day(-10))
    page.get_by_label("Ends on").fill(_day(-20))
    page.get_by_label("Extension options").fill("up to 2 x 12 months")
    page.get_by_label("Medway Council").check()
    page.get_by_label("Quality (%)").fill("60")
    page.get_by_label("Cost (%)").fill("30")
    page.get_by_label("Tier 1 (hours)").fill("12")
    page.get_by_role("button", name="Create framework").click()
    expect(summary.locator("li")).to_have_count(2, timeout=AFTER_SAVING)
    expect(summary).to_contain_text("The end date must be after the start date.")
    expect(summary).to_contain_text("add up to 100")
    expect(page.locator("#endsOn-error")).to_contain_text("after the start date")
    assert_accessible(page, "the framework form with its errors")
    summary.get_by_role("link", name=re.compile("end date")).click()
    expect(page.get_by_label("Ends on")).to_be_focused()
    page.get_by_label("Ends on").fill(_day(365 * 4))
    page.get_by_label("Cost (%)").fill("40")
    page.get_by_role("button", name="Create framework").click()

    page.wait_for_url(re.compile(r"/frameworks\?framework="), timeout=AFTER_SAVING)
    expect(page.locator("#messages")).to_contain_text("Kent & Medway children's homes 2027 is created.")
    framework = page.locator("#frameworks")
    expect(framework).to_contain_text("KM-CH-2027")
    expect(framework).to_contain_text("up to 2 x 12 months")
    expect(framework).to_contain_text("tier 1: 12 hours")
    expect(framework.locator("#audit-trail")).to_contain_text("framework.created")

    # A lot: the error summary first, then added.
    lot_form = page.locator("#lot-new-form")
    lot_form.get_by_role("button", name="Add the lot").click()
    expect(page.locator("#lot-new-error-summary li")).to_have_count(3)
    lot_form.get_by_label("Code").fill("LOT1")
    lot_form.get_by_label("Name").fill("Children's homes")
    lot_form.get_by_label("Children's home bed").check()
    lot_form.get_by_label("11-15").check()
    lot_form.get_by_role("button", name="Add the lot").click()
    expect(page.locator("#messages")).to_contain_text("Lot LOT1 (Children's homes) is added.", timeout=AFTER_SAVING)
    lot = framework.locator("section.card", has=page.locator("h3", has_text="LOT1"))
    expect(lot).to_contain_text("Children's home bed")
    assert_accessible(page, "the framework's page")

    # Change the lot: another age band.
    lot.get_by_role("button", name=re.compile("^Change the lot")).click()
    dialog = page.locator("#lot-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("16-18").check()
    dialog.get_by_role("button", name="Save the lot").click()
    expect(page.locator("#messages")).to_contain_text("Lot LOT1 (Children's homes) is changed.", timeout=AFTER_SAVING)
    expect(lot).to_contain_text("16-18")

    # Edit its terms.
    page.get_by_role("link", name="Edit this framework's terms").click()
    page.wait_for_url("**/frameworks/edit?framework=*")
    expect(page.get_by_label("Reference")).to_have_value("KM-CH-2027")
    page.get_by_label("Emergencies, needed today (hours)").fill("2")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(r"/frameworks\?framework="), timeout=AFTER_SAVING)
    expect(page.locator("#messages")).to_contain_text("is changed.")
    expect(framework).to_contain_text("emergencies 2 hours")

    # Take an extension: the error summary, then taken.
    page.get_by_role("button", name="Take an extension").click()
    extend = page.locator("#extend-dialog")
    extend.get_by_role("button", name="Take the extension").click()
    expect(page.locator("#extend-error-summary li")).to_have_count(3)
    assert_accessible(page, "the extension dialog with its errors")
    extend.get_by_label("New end date").fill(_day(365 * 5))
    extend.get_by_label("Decision reference").fill("ICD-2026-117")
    extend.get_by_label("Decision date").fill(_day(-1))
    extend.get_by_role("button", name="Take the extension").click()
    expect(page.locator("#messages")).to_contain_text("decision ICD-2026-117", timeout=AFTER_SAVING)
    expect(page.locator("#framework-status")).to_contain_text(_long(365 * 5))
    extensions = framework.get_by_role("table", name="Extensions taken")
    expect(extensions.locator("tbody tr")).to_have_count(1)
    expect(extensions).to_contain_text("ICD-2026-117")
    trail = framework.locator("#audit-trail tbody tr")
    expect(trail.first).to_contain_text("framework.extended")
    expect(framework.locator("#audit-trail")).to_contain_text("lot.created")
    expect(framework.locator("#audit-trail")).to_contain_text("framework.updated")
    context.close()


def test_a_terminated_member_has_its_live_offer_withdrawn(browser, served: Served) -> None:
    contexts = [browser.new_context() for _ in range(3)]
    officer, harbour, commissioner = (context.new_page() for context in contexts)
    sign_in(officer, served, "kent_officer")
    sign_in(harbour, served, "harbour")
    sign_in(commissioner, served, "kent_commissioner")
    referral_id, reference = publish(officer, served)
    offer_id = offer(harbour, served, referral_id, start_in_days=2)

    commissioner.goto(f"{served.base_url}/frameworks")
    member = commissioner.locator("section.card", has=commissioner.locator("h3", has_text="LOT1")).locator(
        "tbody tr", has_text="Harbour Fostering (test)"
    )
    member.get_by_role("button", name=re.compile("^Terminate")).click()
    dialog = commissioner.locator("#terminate-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Ends on").fill(_day(3))
    dialog.get_by_role("button", name="Continue").click()
    expect(commissioner.locator("#terminate-error-summary")).to_contain_text("today or on a date passed")
    dialog.get_by_label("Ends on").fill(_day())
    dialog.get_by_role("button", name="Continue").click()
    expect(dialog.locator("#terminate-confirm-text")).to_contain_text(
        "Terminate Harbour Fostering (test)'s membership of LOT1"
    )
    assert_accessible(commissioner, "the termination's confirm step")
    dialog.get_by_role("button", name="Back").click()
    dialog.get_by_role("button", name="Continue").click()
    dialog.get_by_role("button", name="Yes, terminate the membership").click()
    expect(commissioner.locator("#messages")).to_contain_text("1 live offer was withdrawn", timeout=AFTER_SAVING)
    expect(member).to_contain_text("Left on")
    expect(commissioner.locator("#audit-trail")).to_contain_text("membership.terminated")

    # Harbour's offer is withdrawn; the referral is still open for the others.
    mine = graphql(harbour, "{ myOffers(first: 20) { edges { node { id status } } } }")["myOffers"]["edges"]
    assert {"id": offer_id, "status": "WITHDRAWN"} in [edge["node"] for edge in mine]
    seen = graphql(officer, "query($id: ID!) { referral(id: $id) { status } }", {"id": referral_id})
    assert seen["referral"]["status"] == "OPEN", reference
    for context in contexts:
        context.close()

"""The provider's whole job in the portal, walked as a duty desk and a registered manager would.

Its households and homes are described on /carers, a referral is read (best matches first, the response window
counting down) and answered with a confirmed offer, vacancies name the household chosen, and the inbox is sorted
by need, filtered, and can say so on the desktop when a referral arrives.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import Served, sign_in

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 900}
HOUSEHOLDS = 18
# Harbour's own household is in ME16; these make 18, near and far from a child at home in ME14.
DISTRICTS = [
    "ME15", "ME17", "ME20", "ME1", "ME7", "ME10", "TN12", "TN9", "ME19",
    "CT1", "TN23", "CT9", "GU1", "RG1", "PO1", "SP1", "BH1",
]  # fmt: skip


def assert_accessible(page) -> None:
    """No serious or critical axe violation, and no wider than the screen, at 1,366 px and at 375 px."""
    axe = Axe()
    for viewport in (WIDE, {"width": 375, "height": 800}):
        page.set_viewport_size(viewport)
        serious = [v["id"] for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], serious
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.set_viewport_size(WIDE)


def api(served: Served, key: str, query: str, variables: dict | None = None) -> dict:
    login = httpx.post(
        f"{served.base_url}/graphql",
        json={
            "query": "mutation($input: LoginInput!) { login(input: $input) { token errors { message } } }",
            "variables": {"input": {"email": served.emails[key], "password": served.password}},
        },
    ).json()
    token = login["data"]["login"]["token"]
    body = httpx.post(
        f"{served.base_url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert "errors" not in body, body
    return body["data"]


def ensure_households(served: Served) -> None:
    """Harbour's organisation holds 18 carer households, created through the API as its staff would."""
    have = api(served, "harbour", "{ carerHouseholds(first: 100) { edges { node { reference } } } }")
    references = {e["node"]["reference"] for e in have["carerHouseholds"]["edges"]}
    for n, district in enumerate(DISTRICTS, start=2):
        if len(references) >= HOUSEHOLDS:
            break
        reference = f"HARBOUR-H{n}"
        if reference in references:
            continue
        created = api(
            served,
            "harbour",
            "mutation($input: CreateCarerHouseholdInput!) { createCarerHousehold(input: $input) { errors { message } } }",
            {
                "input": {
                    "reference": reference,
                    "district": district,
                    "minAge": 5 if n % 3 else 12,
                    "maxAge": 17,
                    "approvedPlaces": 2,
                    "placementKinds": ["CORE_FOSTERING"],
                    "durations": ["SHORT_TERM", "LONG_TERM"],
                    "specialisms": ["TRAUMA"] if n % 2 else [],
                }
            },
        )
        assert created["createCarerHousehold"]["errors"] == []
        references.add(reference)
    assert len(references) >= HOUSEHOLDS


def publish_referral(served: Served, **changes: object) -> tuple[str, str]:
    """A Kent referral, published through the API as the placement officer would; (id, reference)."""
    lots = api(served, "kent_officer", "{ frameworks { id lots { id code } } }")["frameworks"][0]
    values = {
        "frameworkId": lots["id"],
        "lotId": lots["lots"][0]["id"],
        "placementKind": "CORE_FOSTERING",
        "duration": "SHORT_TERM",
        "urgency": "WITHIN_5_DAYS",
        "needLevel": "STANDARD",
        "requiredBy": (datetime.now(UTC) + timedelta(days=3)).replace(hour=12).isoformat(),
        "ageYears": 13,
        "gender": "FEMALE",
        "homeDistrict": "ME14",
        "maxDistanceMiles": 40,
        "needs": ["TRAUMA"],
        "legalStatus": "C2",
        "categoryOfNeed": "N1",
        "summary": "Enjoys football and drawing; settled in Year 9.",
        **changes,
    }
    created = api(
        served,
        "kent_officer",
        "mutation($input: CreateReferralInput!) { createReferral(input: $input) { referral { id reference } errors { field message } } }",
        {"input": values},
    )["createReferral"]
    assert created["errors"] == [], created
    published = api(
        served,
        "kent_officer",
        "mutation($input: ReferralIdInput!) { publishReferral(input: $input) { errors { message } } }",
        {"input": {"id": created["referral"]["id"]}},
    )
    assert published["publishReferral"]["errors"] == []
    return created["referral"]["id"], created["referral"]["reference"]


def test_the_referral_page_leads_with_the_best_matches_and_fits_a_desktop_screen(browser, served: Served) -> None:
    ensure_households(served)
    referral_id, reference = publish_referral(served)
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    sign_in(page, served, "harbour")
    page.goto(f"{served.base_url}/referrals/{referral_id}")
    expect(page.locator("h1")).to_contain_text(reference)

    expect(page.locator("#best-matches .match")).to_have_count(3)
    expect(page.locator("#best-matches .reasons").first).to_contain_text("must-haves")
    details = page.locator("#other-matches")
    expect(details).not_to_have_attribute("open", "")
    assert page.locator("#other-matches tbody tr").count() == HOUSEHOLDS - 3
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"provider referral page, {HOUSEHOLDS} households, 1366 px wide: {height} px tall")
    assert height < 2500

    # Legal status and category of need in words; the distance told against this child's own 40-mile limit.
    expect(page.locator("#legal-status")).to_contain_text("Full care order")
    expect(page.locator("#category-of-need")).to_contain_text("Abuse or neglect")
    page.locator("#other-matches summary").click()
    text = page.locator("main").inner_text()
    assert "more than 20" not in text and "(band" not in text and "AGE_11_15" not in text
    far = page.locator("#other-matches tr.unfit", has_text="SP1")
    expect(far).to_contain_text("beyond the child's 40-mile limit")
    expect(page.locator("#other-matches tbody")).to_contain_text("within the child's 40-mile limit")

    # The response window counts down to the tier window's end (24 hours for a referral not needed today).
    countdown = page.locator("#countdown")
    expect(countdown).to_have_text(re.compile(r"^2[34] h \d\d min left$"))
    deadline = datetime.fromisoformat(page.locator("#deadline time").get_attribute("datetime"))
    assert timedelta(hours=23) < deadline - datetime.now(UTC) <= timedelta(hours=24)

    # Nothing is chosen for the worker; the start is the council's required-by day.
    assert page.locator('input[name="resource"]:checked').count() == 0
    required_by = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    expect(page.locator("#startDate")).to_have_value(required_by)

    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    page.locator("#other-matches summary").click()  # closed again, as a phone user first sees it
    print(f"the same page at 375 px: {page.evaluate('document.documentElement.scrollHeight')} px tall")
    context.close()


def test_an_offer_needs_a_statement_and_is_sent_only_after_its_summary_is_confirmed(browser, served: Served) -> None:
    ensure_households(served)
    referral_id, _ = publish_referral(
        served, urgency="TODAY", requiredBy=(datetime.now(UTC) + timedelta(hours=6)).isoformat()
    )
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    sign_in(page, served, "harbour")
    page.goto(f"{served.base_url}/referrals/{referral_id}")
    expect(page.locator("#best-matches .match").first).to_be_visible()
    # Needed today: the start is today, and the window is the framework's emergency one.
    expect(page.locator("#startDate")).to_have_value(datetime.now().date().isoformat())
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^[34] h \d\d min left$"))

    # Enter in the form with nothing chosen and no statement: every problem in the summary, nothing sent.
    page.locator("#startDate").press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose the household or home to offer.")
    expect(summary).to_contain_text("Say why this is a good match")
    expect(page.locator("#confirm-offer")).not_to_be_visible()

    # An arrow key in the group moves the choice, and Enter then sends nothing: the statement is still missing,
    # and even with it, Send asks first (below).
    radios = page.locator("#best-matches input[name='resource']")
    first = radios.first
    first.focus()
    first.press("ArrowDown")
    expect(radios.nth(1)).to_be_checked()
    radios.nth(1).press("Enter")
    page.locator("#startDate").press("Enter")
    expect(page.locator("#offer-status")).to_have_count(0)
    first.check()
    page.locator("#startDate").press("Enter")
    expect(summary).to_contain_text("Say why this is a good match")
    expect(summary).not_to_contain_text("Choose the household")

    chosen = first.get_attribute("data-label")
    page.get_by_label("Why this is a good match").fill("Experienced carers for teenagers; 5 miles from home.")
    page.locator("#startDate").press("Enter")  # Enter, with everything filled in, asks: it does not send
    dialog = page.locator("#confirm-offer")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#confirm-resource")).to_have_text(chosen)
    expect(dialog.locator("#confirm-fee")).to_have_text(re.compile(r"^£[\d,]+\.\d\d"))
    expect(dialog.locator("#confirm-statement")).to_have_text("Experienced carers for teenagers; 5 miles from home.")
    assert_accessible(page)
    page.get_by_role("button", name="Go back and change it").click()
    expect(dialog).not_to_be_visible()
    expect(page.locator("#offer-status")).to_have_count(0)

    page.get_by_role("button", name="Send offer").click()
    page.get_by_role("button", name="Confirm and send offer").click()
    expect(page.locator("#offer-status")).to_have_text("Submitted")
    context.close()


def test_a_vacancy_names_the_household_the_provider_chose(browser, served: Served) -> None:
    ensure_households(served)
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    sign_in(page, served, "harbour")
    page.goto(f"{served.base_url}/my-vacancies")
    household = page.get_by_label("Household or home")
    expect(household.locator("option", has_text="HARBOUR-H2 (ME15)")).to_have_count(1)
    expect(household).to_have_value("")
    page.get_by_label("Note for councils").fill("One place, near Maidstone.")
    page.get_by_role("button", name="Post vacancy").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose the household or home with the place free.")
    expect(page.locator("#vacancies")).not_to_contain_text("near Maidstone")

    household.select_option(label="HARBOUR-H2 (ME15)")
    page.get_by_role("button", name="Post vacancy").click()
    expect(page.locator("#vacancies li", has_text="near Maidstone")).to_contain_text("HARBOUR-H2: 1 place(s), open")
    expect(summary).to_be_hidden()
    expect(household).to_have_value("")  # the next vacancy starts from nothing chosen again
    context.close()


def provider_admin(served: Served) -> str:
    """Harbour's registered manager: a provider admin, created by the platform admin as onboarding does."""
    if "harbour_admin" not in served.emails:
        harbour = api(served, "harbour", "{ me { provider { id } } }")["me"]["provider"]["id"]
        created = api(
            served,
            "admin",
            "mutation($input: CreateUserInput!) { createUser(input: $input) { user { email } errors { message } } }",
            {
                "input": {
                    "email": "manager@harbour.test",
                    "password": served.password,
                    "displayName": "Harbour registered manager",
                    "role": "PROVIDER_ADMIN",
                    "providerId": harbour,
                }
            },
        )["createUser"]
        assert created["errors"] == []
        served.emails["harbour_admin"] = created["user"]["email"]
    return "harbour_admin"


def test_a_provider_admin_adds_and_edits_a_household_and_a_home_and_staff_keep_availability(
    browser, served: Served
) -> None:
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    sign_in(page, served, provider_admin(served))
    page.goto(f"{served.base_url}/carers")
    expect(page.locator("#households tbody tr").first).to_be_visible()

    # Adding with nothing filled in: every problem listed, each linked to its field, focus on the summary.
    page.get_by_text("Add a carer household").click()
    form = page.locator("#household-form")
    form.get_by_role("button", name="Add household").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    for message in (
        "Give your own reference",
        "postcode district",
        "youngest age",
        "oldest age",
        "approved for.",
        "at least one kind",
        "at least one duration",
    ):
        expect(summary).to_contain_text(message)
    summary.get_by_role("link", name=re.compile("at least one kind")).click()
    expect(page.locator("#h-placementKinds")).to_be_focused()
    assert_accessible(page)  # the open form with its errors shown

    form.get_by_label("Your reference").fill("HARBOUR-NEW")
    form.get_by_label("Postcode district").fill("me15")
    form.get_by_label("Youngest age approved").fill("8")
    form.get_by_label("Oldest age approved").fill("15")
    form.get_by_label("Approved places").fill("2")
    form.get_by_label("Core fostering", exact=True).check()
    form.get_by_label("Long term / permanent").check()
    form.locator("#h-specialisms").get_by_label("Trauma").check()
    form.get_by_label("Languages spoken (comma separated)").fill("Polish")
    form.get_by_role("button", name="Add household").click()
    row = page.locator("#households tbody tr", has_text="HARBOUR-NEW")
    expect(row).to_contain_text("ME15")
    expect(row).to_contain_text("8 to 15")
    expect(row).to_contain_text("Trauma, Polish")
    expect(summary).to_be_hidden()

    row.get_by_role("button", name="Edit HARBOUR-NEW").click()
    expect(form.get_by_label("Your reference")).to_have_value("HARBOUR-NEW")
    expect(form.get_by_label("Core fostering", exact=True)).to_be_checked()
    form.get_by_label("Approved places").fill("3")
    form.get_by_label("Has pets").check()
    form.get_by_role("button", name="Save changes").click()
    expect(row.locator("td[data-label='Approved places']")).to_have_text("3")
    expect(row).to_contain_text("pets")

    # A children's home: the Ofsted judgement starts empty and must be chosen.
    page.get_by_text("Add a children's home").click()
    home_form = page.locator("#home-form")
    expect(home_form.get_by_label("Latest Ofsted judgement")).to_have_value("")
    home_form.get_by_label("Name, as registered with Ofsted").fill("Harbour Lodge")
    home_form.get_by_label("Ofsted URN").fill("SC950001")
    home_form.get_by_label("Postcode district").fill("ME16")
    home_form.get_by_label("Beds").fill("4")
    home_form.get_by_label("Youngest age").fill("11")
    home_form.get_by_label("Oldest age").fill("17")
    home_form.get_by_role("button", name="Add home").click()
    expect(summary).to_contain_text("Choose the home's latest Ofsted judgement.")
    home_form.get_by_label("Latest Ofsted judgement").select_option("GOOD")
    home_form.locator("#c-specialisms").get_by_label("Going missing").check()
    home_form.get_by_role("button", name="Add home").click()
    home = page.locator("#homes tbody tr", has_text="Harbour Lodge")
    expect(home).to_contain_text("Good · URN SC950001")
    expect(home.locator("td[data-label='Beds']")).to_have_text("4")
    context.close()

    # Any of the provider's staff (here the duty desk) keeps the household's availability up to date.
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    sign_in(page, served, "harbour")
    page.goto(f"{served.base_url}/carers")
    row = page.locator("#households tbody tr", has_text="HARBOUR-NEW")
    expect(row.locator(".available")).to_have_text("None free")
    row.get_by_role("button", name="Availability of HARBOUR-NEW").click()
    dialog = page.locator("#availability")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    free_from = (datetime.now() + timedelta(days=7)).date()
    dialog.get_by_label("Places free").fill("2")
    dialog.get_by_label("Free from").fill(free_from.isoformat())
    dialog.get_by_role("button", name="Save availability").click()
    expect(dialog).not_to_be_visible()
    expect(row.locator(".available")).to_have_text(re.compile(rf"^2 free from \w+ {free_from.day} "))
    row.get_by_role("button", name="Availability of HARBOUR-NEW").click()
    expect(dialog.get_by_label("Places free")).to_have_value("2")
    dialog.get_by_label("Places free").fill("1")
    dialog.get_by_role("button", name="Save availability").click()
    expect(row.locator(".available")).to_have_text(re.compile(r"^1 free from "))
    row.get_by_role("button", name="Availability of HARBOUR-NEW").click()
    dialog.get_by_label("Places free").fill("0")
    dialog.get_by_role("button", name="Save availability").click()
    expect(row.locator(".available")).to_have_text("None free")
    context.close()


# Notifications recorded, not shown; the permission, once given, is remembered across reloads as a browser does.
RECORD_ALERTS = """
window.__asked = 0; window.__notes = []; window.__beeps = 0;
class RecordedNotification {
  static permission = sessionStorage.getItem("recorded-permission") ?? "default";
  static requestPermission() {
    window.__asked += 1;
    RecordedNotification.permission = "granted";
    sessionStorage.setItem("recorded-permission", "granted");
    return Promise.resolve("granted");
  }
  constructor(title, options) { window.__notes.push({ title, ...options }); }
}
window.Notification = RecordedNotification;
const RealAudio = window.AudioContext;
window.AudioContext = class extends RealAudio { constructor(...args) { super(...args); window.__beeps += 1; } };
"""


def references_in_order(page) -> list[str]:
    return page.locator("#inbox li[data-reference]").evaluate_all("items => items.map(i => i.dataset.reference)")


def test_the_inbox_is_sorted_by_need_filtered_in_words_and_can_alert_the_desk(browser, served: Served) -> None:
    soon = datetime.now(UTC)
    _, later = publish_referral(served, urgency="LATER", requiredBy=(soon + timedelta(days=20)).isoformat())
    _, today = publish_referral(served, urgency="TODAY", requiredBy=(soon + timedelta(hours=6)).isoformat())
    declined_id, five_days = publish_referral(served, requiredBy=(soon + timedelta(days=4)).isoformat())
    declined = api(
        served,
        "harbour",
        "mutation($input: DeclineReferralInput!) { declineReferral(input: $input) { errors { message } } }",
        {"input": {"referralId": declined_id, "reason": "NO_CAPACITY", "note": ""}},
    )
    assert declined["declineReferral"]["errors"] == []
    mine = [today, five_days, later]

    context = browser.new_context(viewport=WIDE, permissions=["notifications"])
    context.add_init_script(RECORD_ALERTS)
    page = context.new_page()
    sign_in(page, served, "harbour")
    page.goto(f"{served.base_url}/inbox")
    expect(page.locator(f"#inbox li[data-reference='{later}']")).to_be_visible()

    # Sorted by need, and says so: needed today first, then within five days, then later.
    expect(page.get_by_label("Sort by")).to_have_value("need")
    expect(page.locator("#sorted-by")).to_contain_text("most urgent first")
    assert [r for r in references_in_order(page) if r in mine] == mine
    page.get_by_label("Sort by").select_option("newest")
    expect(page.locator("#sorted-by")).to_contain_text("newest first")
    assert [r for r in references_in_order(page) if r in mine] == [
        five_days,
        today,
        later,
    ]  # as published, newest first

    # Words, never codes, on every card.
    text = page.locator("main").inner_text()
    for code in ("AGE_11_15", "LOT1", "U6", "CORE_FOSTERING", "WITHIN_5_DAYS", "band "):
        assert code not in text, code
    assert not re.search(r"\b[A-Z]+(?:_[A-Z0-9]+)+\b", text)
    expect(page.locator(f"#inbox li[data-reference='{later}']")).to_contain_text("age 13 (11-15)")

    # Filters: by urgency, by kind, and only those not answered yet.
    page.get_by_label("Urgency").select_option("TODAY")
    assert [r for r in references_in_order(page) if r in mine] == [today]
    page.get_by_label("Urgency").select_option("")
    page.get_by_label("Not answered yet only").check()
    assert five_days not in references_in_order(page)
    assert {today, later} <= set(references_in_order(page))
    page.get_by_label("Placement kind").select_option("SIBLING_GROUP")
    expect(page.locator("#inbox")).to_have_text("No referrals to show.")
    page.get_by_label("Placement kind").select_option("")
    page.get_by_label("Not answered yet only").uncheck()

    # Desktop notifications and a sound: asked for only on a click, remembered, used when a referral arrives.
    assert page.evaluate("window.__asked") == 0
    page.get_by_role("button", name="Turn on desktop notifications").click()
    expect(page.get_by_role("button", name="Turn off desktop notifications")).to_be_visible()
    assert page.evaluate("window.__asked") == 1
    page.get_by_label("Play a sound for new referrals").check()
    assert page.evaluate("localStorage.getItem('px.inbox.notify')") == "on"

    _, arriving = publish_referral(served, requiredBy=(soon + timedelta(days=2)).isoformat())
    expect(page.locator(f"#inbox li[data-reference='{arriving}']")).to_be_visible(timeout=5000)
    page.wait_for_function("window.__notes.length > 0")
    note = page.evaluate("window.__notes[0]")
    assert note["title"] == f"New referral {arriving}: Within 5 days"
    assert note["body"] == "Core fostering, age 13, ME14"
    assert page.evaluate("window.__beeps") == 1

    page.reload()
    expect(page.get_by_role("button", name="Turn off desktop notifications")).to_be_visible()
    expect(page.get_by_label("Play a sound for new referrals")).to_be_checked()
    assert page.evaluate("window.__asked") == 0  # remembered: not asked again

    # Compact: many referrals to a screen.
    cards = page.locator("#inbox li[data-reference]")
    expect(cards.filter(has_text=arriving)).to_be_visible()
    heights = cards.evaluate_all("items => items.map(i => i.getBoundingClientRect().height + 8)")
    print(f"inbox cards at 1366 px: {max(heights):.0f} px each at most, {WIDE['height'] // max(heights):.0f} a screen")
    assert WIDE["height"] // max(heights) >= 6, heights
    context.close()


def test_declining_needs_a_reason_chosen_and_tells_the_council(browser, served: Served) -> None:
    referral_id, _ = publish_referral(served)
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    sign_in(page, served, "harbour")
    page.goto(f"{served.base_url}/referrals/{referral_id}")
    page.get_by_text("Or decline this referral").click()
    expect(page.get_by_label("Reason")).to_have_value("")
    page.get_by_role("button", name="Decline this referral").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose why you are declining.")
    page.get_by_label("Reason").select_option("NO_CAPACITY")
    page.get_by_role("button", name="Decline this referral").click()
    expect(page.locator("#my-offer")).to_contain_text("You declined")
    recipients = api(
        served,
        "kent_officer",
        "query($id: ID!) { referral(id: $id) { recipients { provider { name } declineReason } } }",
        {"id": referral_id},
    )["referral"]["recipients"]
    assert {"provider": {"name": "Harbour Fostering (test)"}, "declineReason": "NO_CAPACITY"} in recipients
    context.close()

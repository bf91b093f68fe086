"""The platform admin's and the commissioner's jobs in the portal: onboard a provider onto a lot with prices
(and see a referral on that lot reach it), create users and API tokens, change prices, take a provider off."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Served, publish_referral, sign_in

pytestmark = pytest.mark.browser

NEW_PROVIDER = "Medway Valley Fostering (test)"
NEW_DUTY = "duty@medwayvalley.test"
NEW_PASSWORD = "valley-duty-password"
AFTER_SAVING = 15_000  # ms: a save is a few round trips, and the machine running the suite may be busy


def _graphql(served: Served, query: str, variables: dict, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = httpx.post(
        f"{served.base_url}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=10
    ).json()
    assert not body.get("errors"), body
    return body["data"]


def _login(served: Served, email: str, password: str) -> str:
    data = _graphql(
        served,
        "mutation($input: LoginInput!) { login(input: $input) { token errors { message } } }",
        {"input": {"email": email, "password": password}},
    )
    assert data["login"]["token"], data
    return data["login"]["token"]


def test_an_admin_onboards_a_provider_onto_a_lot_with_prices_and_it_is_sent_referrals(browser, served: Served) -> None:
    context = browser.new_context()
    admin = context.new_page()
    sign_in(admin, served, "admin")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Providers").click()
    expect(admin.locator("h1")).to_have_text("Providers")
    expect(admin.locator("#providers tbody tr", has_text="Harbour Fostering (test)")).to_contain_text("tier 1")

    # Every required choice starts empty: sending the form as it comes lists every problem, focused.
    for choice in ("Type of provider", "Sector", "Latest Ofsted judgement"):
        expect(admin.get_by_label(choice)).to_have_value("")
    admin.get_by_role("button", name="Onboard provider").click()
    summary = admin.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("li")).to_have_count(6)
    summary.get_by_role("link", name="Choose the type of provider").click()
    expect(admin.get_by_label("Type of provider")).to_be_focused()

    admin.get_by_label("Provider name").fill(NEW_PROVIDER)
    admin.get_by_label("Type of provider").select_option("IFA")
    admin.get_by_label("Sector").select_option("PR5")
    admin.get_by_label("Ofsted URN").fill("SC777001")
    admin.get_by_label("Latest Ofsted judgement").select_option("GOOD")
    admin.get_by_label("Registered office postcode district").fill("1234")
    admin.get_by_role("button", name="Onboard provider").click()
    expect(summary.get_by_role("link", name=re.compile("postcode district"))).to_be_visible()  # the API's answer
    admin.get_by_label("Registered office postcode district").fill("ME15")
    admin.get_by_role("button", name="Onboard provider").click()
    expect(admin.locator("#messages")).to_contain_text(f"{NEW_PROVIDER} is on the exchange", timeout=AFTER_SAVING)
    row = admin.locator("#providers tbody tr", has_text=NEW_PROVIDER)
    expect(row).to_contain_text("Independent fostering agency")
    expect(row).to_contain_text("SC777001")
    expect(row).to_contain_text("None yet")

    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Frameworks").click()
    form = admin.locator("#add-form")
    form.get_by_label("Lot", exact=True).select_option(label="Kent & Medway IFP framework: LOT1 Core fostering")
    form.get_by_label("Provider", exact=True).select_option(label=NEW_PROVIDER)
    expect(form.get_by_label("Tier", exact=True)).to_have_value("")
    form.get_by_label("Tier", exact=True).select_option("1")
    form.get_by_label("Joins the lot on").fill("2025-04-01")
    form.get_by_label("Prices take effect from").fill("2025-04-01")
    fees = {"5-10": "810", "11-15": "870.50", "16-18": "920"}
    for band, fee in fees.items():
        for level in ("Standard", "With additional support"):
            form.get_by_label(re.compile(rf"^{band}, {level}")).fill(fee)
    form.get_by_label(re.compile("^Solo placement")).fill("150")
    form.get_by_role("button", name="Put on lot with these prices").click()
    expect(admin.locator("#messages")).to_contain_text(
        f"{NEW_PROVIDER} is on LOT1 at tier 1, with its prices", timeout=AFTER_SAVING
    )
    member = admin.locator("section.card", has=admin.locator("h3", has_text="LOT1")).locator(
        "tbody tr", has_text=NEW_PROVIDER
    )
    expect(member).to_contain_text("Tier 1")
    expect(member).to_contain_text("£870.50")
    expect(member).to_contain_text("£920.00")
    expect(member).to_contain_text("Solo placement £150.00")

    # Its duty desk gets an account, and describes a household that could take a Maidstone teenager.
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Users and tokens").click()
    admin.get_by_label("Name", exact=True).fill("Valley duty desk")
    admin.get_by_label("Email address").fill(NEW_DUTY)
    admin.get_by_label("Role").select_option("PROVIDER_RESPONDER")
    admin.get_by_label("Provider", exact=True).select_option(label=NEW_PROVIDER)
    admin.get_by_label("First password").fill(NEW_PASSWORD)
    admin.get_by_role("button", name="Create user").click()
    expect(admin.locator("#messages")).to_contain_text(f"{NEW_DUTY} can now sign in", timeout=AFTER_SAVING)
    expect(admin.locator("#users tbody tr", has_text=NEW_DUTY)).to_contain_text(NEW_PROVIDER)
    context.close()

    duty_token = _login(served, NEW_DUTY, NEW_PASSWORD)
    household = _graphql(
        served,
        """mutation($input: CreateCarerHouseholdInput!) { createCarerHousehold(input: $input) {
          carerHousehold { id } errors { field message } } }""",
        {
            "input": {
                "reference": "VALLEY-H1",
                "district": "ME15",
                "minAge": 8,
                "maxAge": 17,
                "approvedPlaces": 2,
                "placementKinds": ["CORE_FOSTERING"],
                "durations": ["SHORT_TERM", "LONG_TERM"],
            }
        },
        duty_token,
    )
    assert household["createCarerHousehold"]["errors"] == [], household

    officer_context = browser.new_context()
    officer = officer_context.new_page()
    sign_in(officer, served, "kent_officer")
    _, reference = publish_referral(officer, served)  # LOT1, core fostering, short term
    officer_context.close()

    duty_context = browser.new_context()
    duty = duty_context.new_page()
    duty.goto(f"{served.base_url}/sign-in")
    duty.get_by_label("Email address").fill(NEW_DUTY)
    duty.get_by_label("Password").fill(NEW_PASSWORD)
    duty.get_by_role("button", name="Sign in").click()
    expect(duty).to_have_url(re.compile(r"/inbox$"))
    expect(duty.locator(f"li[data-reference='{reference}']")).to_be_visible()
    duty_context.close()


def test_an_api_token_is_shown_once_copied_and_revoked(browser, served: Served) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    sign_in(page, served, "admin")
    page.goto(f"{served.base_url}/users")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#token-error-summary")).to_be_focused()
    page.get_by_label("What it is for").fill("Case management sync")
    page.get_by_role("button", name="Create token").click()
    panel = page.locator("#new-token")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("it will not be shown again")
    secret = page.get_by_label("Token", exact=True).input_value()
    assert secret.startswith("pxa_") and len(secret) > 40
    page.get_by_role("button", name="Copy token").click()
    expect(page.locator("#copy-state")).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    row = page.locator("#tokens tbody tr", has_text="Case management sync")
    expect(row).to_contain_text(secret[:10])
    expect(row).to_contain_text("Active")
    assert _graphql(served, "{ me { email } }", {}, secret)["me"]["email"] == served.emails["admin"]

    page.get_by_role("button", name="I have stored it").click()
    expect(panel).to_be_hidden()
    assert secret not in page.content()
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(row).to_contain_text(secret[:10])  # listed by its first characters only
    assert secret not in page.content() and secret[10:] not in page.content()

    row.get_by_role("button", name=re.compile("^Revoke")).click()
    dialog = page.locator("#revoke-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(row).to_contain_text("Active")  # nothing happens without confirming
    row.get_by_role("button", name=re.compile("^Revoke")).click()
    dialog.get_by_role("button", name="Revoke token").click()
    expect(page.locator("#messages")).to_contain_text('Revoked "Case management sync"', timeout=AFTER_SAVING)
    expect(row).to_contain_text("Revoked")
    assert _graphql(served, "{ me { email } }", {}, secret)["me"] is None
    context.close()


def test_the_lead_commissioner_changes_a_members_prices_and_takes_a_provider_off_a_lot(browser, served: Served) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, served, "kent_commissioner")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Framework").click()
    expect(page.locator("h1")).to_have_text("Framework")
    lot = page.locator("section.card", has=page.locator("h3", has_text="LOT1"))
    northdowns = lot.locator("tbody tr", has_text="Northdowns Families (test)")
    expect(northdowns).to_contain_text("£790.00")

    northdowns.get_by_role("button", name=re.compile("^Change prices")).click()
    dialog = page.locator("#prices-dialog")
    expect(dialog.get_by_label(re.compile(r"^5-10, Standard"))).to_have_value("790.00")
    dialog.get_by_label(re.compile(r"^5-10, Standard")).fill("eight hundred")
    dialog.get_by_role("button", name="Save prices").click()
    errors = page.locator("#prices-error-summary li")
    expect(errors).to_have_count(2)  # no date, and a fee that is not an amount
    dialog.get_by_label(re.compile(r"^5-10, Standard")).fill("805")
    starts = (datetime.now(UTC).date() + timedelta(days=7)).isoformat()
    dialog.get_by_label("New prices take effect from").fill(starts)
    dialog.get_by_role("button", name="Save prices").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#messages")).to_contain_text(
        "New prices for Northdowns Families (test) on LOT1", timeout=AFTER_SAVING
    )
    expect(northdowns).to_contain_text("£805.00 from")

    weald = lot.locator("tbody tr", has_text="Weald Family Placements (test)")
    weald.get_by_role("button", name=re.compile("^Take off the lot")).click()
    remove = page.locator("#remove-dialog")
    expect(remove.get_by_label("Why it leaves")).to_have_value("")
    remove.get_by_role("button", name="Take off the lot").click()
    expect(page.locator("#remove-error-summary li")).to_have_count(2)
    remove.get_by_label("Why it leaves").select_option("TERMINATED")
    remove.get_by_label("Leaves on").fill(datetime.now(UTC).date().isoformat())
    remove.get_by_role("button", name="Take off the lot").click()
    expect(remove).to_be_hidden()
    expect(weald).to_contain_text("Left on")
    expect(weald).to_contain_text("Terminated")
    expect(weald.get_by_role("button")).to_have_count(0)
    context.close()


def test_a_provider_admin_creates_its_own_staff_with_only_the_roles_it_may_grant(browser, served: Served) -> None:
    context = browser.new_context()
    admin = context.new_page()
    sign_in(admin, served, "admin")
    admin.goto(f"{served.base_url}/users")
    admin.get_by_role("button", name="Create user").click()
    expect(admin.locator("#user-error-summary li")).to_have_count(4)  # name, email, role, password
    admin.get_by_label("Name", exact=True).fill("Harbour registered manager")
    admin.get_by_label("Email address").fill("manager@harbour.test")
    admin.get_by_label("Role").select_option("PROVIDER_ADMIN")
    admin.get_by_label("First password").fill("harbour-manager-password")
    admin.get_by_role("button", name="Create user").click()
    expect(admin.locator("#user-error-summary")).to_contain_text("Choose their provider")
    admin.get_by_label("Provider", exact=True).select_option(label="Harbour Fostering (test)")
    admin.get_by_role("button", name="Create user").click()
    expect(admin.locator("#messages")).to_contain_text("manager@harbour.test can now sign in", timeout=AFTER_SAVING)
    context.close()

    context = browser.new_context()
    manager = context.new_page()
    manager.goto(f"{served.base_url}/sign-in")
    manager.get_by_label("Email address").fill("manager@harbour.test")
    manager.get_by_label("Password").fill("harbour-manager-password")
    manager.get_by_role("button", name="Sign in").click()
    manager.get_by_role("navigation", name="Main").get_by_role("link", name="Users and tokens").click()
    expect(manager.locator("h1")).to_have_text("Users and API tokens")
    roles = manager.get_by_label("Role").locator("option")
    expect(roles).to_have_text(["Choose…", "Provider responder", "Provider admin"])
    expect(manager.get_by_label("Role")).to_have_value("")
    expect(manager.locator("#users tbody tr")).to_have_count(2)  # Harbour's duty desk and its manager, no one else
    expect(manager.locator("#users tbody")).not_to_contain_text("Oakleaf")
    manager.get_by_label("Name", exact=True).fill("Harbour night duty")
    manager.get_by_label("Email address").fill("night@harbour.test")
    manager.get_by_label("Role").select_option("PROVIDER_RESPONDER")
    expect(manager.get_by_label("Provider", exact=True)).to_be_hidden()  # its own, always
    manager.get_by_label("First password").fill("harbour-night-password")
    manager.get_by_role("button", name="Create user").click()
    expect(manager.locator("#messages")).to_contain_text("night@harbour.test can now sign in", timeout=AFTER_SAVING)
    expect(manager.locator("#users tbody tr", has_text="night@harbour.test")).to_contain_text("Harbour Fostering")
    context.close()

    # Anyone else finds only their own API tokens there.
    context = browser.new_context()
    officer = context.new_page()
    sign_in(officer, served, "kent_officer")
    officer.get_by_role("navigation", name="Main").get_by_role("link", name="API tokens").click()
    expect(officer.locator("h1")).to_have_text("API tokens")
    expect(officer.locator("#users")).to_have_count(0)
    expect(officer.locator("#tokens tbody")).to_contain_text("No API tokens yet")
    context.close()


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 375, "height": 800}])
def test_the_dialogs_and_the_new_token_are_accessible_and_fit_a_phone(browser, served: Served, viewport) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe, problems = Axe(), []

    def check(page, what: str) -> None:
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                problems.append(f"{what}: {violation['id']} ({violation['impact']}): {violation['help']}")
        if (overflow := page.evaluate("document.documentElement.scrollWidth - window.innerWidth")) > 0:
            problems.append(f"{what}: {overflow}px wider than the screen")

    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    sign_in(page, served, "kent_commissioner")
    page.goto(f"{served.base_url}/frameworks")
    member = page.locator("section.card", has=page.locator("h3", has_text="LOT1")).locator(
        "tbody tr", has_text="Harbour Fostering (test)"
    )
    member.get_by_role("button", name=re.compile("^Change prices")).click()
    page.get_by_role("button", name="Save prices").click()  # with its error summary showing
    expect(page.locator("#prices-error-summary")).to_be_visible()
    check(page, "change prices")
    page.get_by_role("button", name="Cancel").first.click()
    member.get_by_role("button", name=re.compile("^Take off the lot")).click()
    expect(page.locator("#remove-dialog")).to_be_visible()
    check(page, "take off the lot")
    page.locator("#remove-cancel").click()
    page.goto(f"{served.base_url}/users")
    page.get_by_label("What it is for").fill("Quarterly KPI return")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token")).to_be_visible()
    check(page, "new token")
    context.close()
    assert not problems, "\n".join(problems)

"""Every guarded field in the portal shows the writer's words to change, marked where they are."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served, make_required_choices, sign_in

pytestmark = pytest.mark.browser


def _new_referral(page: Page, served: Served, summary: str) -> None:
    page.goto(f"{served.base_url}/referrals/new")
    page.get_by_label("Age in years").fill("12")
    page.get_by_label("Home postcode district").fill("ME14")
    make_required_choices(page)
    page.get_by_label("Summary", exact=True).fill(summary)


def test_every_referral_field_marks_its_identifying_words(browser, served: Served) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, served, "kent_officer")
    _new_referral(page, served, "Her mother Kerry Jones has contact on Saturdays.")
    page.get_by_label("Cultural needs", exact=True).fill("Attends Invicta Grammar School and a Saturday club.")
    page.get_by_label("Faith", exact=True).fill("Goes to church with her nan Pauline.")
    page.get_by_label("Languages spoken (comma separated)").fill("Polish, @tommy_2012")
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator("#summary-error mark.identifying")).to_have_text("Kerry Jones")
    expect(page.locator("#summary-error")).to_contain_text('write "her mother"')
    expect(page.locator("#culturalNeeds-error mark.identifying")).to_have_text("Invicta Grammar School")
    expect(page.locator("#culturalNeeds-error")).to_contain_text("a mainstream secondary")
    expect(page.locator("#faith-error mark.identifying")).to_have_text("Pauline")
    expect(page.locator("#languages-error mark.identifying")).to_have_text("@tommy_2012")
    context.close()


def test_offer_decline_and_vacancy_notes_mark_their_identifying_words(browser, served: Served) -> None:
    officer_context, provider_context = browser.new_context(), browser.new_context()
    officer, provider = officer_context.new_page(), provider_context.new_page()
    sign_in(officer, served, "kent_officer")
    _new_referral(officer, served, "Enjoys football and drawing; settled in Year 9.")
    officer.get_by_role("button", name="Save and publish").click()
    officer.wait_for_url(re.compile(r"/referrals/(?!new)[\w-]+$"))
    referral_url = officer.url.replace(served.base_url, "")

    sign_in(provider, served, "harbour")
    provider.goto(f"{served.base_url}{referral_url}")
    provider.locator("#best-matches input[name='resource']").first.check()
    provider.get_by_label("Why this is a good match").fill("Our carers live at 3 Elm Close, near the school.")
    provider.get_by_role("button", name="Send offer").click()
    provider.get_by_role("button", name="Confirm and send offer").click()
    expect(provider.locator("#matchingStatement-error mark.identifying")).to_have_text("3 Elm Close")

    provider.get_by_text("Or decline this referral").click()
    provider.get_by_label("Reason").select_option("NO_CAPACITY")
    provider.get_by_label("Note for the council (optional)").fill("Our carer Sandra is on leave.")
    provider.get_by_role("button", name="Decline this referral").click()
    expect(provider.locator("#declineNote-error mark.identifying")).to_have_text("Sandra")

    provider.goto(f"{served.base_url}/my-vacancies")
    provider.get_by_label("Household or home").select_option(index=1)
    provider.get_by_label("Note for councils").fill("Ring 0044 7700 900123 to arrange a visit.")
    provider.get_by_role("button", name="Post vacancy").click()
    expect(provider.locator("#note-error mark.identifying")).to_have_text("0044 7700 900123")
    officer_context.close()
    provider_context.close()

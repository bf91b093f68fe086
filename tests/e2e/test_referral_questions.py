"""Questions before offering in Chromium: a provider asks the council (the guard marks identifying words first),
the council sees the question arrive live and answers to every provider it sent the referral to, and another
provider that was sent it sees the shared answer live, without who asked. Both panels pass axe at 1,366 and
375 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Served, sign_in
from tests.e2e.test_council_decisions import assert_accessible, publish

pytestmark = pytest.mark.browser

QUESTION = "Is a school place already arranged near the carers' home?"
ANSWER = "Yes: a place is held at the local secondary school from the first week."


def test_a_question_asked_live_and_answered_to_every_provider(browser, served: Served) -> None:
    contexts = [browser.new_context() for _ in range(3)]
    officer, harbour, oakleaf = (context.new_page() for context in contexts)
    for page, key in ((officer, "kent_officer"), (harbour, "harbour"), (oakleaf, "oakleaf")):
        sign_in(page, served, key)
    referral_id, _ = publish(officer, served)
    for page in (officer, harbour, oakleaf):
        page.goto(f"{served.base_url}/referrals/{referral_id}")
    panel = officer.locator("#questions-to-answer")
    expect(panel).to_contain_text("No provider has asked a question yet.")
    expect(officer.locator("#live-state")).to_have_text("Live")

    # Harbour asks; the guard marks the identifying words first, with the error summary linked to the field.
    asking = harbour.locator("#questions-asked")
    expect(asking.get_by_role("heading", name="Questions to the council")).to_be_visible()
    asking.get_by_text("Ask the council a question").click()  # a disclosure: the page leads with the offer
    asking.get_by_label("Your question").fill("Can her mother Kerry Jones visit at weekends?")
    asking.get_by_role("button", name="Ask the council").click()
    summary = harbour.locator("#question-errors")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_attribute("href", "#question")
    expect(harbour.locator("#question-error mark.identifying")).to_have_text("Kerry Jones")
    asking.get_by_label("Your question").fill(QUESTION)
    asking.get_by_role("button", name="Ask the council").click()
    expect(harbour.locator("#question-messages")).to_contain_text("Your question is sent to the council.")
    expect(asking.locator("#question-list")).to_contain_text("Your question")
    expect(asking.locator("#question-list")).to_contain_text("Not answered yet.")

    # The council sees it arrive live, without reloading, with who asked; Oakleaf sees nothing of it.
    expect(panel.locator("#question-list")).to_contain_text(QUESTION)
    expect(panel.locator("#question-list")).to_contain_text("Harbour Fostering")
    expect(oakleaf.locator("#question-list")).to_contain_text("No questions yet.")
    assert_accessible(officer, "the council's questions from providers")

    # Answered to every provider, after a confirmation.
    panel.get_by_label("Your answer", exact=True).fill(ANSWER)
    panel.get_by_label("Answer to every provider the referral went to").check()
    panel.get_by_role("button", name="Send answer").click()
    dialog = officer.locator("#answer-all-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Send to every provider").click()
    expect(officer.locator("#question-messages")).to_contain_text("sent to every provider the referral went to")
    expect(panel.locator("#question-list")).to_contain_text(ANSWER)

    # Harbour and Oakleaf read it live; Oakleaf is never told who asked.
    expect(asking.locator("#question-list")).to_contain_text(ANSWER)
    shared = oakleaf.locator("#question-list")
    expect(shared).to_contain_text(QUESTION)
    expect(shared).to_contain_text(ANSWER)
    expect(shared).to_contain_text("Another provider's question")
    expect(shared).to_contain_text("to every provider the referral was sent to")
    expect(shared).not_to_contain_text("Harbour")
    assert_accessible(oakleaf, "the provider's questions to the council")
    for context in contexts:
        context.close()

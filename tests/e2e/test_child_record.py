"""The child's identified details in Chromium: the officer keeps them and a document apart from the referral,
accepts an offer, the chosen provider reads them and downloads the document while another provider sees
nothing, the officer reads the provider's view in the access record, revokes, and the provider sees them no more."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Served, sign_in
from tests.e2e.test_council_decisions import assert_accessible, graphql, offer, publish

pytestmark = pytest.mark.browser

CARE_PLAN = b"%PDF-1.7\n(Care plan)\n%%EOF\n"
RECORD = "query($id: ID!) { childRecord(referralId: $id) { fullName } }"


def test_the_chosen_provider_alone_reads_the_childs_details_until_the_council_revokes(browser, served: Served) -> None:
    contexts = [browser.new_context(accept_downloads=True) for _ in range(3)]
    officer, harbour, oakleaf = (context.new_page() for context in contexts)
    for page, key in ((officer, "kent_officer"), (harbour, "harbour"), (oakleaf, "oakleaf")):
        sign_in(page, served, key)
    referral_id, reference = publish(officer, served)
    chosen = offer(harbour, served, referral_id, start_in_days=1)
    offer(oakleaf, served, referral_id, start_in_days=2)

    # The officer keeps the child's details on the referral page: required ones first, each error linked.
    officer.goto(f"{served.base_url}/referrals/{referral_id}")
    officer.wait_for_load_state("networkidle")  # the saved record is loaded into the form before typing
    section = officer.locator("#child-record")
    expect(section.get_by_role("heading", name="Child's details (not shared with providers)")).to_be_visible()
    section.get_by_role("button", name="Save the child's details").click()
    summary = officer.locator("#child-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Give the child's NHS number")
    section.get_by_label("Full name").fill("Amelia Rose Thornbury")
    section.get_by_label("Date of birth").fill("2013-05-17")
    section.get_by_label("NHS number").fill("943 476 5918")  # a wrong check digit
    section.get_by_role("button", name="Save the child's details").click()
    expect(officer.locator("#nhsNumber-error")).to_contain_text("That is not an NHS number")
    section.get_by_label("NHS number").fill("943 476 5919")
    section.get_by_label("School").fill("Invicta Grammar School")
    section.get_by_label("Allocated social worker").fill("Priya Raman")
    section.get_by_label("Your case system's id for the child").fill("KCC-CHILD-778812")
    section.get_by_role("button", name="Save the child's details").click()
    expect(officer.locator("#child-messages")).to_contain_text("The child's details are saved.")
    expect(section.get_by_label("Kind of document")).to_have_value("")  # starts empty
    section.get_by_label("Kind of document").select_option("CARE_PLAN")
    section.get_by_label("File (PDF").set_input_files(
        {"name": "Care plan.pdf", "mimeType": "application/pdf", "buffer": CARE_PLAN}
    )
    section.get_by_role("button", name="Add the document").click()
    expect(officer.locator("#child-documents")).to_contain_text("Care plan.pdf")
    assert_accessible(officer, "the council's referral page with the child's details")

    # Before acceptance no provider sees them.
    harbour.goto(f"{served.base_url}/referrals/{referral_id}")
    harbour.wait_for_load_state("networkidle")
    expect(harbour.locator("#child-details")).to_be_hidden()

    officer.locator(f"tr[data-offer-id='{chosen}']").get_by_role("button", name="Accept").click()
    officer.get_by_role("button", name="Accept offer").click()
    expect(officer.locator("#ipa-reference")).to_have_text(f"IPA-{reference}")

    # The chosen provider reads them and downloads the care plan; the other provider sees nothing.
    harbour.reload()
    details = harbour.locator("#child-details")
    expect(details).to_be_visible()
    expect(details).to_contain_text("Amelia Rose Thornbury")
    expect(details).to_contain_text("943 476 5919")
    expect(details).to_contain_text("KCC-CHILD-778812")
    with harbour.expect_download() as downloaded:
        details.get_by_role("button", name="Care plan.pdf").click()
    assert downloaded.value.suggested_filename == "Care plan.pdf"
    assert open(downloaded.value.path(), "rb").read() == CARE_PLAN
    assert_accessible(harbour, "the chosen provider's referral page with the child's details")
    oakleaf.goto(f"{served.base_url}/referrals/{referral_id}")
    oakleaf.wait_for_load_state("networkidle")
    expect(oakleaf.locator("#child-details")).to_be_hidden()
    assert "Amelia" not in oakleaf.content()
    assert graphql(oakleaf, RECORD, {"id": referral_id}) == {"childRecord": None}

    # The officer sees the provider's view and download in the access record, and revokes.
    officer.reload()
    audit = officer.locator("#access-audit tbody")
    harbour_rows = audit.locator("tr", has_text="Harbour Fostering (test)")
    expect(harbour_rows.filter(has_text="Viewed the child's details")).not_to_have_count(0)
    expect(harbour_rows.filter(has_text="Downloaded a document: Care plan.pdf")).to_have_count(1)
    officer.get_by_role("button", name="Revoke access").click()
    dialog = officer.locator("#revoke-dialog")
    expect(dialog).to_contain_text("This cannot be undone.")
    assert_accessible(officer, "the revoke dialog")
    dialog.get_by_role("button", name="Revoke access").click()
    expect(officer.locator("#child-access")).to_contain_text("You revoked the provider's access")
    expect(officer.get_by_role("button", name="Revoke access")).to_be_hidden()

    harbour.reload()
    harbour.wait_for_load_state("networkidle")
    expect(harbour.locator("#child-details")).to_be_hidden()
    assert graphql(harbour, RECORD, {"id": referral_id}) == {"childRecord": None}
    for context in contexts:
        context.close()


def test_the_council_shares_anonymised_documents_with_a_shortlisted_provider_before_accepting(
    browser, served: Served
) -> None:
    contexts = [browser.new_context(accept_downloads=True) for _ in range(3)]
    officer, harbour, oakleaf = (context.new_page() for context in contexts)
    for page, key in ((officer, "kent_officer"), (harbour, "harbour"), (oakleaf, "oakleaf")):
        sign_in(page, served, key)
    referral_id, _ = publish(officer, served)
    chosen = offer(harbour, served, referral_id, start_in_days=1)
    offer(oakleaf, served, referral_id, start_in_days=2)

    officer.goto(f"{served.base_url}/referrals/{referral_id}")
    officer.wait_for_load_state("networkidle")  # the saved record is loaded into the form before typing
    section = officer.locator("#child-record")
    section.get_by_label("Full name").fill("Amelia Rose Thornbury")
    section.get_by_label("Date of birth").fill("2013-05-17")
    section.get_by_label("NHS number").fill("9434765919")
    section.get_by_role("button", name="Save the child's details").click()
    expect(officer.locator("#child-messages")).to_contain_text("saved")
    for name, text in (("Routine.txt", b"Bedtime at nine; walks to school with a friend.\n"),
                       ("Contact.txt", b"Contact with her mother Kerry Jones on Sundays.\n")):  # fmt: skip
        section.get_by_label("Kind of document").select_option("OTHER")
        section.get_by_label("File (PDF").set_input_files({"name": name, "mimeType": "text/plain", "buffer": text})
        section.get_by_role("button", name="Add the document").click()
        expect(officer.locator("#child-documents")).to_contain_text(name)
    officer.locator(f"tr[data-offer-id='{chosen}']").get_by_role("button", name="Shortlist").click()
    expect(officer.locator("#messages")).to_contain_text("Shortlisted.")

    officer.get_by_role("button", name="Share documents with shortlisted providers").click()
    dialog = officer.locator("#share-dialog")
    dialog.get_by_label("Other document: Routine.txt").check()
    dialog.get_by_label("Other document: Contact.txt").check()
    dialog.get_by_role("button", name="Share documents").click()
    expect(officer.locator("#share-errors")).to_contain_text("Confirm that the documents identify nobody")
    dialog.get_by_label("These documents identify nobody").check()
    dialog.get_by_role("button", name="Share documents").click()
    expect(officer.locator("#share-errors")).to_be_focused()
    expect(officer.locator("#share-errors")).to_contain_text("Contact.txt")
    assert_accessible(officer, "the share dialog with its errors")
    dialog.get_by_label("Other document: Contact.txt").uncheck()
    dialog.get_by_role("button", name="Share documents").click()
    expect(dialog).to_be_hidden()
    expect(officer.locator("#child-documents")).to_contain_text("shared with shortlisted providers")

    harbour.goto(f"{served.base_url}/referrals/{referral_id}")
    shared = harbour.locator("#shared-documents")
    expect(shared).to_be_visible()
    expect(shared).to_contain_text("Routine.txt")
    expect(shared).not_to_contain_text("Contact.txt")
    expect(harbour.locator("#child-details")).to_be_hidden()  # the identified record waits for acceptance
    with harbour.expect_download() as downloaded:
        shared.get_by_role("button", name="Routine.txt").click()
    assert open(downloaded.value.path(), "rb").read().startswith(b"Bedtime at nine")
    assert_accessible(harbour, "the shortlisted provider's referral page with shared documents")
    oakleaf.goto(f"{served.base_url}/referrals/{referral_id}")
    oakleaf.wait_for_load_state("networkidle")
    expect(oakleaf.locator("#shared-documents")).to_be_hidden()
    for context in contexts:
        context.close()
